import { permuteMap, resampleMap } from '../../kernels/gather.js';
import { bilinearTaps } from '../../kernels/interpolate.js';
import { formatShape, sizeOf } from '../../tensor.js';
import {
  dataFormat,
  field,
  intField,
  layerFail,
  requireRank,
  stringField,
  tupleField,
  type LayerBuilder,
  type LayerContext,
} from './context.js';
import { channelsLast } from './layout.js';

/**
 * Flatten keeps memory order, except `data_format='channels_first'` (Keras ≥ 2.1.6), which moves
 * the channels last first. Keras 1 and older Flatten have no data_format and never permute.
 */
export const flattenLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const permute = field(ctx, ['data_format']) === 'channels_first' && shape.length > 1;
  const flat = [sizeOf(shape)];
  if (!permute) return ctx.emit({ kind: 'identity' }, flat);
  const perm = [...Array.from({ length: shape.length - 1 }, (_, i) => i + 1), 0];
  return ctx.emit({ kind: 'gather', map: permuteMap(shape, perm) }, flat);
};

export const reshapeLayer: LayerBuilder = (ctx) => {
  const target = field(ctx, ['target_shape', 'dims']);
  const size = sizeOf(ctx.inShapes[0]);
  if (
    !Array.isArray(target) ||
    !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1)) ||
    target.filter((d) => d === -1).length > 1
  ) {
    return layerFail(ctx, `target_shape must be positive integers with at most one -1, got ${JSON.stringify(target)}`);
  }
  const known = sizeOf(target.filter((d) => d !== -1));
  const shape = target.map((d) => (d === -1 ? size / known : d));
  if (sizeOf(shape) !== size || !shape.every(Number.isInteger)) {
    layerFail(ctx, `cannot reshape ${formatShape(ctx.inShapes[0])} (${size} values) to ${formatShape(target)}`);
  }
  return ctx.emit({ kind: 'identity' }, shape);
};

export const permuteLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const dims = field(ctx, ['dims']);
  if (!Array.isArray(dims) || dims.length !== shape.length || [...dims].sort((a, b) => a - b).some((d, i) => d !== i + 1)) {
    return layerFail(ctx, `dims must be a permutation of 1..${shape.length}, got ${JSON.stringify(dims)}`);
  }
  const perm = (dims as number[]).map((d) => d - 1);
  return ctx.emit(
    { kind: 'gather', map: permuteMap(shape, perm) },
    perm.map((p) => shape[p]),
  );
};

/** (before, after) amounts per spatial axis from Keras' int / pair / pair-of-pairs forms. */
function amounts(ctx: LayerContext, keys: string[], dims: number, fallback: number): [number[], number[]] {
  const value = field(ctx, keys) ?? fallback;
  const valid = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 1 << 20;
  const pairs: unknown[] =
    typeof value === 'number'
      ? new Array(dims).fill([value, value])
      : Array.isArray(value) && value.length === 2 && dims === 1
        ? [value]
        : Array.isArray(value) && value.length === dims
          ? value.map((v) => (typeof v === 'number' ? [v, v] : v))
          : [];
  if (pairs.length !== dims || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every(valid))) {
    return layerFail(ctx, `${keys[0]} must be an integer, ${dims} integers or ${dims} pairs of integers ≥ 0, got ${JSON.stringify(value)}`);
  }
  return [pairs.map((p) => (p as number[])[0]), pairs.map((p) => (p as number[])[1])];
}

/** Padding, cropping and nearest up-sampling all move cells around: one gather each. */
const resample =
  (dims: 1 | 2, kind: 'pad' | 'crop' | 'upsample'): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const first = dims === 2 && dataFormat(ctx) === 'channels_first';
    const { input, shape, restore } = channelsLast(ctx, first);
    let before = new Array<number>(dims).fill(0);
    let after = new Array<number>(dims).fill(0);
    let repeat = new Array<number>(dims).fill(1);
    if (kind === 'upsample') {
      const interpolation = dims === 2 ? stringField(ctx, ['interpolation'], ['nearest', 'bilinear'], 'nearest') : 'nearest';
      repeat = tupleField(ctx, dims === 1 ? ['size', 'length'] : ['size'], dims, 2);
      if (interpolation === 'bilinear') {
        const [H, W, C] = shape;
        const taps = bilinearTaps(W, C, { top: 0, left: 0, height: H, width: W }, H * repeat[0], W * repeat[1]);
        return restore(ctx.emit({ kind: 'interpolate', taps }, [H * repeat[0], W * repeat[1], C], [input]));
      }
    } else {
      [before, after] = amounts(ctx, [kind === 'pad' ? 'padding' : 'cropping'], dims, kind === 'pad' ? 1 : 0);
      if (kind === 'crop') {
        if (before.some((b, d) => b + after[d] >= shape[d]))
          layerFail(ctx, `cropping ${JSON.stringify(field(ctx, ['cropping']))} leaves nothing of ${formatShape(ctx.inShapes[0])}`);
        before = before.map((b) => -b);
        after = after.map((a) => -a);
      }
    }
    const { map, outShape } = resampleMap(shape, before, after, repeat);
    return restore(ctx.emit({ kind: 'gather', map }, outShape, [input]));
  };

export const zeroPadding1dLayer = resample(1, 'pad');
export const zeroPadding2dLayer = resample(2, 'pad');
export const cropping1dLayer = resample(1, 'crop');
export const cropping2dLayer = resample(2, 'crop');
export const upSampling1dLayer = resample(1, 'upsample');
export const upSampling2dLayer = resample(2, 'upsample');

/** RepeatVector(n): (features) → (n, features), n copies of the vector. */
export const repeatVectorLayer: LayerBuilder = (ctx) => {
  const [F] = requireRank(ctx, 1, '(features)');
  const n = intField(ctx, ['n']);
  return ctx.emit({ kind: 'gather', map: Int32Array.from({ length: n * F }, (_, i) => i % F) }, [n, F]);
};
