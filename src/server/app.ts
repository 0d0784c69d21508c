import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { METHODS, type Model } from '../index.js';
import { answerType, jsonAnswer, pngAnswer } from './answer.js';
import { predictJob, relevanceOf } from './compute.js';
import { jobFromForm, jobFromJson, type ExplainJob } from './explain-request.js';
import { Gate } from './gate.js';
import { asClientError, badRequest, errorResponse, HttpError } from './http-error.js';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';
import { modelInputs, modelOutputs } from './model-io.js';
import { openApiDocument } from './openapi.js';

/**
 * The HTTP API (README, Serving; docs/serving.md) as a Hono app: Web-standard Request in, Response
 * out, so the same app runs in Node, Workers, Deno, Bun and Lambda through Hono's adapters.
 */

export interface ServerOptions {
  /** Models by the name the URL uses; a promise is awaited on first use (load at start-up, serve at once). */
  models: Record<string, Model | Promise<Model>>;
  limits?: Partial<ServerLimits>;
}

/** Rejects with a 408 (still uploading) when `deadline` passes first. */
function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HttpError(408, 'request_timeout', 'the request body did not arrive within the time limit')),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The explain request's job, from its JSON or multipart body; the body must arrive before `deadline`. */
async function readJob(request: Request, model: Model, limits: ServerLimits, deadline: number): Promise<ExplainJob> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    const text = await beforeDeadline(
      request.text().catch(() => {
        throw badRequest('the request body could not be read (truncated?)');
      }),
      deadline,
    );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw badRequest(`the body is not JSON: ${(e as Error).message}`);
    }
    return asClientError(() => jobFromJson(body, model, limits));
  }
  if (type === 'multipart/form-data') {
    const form = await beforeDeadline(
      request.formData().catch(() => {
        throw badRequest('the body is not valid multipart/form-data (or was truncated)');
      }),
      deadline,
    );
    return asClientError(() => jobFromForm(form, model, limits));
  }
  throw new HttpError(415, 'unsupported_media_type', `Content-Type ${type || 'missing'}; send application/json or multipart/form-data`);
}

export function createApp(options: ServerOptions): Hono {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const names = Object.keys(options.models);
  const gate = new Gate(limits.concurrency, limits.queue);

  const modelNamed = async (name: string): Promise<Model> => {
    if (!Object.hasOwn(options.models, name))
      throw new HttpError(404, 'not_found', `no model named '${name}'; served: ${names.join(', ')}`);
    try {
      return await options.models[name];
    } catch (e) {
      throw new HttpError(503, 'unavailable', `model '${name}' failed to load: ${(e as Error).message}`);
    }
  };

  const app = new Hono();
  app.onError((e) => errorResponse(e));
  app.notFound((c) =>
    errorResponse(new HttpError(404, 'not_found', `no route ${c.req.method} ${new URL(c.req.url).pathname}; see GET /v1/openapi.json`)),
  );

  app.get('/healthz', async (c) => {
    await Promise.all(names.map(modelNamed));
    return c.json({ status: 'ok', models: names });
  });

  app.get('/v1/models', async (c) => {
    const models = await Promise.all(
      names.map(async (name) => {
        const model = await modelNamed(name);
        return { name, inputs: modelInputs(model), outputs: modelOutputs(model), methods: Object.keys(METHODS) };
      }),
    );
    return c.json({ models });
  });

  app.get('/v1/openapi.json', (c) => c.json(openApiDocument(limits)));

  app.post(
    '/v1/models/:name/explain',
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: () => {
        // The rest of the body is not read: the connection cannot carry another request.
        throw new HttpError(413, 'payload_too_large', `the request body is larger than the limit of ${limits.maxBodyBytes} bytes`, {
          Connection: 'close',
        });
      },
    }),
    async (c) => {
      const arrived = Date.now();
      const deadline = arrived + limits.timeoutMs;
      const name = c.req.param('name');
      const model = await modelNamed(name);
      const answer = answerType(c.req.header('accept') ?? null);
      if (answer === 'png' && modelInputs(model).length !== 1)
        throw new HttpError(406, 'not_acceptable', 'image/png answers are drawn for one-input models; ask for application/json');
      const job = await readJob(c.req.raw, model, limits, deadline);
      const release = await gate.acquire(deadline);
      try {
        const started = Date.now();
        const predicted = await asClientError(() => predictJob(model, job));
        const relevance = await asClientError(() => relevanceOf(model, job, deadline, c.req.raw.signal), 422);
        const result = { ...predicted, relevance };
        const timing = { queueMs: started - arrived, computeMs: Date.now() - started };
        return answer === 'json' ? jsonAnswer(name, job, result, timing) : await asClientError(() => pngAnswer(job, result), 422);
      } finally {
        release();
      }
    },
  );
  return app;
}

/** The app's fetch handler: `(request) => Promise<Response>`, what Workers, Deno.serve and Bun.serve take. */
export function createHandler(options: ServerOptions): (request: Request) => Promise<Response> {
  const app = createApp(options);
  return async (request) => app.fetch(request);
}
