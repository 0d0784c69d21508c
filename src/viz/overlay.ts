import { LrpKerasError } from '../errors.js';
import { formatShape, toTensor, type TensorLike } from '../tensor.js';
import type { RGBAImage } from './image.js';
import { pixelLayout, type PixelLayout } from './layout.js';

export interface OverlayOptions {
  /** Opacity of the heatmap over the input, 0 (input only) to 1 (heatmap only); default 0.5. */
  alpha?: number;
  /** Input values [low, high] that map to bytes 0 and 255 (others are clipped); default [0, 1]. */
  inputRange?: readonly [number, number];
  /** (H, W, C) when true (default), (C, H, W) when false; also for a batch (N, …). */
  channelsLast?: boolean;
  /** The sample to take from a rank-4 batch; default 0. */
  sample?: number;
}

/** The input's pixels (see `pixelLayout`) and where the chosen sample starts. */
interface InputLayout extends PixelLayout {
  offset: number;
}

/**
 * Accepts one image, (H, W) grayscale or (H, W, C) / (C, H, W) with C = 1 or 3, or a batch of them
 * (rank 4) with `sample` choosing one. A grayscale batch (N, H, W) is ambiguous with (H, W, C): pass
 * it as (N, H, W, 1).
 */
function inputLayout(shape: readonly number[], options: OverlayOptions): InputLayout {
  const last = options.channelsLast ?? true;
  const sample = options.sample ?? 0;
  const batched = shape.length === 4;
  if (shape.length < 2 || shape.length > 4) {
    throw new LrpKerasError(`overlay input of shape ${formatShape(shape)}: expected (H, W), (H, W, C) or (N, H, W, C)`);
  }
  if (batched && !(Number.isInteger(sample) && sample >= 0 && sample < shape[0])) {
    throw new LrpKerasError(`sample ${sample} is outside the batch of ${shape[0]}`);
  }
  const layout = pixelLayout(batched ? shape.slice(1) : shape, last, 'overlay input');
  if (layout.channels !== 1 && layout.channels !== 3) {
    throw new LrpKerasError(`overlay input of shape ${formatShape(shape)} has ${layout.channels} channels; expected 1 or 3`);
  }
  return { ...layout, offset: batched ? sample * layout.height * layout.width * layout.channels : 0 };
}

/**
 * Blends a heatmap over the input image it explains: out = (1 − alpha)·input + alpha·heatmap, opaque.
 * The heatmap may be an integer multiple of the input's size (a `scale`d heatmap); the input is then
 * enlarged by nearest neighbour to match.
 */
export function overlay(input: TensorLike, heatmap: RGBAImage, options: OverlayOptions = {}): RGBAImage {
  const image = toTensor(input, 'overlay input');
  const { height, width, channels, offset, pixelStride, channelStride } = inputLayout(image.shape, options);
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new LrpKerasError(`alpha must lie in [0, 1], got ${alpha}`);
  const [low, high] = options.inputRange ?? [0, 1];
  if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    throw new LrpKerasError(`inputRange must be [low, high] with low < high, got [${low}, ${high}]`);
  }
  const factor = heatmap.width / width;
  if (!Number.isInteger(factor) || factor < 1 || heatmap.height !== height * factor) {
    throw new LrpKerasError(`heatmap ${heatmap.width}×${heatmap.height} is not an integer multiple of the ${width}×${height} input`);
  }
  const toByte = 255 / (high - low);
  const green = channels === 3 ? channelStride : 0;
  const blue = 2 * green;
  const out = new Uint8ClampedArray(heatmap.data.length);
  const heat = heatmap.data;
  for (let y = 0; y < heatmap.height; y++) {
    for (let x = 0; x < heatmap.width; x++) {
      const src = offset + (Math.floor(y / factor) * width + Math.floor(x / factor)) * pixelStride;
      const o = (y * heatmap.width + x) * 4;
      // Clip the input to its byte range first, so out-of-range pixels cannot outshine the heatmap.
      out[o] = (1 - alpha) * clampByte((image.data[src] - low) * toByte) + alpha * heat[o];
      out[o + 1] = (1 - alpha) * clampByte((image.data[src + green] - low) * toByte) + alpha * heat[o + 1];
      out[o + 2] = (1 - alpha) * clampByte((image.data[src + blue] - low) * toByte) + alpha * heat[o + 2];
      out[o + 3] = 255;
    }
  }
  return { width: heatmap.width, height: heatmap.height, data: out };
}

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
