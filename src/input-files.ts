import { LrpKerasError } from './errors.js';
import { checkImageSize, ImageTooLargeError } from './image-size.js';
import { formatShape, sizeOf, toTensor, type Tensor } from './tensor.js';
import { imageToSample, type ImageReadOptions } from './viz/image-tensor.js';
import { decodeImage, type DecodedImage } from './viz/png.js';

// The image side lives in viz/ (the public `lrp-keras/viz` entry); re-exported for the server and tests.
export { imageGeometry, type ImageGeometry } from './viz/layout.js';
export { imageSample, resizeImage, toChannels, type Interpolation } from './viz/image-tensor.js';

/**
 * Input files as bytes, told apart by their first bytes: PNG/JPEG images (converted to the model's
 * channels and size, then scaled), NumPy `.npy` arrays and JSON (nested arrays or `{shape, data}`),
 * both taken as they are. Every file gives one sample or, for arrays with a batch axis, several.
 * No file system here: the CLI reads files with it, the server request bodies, in any runtime.
 */

/** How image files become samples (arrays are taken as they are). */
export type ReadOptions = ImageReadOptions;

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** The element readers of the dtypes NumPy writes for numbers (little-endian or byte-sized). */
const NPY_TYPES: Record<string, { bytes: number; read: (view: DataView, at: number) => number }> = {
  '<f4': { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  '<f8': { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  '<f2': { bytes: 2, read: (v, at) => halfToFloat(v.getUint16(at, true)) },
  '|u1': { bytes: 1, read: (v, at) => v.getUint8(at) },
  '|i1': { bytes: 1, read: (v, at) => v.getInt8(at) },
  '<u2': { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  '<i2': { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  '<u4': { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  '<i4': { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  '<i8': { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  '<u8': { bytes: 8, read: (v, at) => Number(v.getBigUint64(at, true)) },
  '|b1': { bytes: 1, read: (v, at) => v.getUint8(at) },
};

function halfToFloat(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A NumPy .npy file (format 1.0–3.0, C order) as a float32 tensor. */
export function parseNpy(bytes: Uint8Array, file: string): Tensor {
  const fail = (why: string): never => {
    throw new LrpKerasError(`${file}: ${why}`);
  };
  if (!NPY_MAGIC.every((b, i) => bytes[i] === b)) fail('not a .npy file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) return fail(`a .npy header without descr or shape: ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) fail('Fortran-ordered arrays are not supported; save np.ascontiguousarray(x)');
  const type = NPY_TYPES[descr] ?? fail(`dtype '${descr}' is not supported; use float32, float64, or a little-endian integer type`);
  const shape = shapeText
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`a .npy header with an invalid shape: ${shapeText.trim()}`);
  const size = sizeOf(shape);
  const dataStart = start + headerLength;
  if (bytes.length - dataStart < size * type.bytes)
    fail(`truncated: shape ${formatShape(shape)} needs ${size * type.bytes} bytes of data, the file has ${bytes.length - dataStart}`);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = type.read(view, dataStart + i * type.bytes);
  return { shape, data };
}

const squeezed = (shape: readonly (number | null)[]): (number | null)[] => shape.filter((d) => d !== 1);
/** Whether `shape` is `inputShape`, a free (null) dimension taking any size. */
const fits = (shape: readonly number[], inputShape: readonly (number | null)[]): boolean =>
  shape.length === inputShape.length && shape.every((d, i) => inputShape[i] === null || d === inputShape[i]);

/**
 * An array file's samples with their shapes: its shape is the model input's (one sample), the input's
 * with a batch axis in front, or equal to it up to axes of size 1 (a (28, 28) array for a (28, 28, 1) model).
 */
export function arraySampleTensors(t: Tensor, inputShape: readonly (number | null)[], file: string): Tensor[] {
  const sampleShape = t.shape.slice(1);
  if (fits(sampleShape, inputShape)) {
    const size = sizeOf(sampleShape);
    return Array.from({ length: t.shape[0] }, (_, s) => ({ shape: sampleShape, data: t.data.slice(s * size, (s + 1) * size) }));
  }
  if (fits(t.shape, inputShape)) return [t];
  const fixed = inputShape.every((d) => d !== null);
  if (fixed && fits(squeezed(t.shape) as number[], squeezed(inputShape))) return [{ shape: inputShape as number[], data: t.data }];
  throw new LrpKerasError(
    `${file}: an array of shape ${formatShape(t.shape)}; the model expects ${formatShape(inputShape)} or a batch ${formatShape([null, ...inputShape])}`,
  );
}

/** `arraySampleTensors`' values only. */
export const arraySamples = (t: Tensor, inputShape: readonly (number | null)[], file: string): Float32Array[] =>
  arraySampleTensors(t, inputShape, file).map((s) => s.data);

/** A JSON file: nested number arrays, or {shape, data}. */
function parseJson(bytes: Uint8Array, file: string): Tensor {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new LrpKerasError(`${file}: neither an image, a .npy array nor JSON (${(e as Error).message})`);
  }
  return jsonTensor(value, file);
}

/** Deeper nested arrays than any model input needs: refused before they are walked (recursively). */
const MAX_NESTING = 16;

/** The path and value of the first entry of nested arrays that is not a number, depth first. */
function firstNonNumber(value: unknown, path: string): [string, unknown] | undefined {
  if (!Array.isArray(value)) return typeof value === 'number' ? undefined : [path, value];
  for (let i = 0; i < value.length; i++) {
    const found = firstNonNumber(value[i], `${path}[${i}]`);
    if (found) return found;
  }
  return undefined;
}

/**
 * A tensor from parsed JSON, `{shape, data}` or nested number arrays; `what` names it in errors.
 * Entries that are not numbers (null, strings) are refused, naming the first: JSON has no NaN, and
 * reading null as 0 would explain an input nobody sent.
 */
export function jsonTensor(value: unknown, what: string): Tensor {
  let depth = 0;
  for (let level = value; Array.isArray(level); level = level[0]) {
    if (++depth > MAX_NESTING) throw new LrpKerasError(`${what}: nested arrays deeper than ${MAX_NESTING} levels`);
  }
  const values = Array.isArray(value) ? value : (value as { data?: unknown } | null)?.data;
  const bad = Array.isArray(values) ? firstNonNumber(values, Array.isArray(value) ? '' : 'data') : undefined;
  if (bad) throw new LrpKerasError(`${what}: ${bad[0] || 'the value'} is ${JSON.stringify(bad[1])}; expected a number`);
  return toTensor(value as Tensor, what);
}

/** HDF5 or zip magic: a Keras model file (or another archive), not an input. */
const isModelFile = (bytes: Uint8Array): boolean =>
  (bytes[0] === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) ||
  (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04);

const isImage = (bytes: Uint8Array): boolean =>
  (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) ||
  (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff);

/** A file's content, decoded without the model: an image or an array. */
export type InputFile = { file: string; image: DecodedImage } | { file: string; array: Tensor };

/**
 * Decodes one file's bytes (`file` names it in errors). An image larger than `maxPixels` is refused
 * from its header, before anything is decoded.
 */
export function decodeInput(bytes: Uint8Array, file: string, maxPixels = Infinity): InputFile {
  if (isImage(bytes)) {
    try {
      checkImageSize(bytes, maxPixels);
      return { file, image: decodeImage(bytes) };
    } catch (e) {
      if (e instanceof ImageTooLargeError) throw new ImageTooLargeError(`${file}: ${e.message}`);
      throw new LrpKerasError(`${file}: ${(e as Error).message}`);
    }
  }
  if (isModelFile(bytes))
    throw new LrpKerasError(`${file}: a model file (HDF5 or zip), not an input; inputs are PNG/JPEG images, .npy or JSON arrays`);
  return { file, array: NPY_MAGIC.every((b, i) => bytes[i] === b) ? parseNpy(bytes, file) : parseJson(bytes, file) };
}

/** A decoded file's samples in the model's input layout, with their shapes: one for an image, one or more for an array. */
export function fileSampleTensors(input: InputFile, inputShape: readonly (number | null)[], options: ReadOptions): Tensor[] {
  if ('image' in input) return [imageToSample(input.image, inputShape, options, input.file)];
  return arraySampleTensors(input.array, inputShape, input.file);
}

/** `fileSampleTensors`' values only. */
export const fileSamples = (input: InputFile, inputShape: readonly (number | null)[], options: ReadOptions): Float32Array[] =>
  fileSampleTensors(input, inputShape, options).map((s) => s.data);

/** "1/255", "0.5" or a number: a finite scale factor. */
export function parseScale(value: unknown): number {
  const text = String(value);
  const m = /^\s*([^/]+?)\s*(?:\/\s*([^/]+?)\s*)?$/.exec(text);
  const scale = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : Number.NaN;
  if (!Number.isFinite(scale)) throw new LrpKerasError(`--scale must be a number or a fraction such as 1/255, got '${text}'`);
  return scale;
}
