import { LrpKerasError } from './errors.js';
import { checkImageSize, ImageTooLargeError } from './image-size.js';
import { formatShape, sizeOf, toTensor, type Tensor } from './tensor.js';
import { decodeImage, type DecodedImage } from './viz/png.js';

/**
 * Input files as bytes, told apart by their first bytes: PNG/JPEG images (converted to the model's
 * channels and size, then scaled), NumPy `.npy` arrays and JSON (nested arrays or `{shape, data}`),
 * both taken as they are. Every file gives one sample or, for arrays with a batch axis, several.
 * No file system here: the CLI reads files with it, the server request bodies, in any runtime.
 */

/** How the model reads an image: its size, channels (1 or 3) and layout. */
export interface ImageGeometry {
  height: number;
  width: number;
  channels: 1 | 3;
  channelsLast: boolean;
}

export type Interpolation = 'nearest' | 'bilinear';

export interface ReadOptions {
  /** Factor applied to image samples (0–255); arrays are not scaled. */
  scale: number;
  /** Resize images of another size to the model's, or refuse them (false). */
  resize: Interpolation | false;
}

/**
 * The image layout of a model input (without the batch axis), or undefined when it has none:
 * (H, W) gray, (H, W, C) or (C, H, W) with C = 1 or 3 (channels last when the last axis fits),
 * and (H·W) gray when the length is a square (flattened MNIST-style inputs).
 */
export function imageGeometry(inputShape: readonly number[]): ImageGeometry | undefined {
  const [a, b, c] = inputShape;
  if (inputShape.length === 1 && Number.isInteger(Math.sqrt(a))) return { height: Math.sqrt(a), width: Math.sqrt(a), channels: 1, channelsLast: true };
  if (inputShape.length === 2) return { height: a, width: b, channels: 1, channelsLast: true };
  if (inputShape.length !== 3) return undefined;
  if (c === 1 || c === 3) return { height: a, width: b, channels: c, channelsLast: true };
  if (a === 1 || a === 3) return { height: b, width: c, channels: a, channelsLast: false };
  return undefined;
}

/** Pixels as float (H, W, C) with C = 1 or 3: gray by ITU-R 601 luma (as PIL's convert('L')), alpha dropped. */
export function toChannels(image: DecodedImage, channels: 1 | 3): Float32Array {
  const { width, height, channels: from, data } = image;
  const pixels = width * height;
  const out = new Float32Array(pixels * channels);
  const color = from >= 3;
  for (let p = 0; p < pixels; p++) {
    const i = p * from;
    if (channels === 1) {
      out[p] = color ? 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] : data[i];
    } else {
      out[p * 3] = data[i];
      out[p * 3 + 1] = data[color ? i + 1 : i];
      out[p * 3 + 2] = data[color ? i + 2 : i];
    }
  }
  return out;
}

/**
 * Resizes (H, W, C) pixels to (height, width, C). Pixel centres are aligned (TensorFlow's
 * `half_pixel_centers`, PIL's convention): output pixel x samples the input at (x + 0.5)·in/out − 0.5.
 * Bilinear blends the four nearest pixels (no antialiasing: shrink large images in an editor first
 * when detail matters); nearest takes the pixel whose area holds the sample point.
 */
export function resizeImage(
  src: Float32Array, inHeight: number, inWidth: number, channels: number, height: number, width: number, mode: Interpolation,
): Float32Array {
  const out = new Float32Array(height * width * channels);
  const sy = inHeight / height;
  const sx = inWidth / width;
  const clamp = (v: number, max: number): number => (v < 0 ? 0 : v > max ? max : v);
  for (let y = 0; y < height; y++) {
    const fy = clamp((y + 0.5) * sy - 0.5, inHeight - 1);
    const y0 = mode === 'nearest' ? Math.min(inHeight - 1, Math.floor((y + 0.5) * sy)) : Math.floor(fy);
    const y1 = Math.min(y0 + 1, inHeight - 1);
    const wy = mode === 'nearest' ? 0 : fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = clamp((x + 0.5) * sx - 0.5, inWidth - 1);
      const x0 = mode === 'nearest' ? Math.min(inWidth - 1, Math.floor((x + 0.5) * sx)) : Math.floor(fx);
      const x1 = Math.min(x0 + 1, inWidth - 1);
      const wx = mode === 'nearest' ? 0 : fx - x0;
      for (let c = 0; c < channels; c++) {
        const at = (yy: number, xx: number): number => src[(yy * inWidth + xx) * channels + c];
        const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * wx;
        const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * wx;
        out[(y * width + x) * channels + c] = top + (bottom - top) * wy;
      }
    }
  }
  return out;
}

/** (H, W, C) → (C, H, W). */
function channelsFirst(src: Float32Array, pixels: number, channels: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) out[c * pixels + p] = src[p * channels + c];
  return out;
}

/** An image file as one model sample: channels, size, scale, layout. */
export function imageSample(image: DecodedImage, inputShape: readonly number[], options: ReadOptions, file: string): Float32Array {
  const g = imageGeometry(inputShape);
  if (!g) throw new LrpKerasError(`${file}: the model's input ${formatShape([null, ...inputShape])} is not an image; pass a .npy or JSON array`);
  let pixels = toChannels(image, g.channels);
  if (image.height !== g.height || image.width !== g.width) {
    if (!options.resize) {
      throw new LrpKerasError(`${file}: the image is ${image.width}×${image.height}, the model expects ${g.width}×${g.height}; pass --resize (the server's field resize) to resize it`);
    }
    pixels = resizeImage(pixels, image.height, image.width, g.channels, g.height, g.width, options.resize);
  }
  for (let i = 0; i < pixels.length; i++) pixels[i] *= options.scale;
  return g.channelsLast ? pixels : channelsFirst(pixels, g.height * g.width, g.channels);
}

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
  const shape = shapeText.split(',').map((d) => d.trim()).filter((d) => d !== '').map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`a .npy header with an invalid shape: ${shapeText.trim()}`);
  const size = sizeOf(shape);
  const dataStart = start + headerLength;
  if (bytes.length - dataStart < size * type.bytes) fail(`truncated: shape ${formatShape(shape)} needs ${size * type.bytes} bytes of data, the file has ${bytes.length - dataStart}`);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = type.read(view, dataStart + i * type.bytes);
  return { shape, data };
}

const squeezed = (shape: readonly number[]): number[] => shape.filter((d) => d !== 1);
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * An array file's samples: its shape is the model input's (one sample), the input's with a batch
 * axis in front, or equal to it up to axes of size 1 (a (28, 28) array for a (28, 28, 1) model).
 */
export function arraySamples(t: Tensor, inputShape: readonly number[], file: string): Float32Array[] {
  const size = sizeOf(inputShape);
  if (sameShape(t.shape.slice(1), inputShape)) {
    return Array.from({ length: t.shape[0] }, (_, s) => t.data.slice(s * size, (s + 1) * size));
  }
  if (sameShape(t.shape, inputShape) || sameShape(squeezed(t.shape), squeezed(inputShape))) return [t.data];
  throw new LrpKerasError(`${file}: an array of shape ${formatShape(t.shape)}; the model expects ${formatShape(inputShape)} or a batch ${formatShape([null, ...inputShape])}`);
}

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

/** A tensor from parsed JSON, `{shape, data}` or nested number arrays; `what` names it in errors. */
export function jsonTensor(value: unknown, what: string): Tensor {
  let depth = 0;
  for (let level = value; Array.isArray(level); level = level[0]) {
    if (++depth > MAX_NESTING) throw new LrpKerasError(`${what}: nested arrays deeper than ${MAX_NESTING} levels`);
  }
  return toTensor(value as Tensor, what);
}

const isImage = (bytes: Uint8Array): boolean =>
  (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) || (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff);

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
  return { file, array: NPY_MAGIC.every((b, i) => bytes[i] === b) ? parseNpy(bytes, file) : parseJson(bytes, file) };
}

/** A decoded file's samples in the model's input layout: one for an image, one or more for an array. */
export function fileSamples(input: InputFile, inputShape: readonly number[], options: ReadOptions): Float32Array[] {
  if ('image' in input) return [imageSample(input.image, inputShape, options, input.file)];
  return arraySamples(input.array, inputShape, input.file);
}

/** "1/255", "0.5" or a number: a finite scale factor. */
export function parseScale(value: unknown): number {
  const text = String(value);
  const m = /^\s*([^/]+?)\s*(?:\/\s*([^/]+?)\s*)?$/.exec(text);
  const scale = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : Number.NaN;
  if (!Number.isFinite(scale)) throw new LrpKerasError(`--scale must be a number or a fraction such as 1/255, got '${text}'`);
  return scale;
}
