import { ALIASES, METHODS } from '../index.js';
import { colormaps } from '../viz/colormaps.js';
import type { Schema } from './validate.js';

/**
 * The request and response bodies of the HTTP API as JSON Schemas: `validate.ts` checks requests
 * against them and `openapi.ts` publishes them, so both say the same thing.
 */

/** Most samples of one request's rule parameters the schema lets through; larger cost is a client's to split. */
const MAX_STEPS = 1000;

const number: Schema = { type: 'number' };
const nonNegative: Schema = { type: 'number', minimum: 0 };
const index: Schema = { type: 'integer', minimum: 0 };

export const tensorSchema: Schema = {
  title: 'a tensor: {shape, data} or nested number arrays',
  anyOf: [
    {
      type: 'object',
      description: "Row-major, batch first, in the model's Keras layout.",
      properties: {
        shape: { type: 'array', items: index, maxItems: 16 },
        data: { type: 'array', items: number, title: 'an array of finite numbers' },
      },
      required: ['shape', 'data'],
    },
    { type: 'array', title: 'nested number arrays', description: 'Batch first; the shape is read from the nesting.' },
  ],
};

const bound: Schema = { title: 'a number or one number per channel', anyOf: [number, { type: 'array', items: number }] };

const ruleSpec: Schema = {
  title: 'a rule id or {rule, epsilon, gamma, alpha, beta}',
  anyOf: [
    { type: 'string' },
    {
      type: 'object',
      properties: { rule: { type: 'string' }, epsilon: nonNegative, gamma: nonNegative, alpha: nonNegative, beta: nonNegative },
      required: ['rule'],
    },
  ],
};

/** What `analyze` takes besides the method and target, as far as a request may set it. */
export const analyzeOptionsSchema: Schema = {
  type: 'object',
  description: 'Rule and method parameters, as in analyze() (README, Options).',
  properties: {
    epsilon: nonNegative,
    gamma: nonNegative,
    alpha: { type: 'number', minimum: 1 },
    beta: nonNegative,
    low: bound,
    high: bound,
    layerRules: { type: 'object', additionalProperties: ruleSpec, description: 'Per layer name or class.' },
    steps: { type: 'integer', minimum: 1, maximum: MAX_STEPS },
    baseline: number,
    samples: { type: 'integer', minimum: 1, maximum: MAX_STEPS },
    noise: nonNegative,
    seed: { type: 'integer' },
  },
};

export const methodSchema = (): Schema => ({
  type: 'string',
  title: 'a method id (GET /v1/models lists them) or an innvestigate name',
  enum: [...Object.keys(METHODS), ...Object.keys(ALIASES)],
  default: 'epsilon-plus',
});

export const targetSchema: Schema = {
  title: "'max', a class index or one index per sample",
  anyOf: [{ type: 'string', enum: ['max'] }, index, { type: 'array', items: index }],
  default: 'max',
};

export const pictureSchema = (): Schema => ({
  type: 'object',
  description: 'How an image/png answer is drawn.',
  properties: {
    colormap: { type: 'string', enum: Object.keys(colormaps), default: 'bwr' },
    overlay: { type: 'boolean', default: false, description: 'Blend the heatmap over the input (image inputs only).' },
  },
});

/** POST /v1/models/{name}/explain with a JSON body. */
export const explainRequestSchema = (): Schema => ({
  type: 'object',
  properties: {
    inputs: {
      title: 'a tensor, an array of tensors in input order, or an object of tensors by input name',
      anyOf: [tensorSchema, { type: 'array', items: tensorSchema }, { type: 'object', additionalProperties: tensorSchema }],
    },
    method: methodSchema(),
    target: targetSchema,
    output: { title: 'an output name or index', anyOf: [{ type: 'string' }, index] },
    options: analyzeOptionsSchema,
    picture: pictureSchema(),
  },
  required: ['inputs'],
});

/** The same request as multipart/form-data fields: images instead of `inputs`, JSON text for `target` and `options`. */
export const explainFormSchema = (): Schema => ({
  type: 'object',
  properties: {
    image: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'One file per sample: PNG, JPEG, .npy or JSON.' },
    method: methodSchema(),
    target: { type: 'string', description: "'max', a class index, or a JSON array of indices." },
    output: { type: 'string' },
    options: { type: 'string', description: 'JSON text of the options object.' },
    colormap: { type: 'string', enum: Object.keys(colormaps) },
    overlay: { type: 'string', enum: ['true', 'false'] },
    resize: {
      type: 'string',
      enum: ['bilinear', 'nearest', 'none'],
      default: 'bilinear',
      description: "Images of another size than the model's are resized, or refused with 'none'.",
    },
    scale: { type: 'string', default: '1/255', description: 'Factor applied to pixel values 0–255.' },
  },
  required: ['image'],
});

const tensorOut: Schema = {
  type: 'object',
  properties: { shape: { type: 'array', items: index }, data: { type: 'array', items: number } },
  required: ['shape', 'data'],
};

export const explainResponseSchema: Schema = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    method: { type: 'string' },
    relevance: {
      anyOf: [tensorOut, { type: 'array', items: tensorOut }],
      description: "In the input's shape; an array for several inputs.",
    },
    logits: tensorOut,
    target: { type: 'array', items: index },
    timing: { type: 'object', properties: { queueMs: number, computeMs: number } },
  },
  required: ['model', 'method', 'relevance', 'logits', 'target', 'timing'],
};

const namedShape: Schema = {
  type: 'object',
  properties: { name: { type: 'string' }, shape: { type: 'array', items: index } },
  required: ['name', 'shape'],
};

export const modelListSchema: Schema = {
  type: 'object',
  properties: {
    models: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          inputs: { type: 'array', items: namedShape },
          outputs: { type: 'array', items: namedShape },
          methods: { type: 'array', items: { type: 'string' } },
        },
        required: ['name', 'inputs', 'outputs', 'methods'],
      },
    },
  },
  required: ['models'],
};

export const errorSchema: Schema = {
  type: 'object',
  properties: {
    error: {
      type: 'string',
      description:
        'A stable code: invalid_request, not_found, payload_too_large, unsupported_media_type, not_acceptable, unprocessable, request_timeout, overloaded, timeout, unavailable, internal.',
    },
    message: { type: 'string', description: 'What was wrong, naming the field.' },
  },
  required: ['error', 'message'],
};

export const healthSchema: Schema = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] }, models: { type: 'array', items: { type: 'string' } } },
  required: ['status', 'models'],
};
