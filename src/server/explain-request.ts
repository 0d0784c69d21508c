import type { PictureOptions } from '../explanation-image.js';
import { ImageTooLargeError } from '../image-size.js';
import type { AnalyzeOptions, Model } from '../index.js';
import { decodeInput, fileSamples, jsonTensor, parseScale, type ReadOptions } from '../input-files.js';
import { formatShape, sizeOf, type Tensor } from '../tensor.js';
import type { ColormapName } from '../viz/colormaps.js';
import { badRequest, tooLarge } from './http-error.js';
import type { ServerLimits } from './limits.js';
import { modelInputs, type NamedShape } from './model-io.js';
import { analyzeOptionsSchema, explainFormSchema, explainRequestSchema, targetSchema, tensorSchema } from './schemas.js';
import { validate } from './validate.js';

/**
 * An explain request, JSON or multipart, checked against its schema and the model and turned into
 * what `analyze` takes. Everything wrong here is the client's: LrpKerasErrors become 400s (413 for
 * what is too large) naming the field.
 */

export interface ExplainJob {
  /** One tensor per model input, in input order, each (n, ...input shape). */
  inputs: Tensor[];
  n: number;
  method: string;
  /** `analyze`'s options besides the method: target, output and the rule parameters. */
  options: Omit<AnalyzeOptions, 'method'>;
  picture: PictureOptions;
}

interface ExplainBody {
  inputs: unknown;
  method?: string;
  target?: AnalyzeOptions['target'];
  output?: AnalyzeOptions['output'];
  options?: Omit<AnalyzeOptions, 'method' | 'target' | 'output'>;
  picture?: Partial<PictureOptions>;
}

const isTensorObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && 'shape' in v && 'data' in v;

/** `inputs` as (field name, value) per model input: one tensor, a list in input order, or an object by input name (API.md). */
function byInput(value: unknown, specs: NamedShape[]): [string, unknown][] {
  const names = specs.map((s) => `'${s.name}'`).join(', ');
  if (isTensorObject(value)) {
    if (specs.length === 1) return [['inputs', value]];
    throw badRequest(
      `field inputs: the model has ${specs.length} inputs (${names}); send an array of tensors in that order or an object by input name`,
    );
  }
  if (Array.isArray(value)) {
    // For a one-input model an array is nested numbers, unless it is a list of {shape, data}.
    if (specs.length === 1 && !(value.length === 1 && isTensorObject(value[0]))) return [['inputs', value]];
    if (value.length !== specs.length)
      throw badRequest(`field inputs: ${value.length} tensors for the model's ${specs.length} inputs (${names})`);
    return value.map((v, i) => [`inputs[${i}]`, v]);
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length !== specs.length || !specs.every((s) => Object.hasOwn(object, s.name))) {
    throw badRequest(`field inputs: expected the input names ${names} as keys, got ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  }
  return specs.map((s) => [`inputs.${s.name}`, object[s.name]]);
}

/** One input's tensor: its shape the model's with a batch axis in front, its values finite. */
function modelTensor(value: unknown, spec: NamedShape, field: string): Tensor {
  // The request schema lets {shape, data} through as an object of tensors by input name too (each
  // key's value an array): checked here as the tensor it is, so that strings are not read as numbers.
  validate(value, tensorSchema, field);
  if (isTensorObject(value)) {
    const { shape, data } = value as { shape: number[]; data: unknown[] };
    if (data.length !== sizeOf(shape))
      throw badRequest(`field ${field}: shape ${formatShape(shape)} holds ${sizeOf(shape)} values, data has ${data.length}`);
  }
  const t = jsonTensor(value, `field ${field}`);
  if (t.shape.length !== spec.shape.length + 1 || !spec.shape.every((d, i) => d === null || t.shape[i + 1] === d)) {
    throw badRequest(
      `field ${field} has shape ${formatShape(t.shape)}; the model's input '${spec.name}' is ${formatShape([null, ...spec.shape])}`,
    );
  }
  return t;
}

/** Non-finite values are refused here, naming where, rather than by analyze (whose errors are 422s). */
function checkFinite(inputs: Tensor[], fields: string[]): void {
  inputs.forEach((t, k) => {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw badRequest(`field ${fields[k]}: a non-finite value (${t.data[bad]}) at flat index ${bad}`);
  });
}

/** The batch size all inputs share, within the limit. */
function batchOf(inputs: Tensor[], limits: ServerLimits): number {
  const n = inputs[0].shape[0];
  if (n === 0) throw badRequest('field inputs: an empty batch');
  if (inputs.some((t) => t.shape[0] !== n))
    throw badRequest(`field inputs: the inputs' batch sizes differ (${inputs.map((t) => t.shape[0]).join(', ')})`);
  if (n > limits.maxBatch) throw tooLarge(`field inputs: a batch of ${n} samples; the limit is ${limits.maxBatch} per request`);
  return n;
}

const pictureOf = (p: Partial<PictureOptions> | undefined): PictureOptions => ({
  colormap: p?.colormap ?? 'bwr',
  overlay: p?.overlay ?? false,
});

function jobOf(inputs: Tensor[], fields: string[], body: Omit<ExplainBody, 'inputs'>, limits: ServerLimits): ExplainJob {
  checkFinite(inputs, fields);
  const options: ExplainJob['options'] = { ...body.options, target: body.target ?? 'max' };
  if (body.output !== undefined) options.output = body.output;
  return { inputs, n: batchOf(inputs, limits), method: body.method ?? 'epsilon-plus', options, picture: pictureOf(body.picture) };
}

/** A JSON request body (already parsed). */
export function jobFromJson(body: unknown, model: Model, limits: ServerLimits): ExplainJob {
  validate(body, explainRequestSchema(), '');
  const b = body as ExplainBody;
  const specs = modelInputs(model);
  const fields = byInput(b.inputs, specs);
  return jobOf(
    fields.map(([field, value], i) => modelTensor(value, specs[i], field)),
    fields.map(([field]) => field),
    b,
    limits,
  );
}

/** A JSON field of a form: its text parsed, or a 400 naming the field. */
function jsonField(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`field ${field}: not JSON (${(e as Error).message})`);
  }
}

/** `target` as a form field: max, an index, or a JSON array of indices. */
function formTarget(text: string | undefined): AnalyzeOptions['target'] {
  if (text === undefined) return undefined;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : text.trim().startsWith('[') ? jsonField(text, 'target') : text.trim();
  validate(value, targetSchema, 'target');
  return value as AnalyzeOptions['target'];
}

/** One uploaded file's samples in the model's input layout; a file too large for the limits is a 413. */
async function uploadSamples(file: File, inputShape: number[], read: ReadOptions, limits: ServerLimits): Promise<Float32Array[]> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return fileSamples(decodeInput(bytes, `field image (${file.name || 'unnamed'})`, limits.maxImagePixels), inputShape, read);
  } catch (e) {
    if (e instanceof ImageTooLargeError) throw tooLarge(e.message);
    throw e;
  }
}

/** A multipart/form-data request: files in `image` (one or more samples each), the rest as text fields. */
export async function jobFromForm(form: FormData, model: Model, limits: ServerLimits): Promise<ExplainJob> {
  const { image: _, ...properties } = explainFormSchema().properties ?? {};
  const fields: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (key === 'image') continue;
    if (typeof value !== 'string') throw badRequest(`field ${key}: expected text, got a file`);
    if (Object.hasOwn(fields, key)) throw badRequest(`field ${key}: given more than once`);
    fields[key] = value;
  }
  validate(fields, { type: 'object', properties }, '');
  const files = form.getAll('image');
  if (files.length === 0) throw badRequest('field image is required: one file per sample (PNG, JPEG, .npy or JSON)');
  if (files.some((f) => typeof f === 'string')) throw badRequest('field image: expected files, got text');
  if (files.length > limits.maxBatch)
    throw tooLarge(`field image: ${files.length} files; the limit is ${limits.maxBatch} samples per request`);
  const specs = modelInputs(model);
  if (specs.length !== 1) throw badRequest(`multipart requests explain one-input models; this one has ${specs.length} inputs: send JSON`);
  if (specs[0].shape.includes(null))
    throw badRequest(
      `multipart requests explain inputs of a fixed shape; this model's is ${formatShape([null, ...specs[0].shape])}: send JSON`,
    );
  const shape = specs[0].shape as number[];
  let scale: number;
  try {
    scale = parseScale(fields.scale ?? '1/255');
  } catch (e) {
    throw badRequest(`field scale: ${(e as Error).message}`);
  }
  const resize = (fields.resize ?? 'bilinear') as ReadOptions['resize'] | 'none';
  const read: ReadOptions = { scale, resize: resize === 'none' ? false : resize };
  const samples: Float32Array[] = [];
  for (const file of files as File[]) samples.push(...(await uploadSamples(file, shape, read, limits)));
  const size = sizeOf(shape);
  const data = new Float32Array(samples.length * size);
  samples.forEach((s, i) => {
    data.set(s, i * size);
  });
  const options = fields.options === undefined ? undefined : jsonField(fields.options, 'options');
  if (options !== undefined) validate(options, analyzeOptionsSchema, 'options');
  return jobOf(
    [{ shape: [samples.length, ...shape], data }],
    ['image'],
    {
      method: fields.method,
      target: formTarget(fields.target),
      output: fields.output === undefined ? undefined : /^\d+$/.test(fields.output) ? Number(fields.output) : fields.output,
      options: options as ExplainBody['options'],
      picture: { colormap: fields.colormap as ColormapName | undefined, overlay: fields.overlay === 'true' },
    },
    limits,
  );
}
