import type { ServerLimits } from './limits.js';
import { errorSchema, explainFormSchema, explainRequestSchema, explainResponseSchema, healthSchema, modelListSchema } from './schemas.js';

/** The OpenAPI 3.1 document of the API, built from the schemas that validate requests (schemas.ts). */
export function openApiDocument(limits: ServerLimits): Record<string, unknown> {
  const json = (schema: unknown): unknown => ({ 'application/json': { schema } });
  const error = (description: string): unknown => ({ description, content: json({ $ref: '#/components/schemas/Error' }) });
  return {
    openapi: '3.1.0',
    info: {
      title: 'lrp-keras',
      version: '1',
      description: `Explanations of Keras models. Limits: body ${limits.maxBodyBytes} bytes, ${limits.maxBatch} samples, images of ${limits.maxImagePixels} pixels, ${limits.timeoutMs} ms per request, ${limits.concurrency} explaining at once and ${limits.queue} waiting.`,
    },
    paths: {
      '/healthz': {
        get: {
          summary: 'Ready once every model has loaded',
          responses: {
            200: { description: 'ok', content: json({ $ref: '#/components/schemas/Health' }) },
            503: error('a model failed to load'),
          },
        },
      },
      '/v1/models': {
        get: {
          summary: 'The models served, their inputs, outputs and methods',
          responses: { 200: { description: 'the models', content: json({ $ref: '#/components/schemas/ModelList' }) } },
        },
      },
      '/v1/models/{name}/explain': {
        post: {
          summary: "Explain the model's predictions for a batch of inputs",
          parameters: [
            {
              name: 'name',
              in: 'path',
              required: true,
              schema: { type: 'string' },
              description: "The model file's name without its extension.",
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/ExplainRequest' } },
              'multipart/form-data': { schema: { $ref: '#/components/schemas/ExplainForm' } },
            },
          },
          responses: {
            200: {
              description: 'Relevance as JSON, or a heatmap (or overlay) PNG when Accept prefers image/png',
              content: {
                ...(json({ $ref: '#/components/schemas/ExplainResponse' }) as object),
                'image/png': { schema: { type: 'string', format: 'binary' } },
              },
            },
            400: error('invalid request: the message names the field'),
            404: error('no such model'),
            406: error('Accept allows neither JSON nor PNG'),
            408: error('the body did not arrive in time'),
            413: error('body, batch or image above the limits'),
            415: error('neither JSON nor multipart/form-data'),
            422: error('the model cannot be explained this way (method, layer or option)'),
            503: {
              ...(error('busy or timed out: retry after Retry-After seconds') as object),
              headers: { 'Retry-After': { schema: { type: 'integer' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        ExplainRequest: explainRequestSchema(),
        ExplainForm: explainFormSchema(),
        ExplainResponse: explainResponseSchema,
        ModelList: modelListSchema,
        Health: healthSchema,
        Error: errorSchema,
      },
    },
  };
}
