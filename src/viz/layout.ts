import { LrpKerasError } from '../errors.js';
import { formatShape } from '../tensor.js';

/**
 * The one place that says where an image's pixels live in a tensor: decoding images into a model's
 * input, heatmaps, overlays, pixel-flipping and the CLI all ask here.
 */

/** How a model reads an image: its size (null where the model takes any), channels (1 or 3) and layout. */
export interface ImageGeometry {
  height: number | null;
  width: number | null;
  channels: 1 | 3;
  channelsLast: boolean;
}

const isChannels = (d: number | null): d is 1 | 3 => d === 1 || d === 3;

/**
 * The image layout of a model input (without the batch axis), or undefined when it has none:
 * (H, W) gray, (H, W, C) or (C, H, W) with C = 1 or 3 (channels last when the last axis fits),
 * and (H·W) gray when the length is a square (flattened MNIST-style inputs). H and W may be free
 * (null): such a model reads images of any size.
 */
export function imageGeometry(inputShape: readonly (number | null)[]): ImageGeometry | undefined {
  const [a, b, c] = inputShape;
  if (inputShape.length === 1) {
    const side = a === null ? Number.NaN : Math.sqrt(a);
    return Number.isInteger(side) ? { height: side, width: side, channels: 1, channelsLast: true } : undefined;
  }
  if (inputShape.length === 2) return { height: a, width: b, channels: 1, channelsLast: true };
  if (inputShape.length !== 3) return undefined;
  if (isChannels(c)) return { height: a, width: b, channels: c, channelsLast: true };
  if (isChannels(a)) return { height: b, width: c, channels: a, channelsLast: false };
  return undefined;
}

/** The sample shape an image of `height` × `width` takes in a model input of geometry `g`: (H·W), (H, W), (H, W, C) or (C, H, W). */
export function imageShape(g: ImageGeometry, rank: number, height: number, width: number): number[] {
  if (rank === 1) return [height * width];
  if (rank === 2) return [height, width];
  return g.channelsLast ? [height, width, g.channels] : [g.channels, height, width];
}

/** Where one sample's values live: channel c of pixel (y, x) is at (y·width + x)·pixelStride + c·channelStride. */
export interface PixelLayout {
  height: number;
  width: number;
  channels: number;
  pixelStride: number;
  channelStride: number;
}

/**
 * The pixels of one sample of shape `sampleShape`: (F) is one row of F pixels (or rows of
 * `rowWidth`), (H, W) one channel, (H, W, C) or (C, H, W) by `channelsLast`. `what` names the
 * tensor in the error for any other rank.
 */
export function pixelLayout(sampleShape: readonly number[], channelsLast: boolean, what: string, rowWidth?: number): PixelLayout {
  const [a, b, c] = sampleShape;
  if (rowWidth !== undefined && sampleShape.length !== 1) {
    throw new LrpKerasError(`${what}: width applies to (N, F) relevance only, got samples of shape ${formatShape(sampleShape)}`);
  }
  switch (sampleShape.length) {
    case 1: {
      const width = rowWidth ?? a;
      if (!Number.isInteger(width) || width < 1 || a % width !== 0) {
        throw new LrpKerasError(`${what}: width ${width} must be a positive integer dividing the ${a} features`);
      }
      return { height: a / width, width, channels: 1, pixelStride: 1, channelStride: 1 };
    }
    case 2:
      return { height: a, width: b, channels: 1, pixelStride: 1, channelStride: 1 };
    case 3:
      return channelsLast
        ? { height: a, width: b, channels: c, pixelStride: c, channelStride: 1 }
        : { height: b, width: c, channels: a, pixelStride: 1, channelStride: b * c };
    default:
      throw new LrpKerasError(
        `${what}: samples of shape ${formatShape(sampleShape)} have no image layout; expected (F), (H, W), (H, W, C) or (C, H, W)`,
      );
  }
}

/** The shape one sample is drawn in: its image's (a flattened square image unflattened), or its own (a strip for vectors). */
export function drawnShape(sampleShape: readonly number[]): number[] {
  const g = imageGeometry(sampleShape);
  if (!g) return [...sampleShape];
  const side = Math.sqrt(sampleShape[0]);
  return sampleShape.length === 1 ? imageShape(g, 3, side, side) : [...sampleShape];
}
