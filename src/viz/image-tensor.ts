import { LrpKerasError } from '../errors.js';
import { formatShape, type Tensor } from '../tensor.js';
import { imageGeometry, imageShape } from './layout.js';
import { decodeImage, type DecodedImage } from './png.js';

/**
 * Images into a model's input layout: the model's channels (gray by luma, or RGB), its size (resized
 * or refused), scaled (bytes 0–255 times `scale`), channels last or first. The CLI, the server and
 * `imageToTensor` all go through `imageSample`.
 */

export type Interpolation = 'nearest' | 'bilinear';

/** How image samples become model inputs. */
export interface ImageReadOptions {
  /** Factor applied to image samples (0–255). */
  scale: number;
  /** Resize images of another size to the model's, or refuse them (false). */
  resize: Interpolation | false;
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
  src: Float32Array,
  inHeight: number,
  inWidth: number,
  channels: number,
  height: number,
  width: number,
  mode: Interpolation,
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

/**
 * An image as one model sample, (H, W, C), (C, H, W), (H, W) or (H·W) as the model reads it:
 * channels converted, resized to the model's size (free sizes take the image's own), scaled.
 * `file` names the image in errors.
 */
export function imageToSample(
  image: DecodedImage,
  inputShape: readonly (number | null)[],
  options: ImageReadOptions,
  file: string,
): Tensor {
  const g = imageGeometry(inputShape);
  if (!g)
    throw new LrpKerasError(`${file}: the model's input ${formatShape([null, ...inputShape])} is not an image; pass a .npy or JSON array`);
  const height = g.height ?? image.height;
  const width = g.width ?? image.width;
  let pixels = toChannels(image, g.channels);
  if (image.height !== height || image.width !== width) {
    if (!options.resize) {
      throw new LrpKerasError(
        `${file}: the image is ${image.width}×${image.height}, the model expects ${width}×${height}; pass --resize (in code: option resize; in the server: field resize)`,
      );
    }
    pixels = resizeImage(pixels, image.height, image.width, g.channels, height, width, options.resize);
  }
  for (let i = 0; i < pixels.length; i++) pixels[i] *= options.scale;
  const data = g.channelsLast ? pixels : channelsFirst(pixels, height * width, g.channels);
  return { shape: imageShape(g, inputShape.length, height, width), data };
}

/** `imageToSample`'s values only, for models of one fixed input size. */
export const imageSample = (
  image: DecodedImage,
  inputShape: readonly (number | null)[],
  options: ImageReadOptions,
  file: string,
): Float32Array => imageToSample(image, inputShape, options, file).data;

/** Options of `imageToTensor`. */
export interface ImageTensorOptions {
  /** Factor applied to the image's bytes (0–255); default 1/255, pixels in [0, 1]. */
  scale?: number;
  /** How an image of another size is resized to the model's, or false to refuse it; default 'bilinear'. */
  resize?: Interpolation | false;
}

/** What `imageToTensor` accepts: PNG or JPEG bytes, or an image already decoded. */
export type ImageInput = Uint8Array | ArrayBuffer | DecodedImage;

/**
 * PNG or JPEG images as a batch in a model's input layout, (N, ...model.inputShape): converted to
 * the model's channels, resized to its size, multiplied by `scale` (default 1/255), channels first
 * when the model reads them so. A model that takes any size keeps the images' own (one size a batch).
 * A model without an image input is an LrpKerasError.
 */
export function imageToTensor(
  images: ImageInput | readonly ImageInput[],
  model: { inputShape: readonly (number | null)[] },
  options: ImageTensorOptions = {},
): Tensor {
  const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
  const read: ImageReadOptions = { scale: options.scale ?? 1 / 255, resize: options.resize ?? 'bilinear' };
  if (!Number.isFinite(read.scale)) throw new LrpKerasError(`imageToTensor: option scale must be a finite number, got ${read.scale}`);
  if (read.resize !== false && read.resize !== 'bilinear' && read.resize !== 'nearest') {
    throw new LrpKerasError(`imageToTensor: option resize must be 'bilinear', 'nearest' or false, got ${JSON.stringify(read.resize)}`);
  }
  const samples = list.map((image, i) => {
    const decoded = image instanceof Uint8Array || image instanceof ArrayBuffer ? decodeImage(image) : image;
    return imageToSample(decoded, model.inputShape, read, list.length > 1 ? `image ${i}` : 'image');
  });
  const shape = samples[0]?.shape ?? [];
  const differs = samples.find((s) => formatShape(s.shape) !== formatShape(shape));
  if (differs)
    throw new LrpKerasError(
      `imageToTensor: images of sample shapes ${formatShape(shape)} and ${formatShape(differs.shape)} cannot share a batch; resize them to one size`,
    );
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(samples.length * size);
  samples.forEach((s, i) => data.set(s.data, i * size));
  return { shape: [samples.length, ...shape], data };
}
