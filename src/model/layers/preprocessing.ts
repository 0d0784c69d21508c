import { broadcastMap } from '../../kernels/elementwise.js';
import { resampleMap } from '../../kernels/gather.js';
import { bilinearTaps, nearestMap, type ResizeWindow } from '../../kernels/interpolate.js';
import { formatShape, sizeOf } from '../../tensor.js';
import {
  boolField,
  dataFormat,
  field,
  intField,
  layerFail,
  requireRank,
  stringField,
  type LayerBuilder,
  type LayerContext,
} from './context.js';
import { channelsLast } from './layout.js';
import { axisGroups, sampleAxes } from './normalization.js';

/** A number or nested list of numbers from the config (Keras 3 writes arrays as {class_name: '__numpy__', config: {value}}), as a shape and its values. */
function constantOf(ctx: LayerContext, key: string, given: unknown): { shape: number[]; data: Float32Array } {
  const wrapped =
    typeof given === 'object' && given !== null && !Array.isArray(given)
      ? (given as { config?: { value?: unknown } }).config?.value
      : undefined;
  const value = wrapped ?? given;
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = Float32Array.from((Array.isArray(value) ? value.flat(shape.length) : [value]) as unknown[], (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      return layerFail(ctx, `${key} must be a finite number or a list of them, got ${JSON.stringify(value)}`);
    return v;
  });
  if (data.length !== sizeOf(shape)) layerFail(ctx, `${key} is a ragged list: ${JSON.stringify(value)}`);
  return { shape, data };
}

/** Per-cell values of a constant broadcast (aligned on the last axes) over a sample of `shape`. */
function perCell(ctx: LayerContext, key: string, c: { shape: number[]; data: Float32Array }, shape: number[]): Float32Array {
  const ok = c.shape.length <= shape.length && c.shape.every((d, k) => d === 1 || d === shape[shape.length - c.shape.length + k]);
  if (!ok) layerFail(ctx, `${key} of shape ${formatShape(c.shape)} does not broadcast to the input ${formatShape(shape)}`);
  const map = broadcastMap(c.shape, shape) ?? Int32Array.from({ length: sizeOf(shape) }, (_, i) => i);
  return Float32Array.from(map, (i) => c.data[i]);
}

/** x·scale + shift per cell, as an affine node (one "channel" per cell unless both are scalars). */
function emitPerCell(ctx: LayerContext, shape: number[], scale: Float32Array, shift: Float32Array): number {
  const uniform = scale.every((v) => v === scale[0]) && shift.every((v) => v === shift[0]);
  return uniform
    ? ctx.emit({ kind: 'affine', scale: scale.subarray(0, 1), shift: shift.subarray(0, 1), channels: 1, inner: 1 }, shape)
    : ctx.emit({ kind: 'affine', scale, shift, channels: scale.length, inner: 1 }, shape);
}

/** Rescaling: x·scale + offset (numbers, or lists broadcast over the last axes). */
export const rescalingLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const scale = perCell(ctx, 'scale', constantOf(ctx, 'scale', field(ctx, ['scale']) ?? 1), shape);
  const offset = perCell(ctx, 'offset', constantOf(ctx, 'offset', field(ctx, ['offset']) ?? 0), shape);
  return emitPerCell(ctx, shape, scale, offset);
};

/** Keras' `epsilon()`, the floor of Normalization's standard deviation. */
const NORMALIZATION_FLOOR = 1e-7;

/**
 * Normalization: (x − mean) / max(√var, 1e-7), or with `invert` mean + x·max(√var, 1e-7). Mean and
 * variance come from the adapted weights (mean, variance, count) or from the config, laid out over the
 * kept `axis` (default −1; null keeps none).
 */
export const normalizationLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const keep = field(ctx, ['axis']) === undefined && 'axis' in ctx.spec.config ? [] : sampleAxes(ctx, shape, -1).sort((a, b) => a - b);
  const { param } = axisGroups(shape, keep);
  const keptShape = keep.map((d) => shape[d]);
  let mean: Float32Array;
  let variance: Float32Array;
  if (field(ctx, ['mean']) !== undefined) {
    // Given in the config: aligned with the kept axes from the right, then broadcast.
    const m = constantOf(ctx, 'mean', field(ctx, ['mean']));
    const v = constantOf(ctx, 'variance', field(ctx, ['variance']) ?? layerFail(ctx, 'has a mean but no variance'));
    mean = perCell(ctx, 'mean', m, keptShape);
    variance = perCell(ctx, 'variance', v, keptShape);
  } else {
    // Keras stores mean, variance and an integer count, in that order.
    const stored = ctx.weights.slice(0, 2);
    if (stored.length !== 2 || ctx.weights.length > 3 || stored.some((w) => w.data.length !== sizeOf(keptShape))) {
      return layerFail(
        ctx,
        `expected the adapted mean and variance (${sizeOf(keptShape)} values each), the file has ${ctx.weights.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ') || 'no weights'}`,
      );
    }
    [mean, variance] = stored.map((w) => w.data);
  }
  const invert = boolField(ctx, ['invert'], false);
  const size = sizeOf(shape);
  const scale = new Float32Array(size);
  const shift = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const p = param[i];
    if (!(variance[p] >= 0 && variance[p] < Infinity && Number.isFinite(mean[p])))
      layerFail(ctx, `mean[${p}] = ${mean[p]}, variance[${p}] = ${variance[p]} are not finite moments`);
    const sd = Math.max(Math.sqrt(variance[p]), NORMALIZATION_FLOOR);
    scale[i] = invert ? sd : 1 / sd;
    shift[i] = invert ? mean[p] : -mean[p] / sd;
  }
  return emitPerCell(ctx, shape, scale, shift);
};

/** The centred window of (H, W) with the target's aspect ratio (Keras' `crop_to_aspect_ratio`, smart_resize). */
function aspectWindow(H: number, W: number, height: number, width: number): ResizeWindow {
  const h = Math.max(Math.min(H, Math.trunc((W * height) / width)), 1);
  const w = Math.max(Math.min(W, Math.trunc((H * width) / height)), 1);
  return { top: Math.trunc((H - h) / 2), left: Math.trunc((W - w) / 2), height: h, width: w };
}

/** A window of (H, W, C) resized to (height, width): a gather when nothing is interpolated. */
function emitResize(
  ctx: LayerContext,
  input: number,
  shape: number[],
  win: ResizeWindow,
  height: number,
  width: number,
  interpolation: 'bilinear' | 'nearest',
): number {
  const [H, W, C] = shape;
  const outShape = [height, width, C];
  if (win.height === height && win.width === width) {
    const { map } = resampleMap(shape, [-win.top, -win.left], [win.top + height - H, win.left + width - W], [1, 1]);
    return ctx.emit({ kind: 'gather', map }, outShape, [input]);
  }
  if (interpolation === 'nearest') return ctx.emit({ kind: 'gather', map: nearestMap(W, C, win, height, width) }, outShape, [input]);
  return ctx.emit({ kind: 'interpolate', taps: bilinearTaps(W, C, win, height, width) }, outShape, [input]);
}

const targetSize = (ctx: LayerContext): [number, number] => [intField(ctx, ['height']), intField(ctx, ['width'])];

/** Resizing (TensorFlow's half-pixel bilinear or nearest resize, optionally cropped to the target's aspect ratio first). */
export const resizingLayer: LayerBuilder = (ctx) => {
  requireRank(ctx, 3, '(rows, cols, channels)');
  const { input, shape, restore } = channelsLast(ctx, dataFormat(ctx) === 'channels_first');
  const [height, width] = targetSize(ctx);
  const interpolation = stringField(ctx, ['interpolation'], ['bilinear', 'nearest'], 'bilinear');
  if (boolField(ctx, ['pad_to_aspect_ratio'], false)) layerFail(ctx, 'pad_to_aspect_ratio=True is not supported');
  const [H, W] = shape;
  const win = boolField(ctx, ['crop_to_aspect_ratio'], false)
    ? aspectWindow(H, W, height, width)
    : { top: 0, left: 0, height: H, width: W };
  return restore(emitResize(ctx, input, shape, win, height, width, interpolation));
};

/** CenterCrop: the centred (height, width) window; an input smaller than that is resized as Keras 3 does (smart_resize). */
export const centerCropLayer: LayerBuilder = (ctx) => {
  requireRank(ctx, 3, '(rows, cols, channels)');
  const { input, shape, restore } = channelsLast(ctx, dataFormat(ctx) === 'channels_first');
  const [height, width] = targetSize(ctx);
  const [H, W] = shape;
  const win =
    H >= height && W >= width
      ? { top: Math.trunc((H - height) / 2), left: Math.trunc((W - width) / 2), height, width }
      : aspectWindow(H, W, height, width);
  return restore(emitResize(ctx, input, shape, win, height, width, 'bilinear'));
};
