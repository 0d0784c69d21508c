import type { LayerNormSpec } from '../../kernels/layer-norm.js';
import { sizeOf } from '../../tensor.js';
import { boolField, field, layerFail, numberField, takeWeights, type LayerBuilder, type LayerContext } from './context.js';

/** Keras' `axis` (an int or a list, counted with the batch axis, negatives from the end) as sample axes. */
export function sampleAxes(ctx: LayerContext, shape: number[], fallback: number): number[] {
  const value = field(ctx, ['axis']) ?? fallback;
  const list = Array.isArray(value) ? value : [value];
  const rank = shape.length + 1;
  const axes = list.map((a) => {
    if (typeof a !== 'number' || !Number.isInteger(a) || a === 0 || a < -rank + 1 || a >= rank) {
      return layerFail(ctx, `axis ${JSON.stringify(value)} must name non-batch axes of a rank-${rank} input`);
    }
    return (a < 0 ? rank + a : a) - 1;
  });
  if (new Set(axes).size !== axes.length) layerFail(ctx, `axis ${JSON.stringify(value)} names an axis twice`);
  return axes;
}

/**
 * For each cell of a sample of `shape`: its group (its position on the axes not in `axes`) and its
 * index into parameters laid out over `axes` in increasing order.
 */
export function axisGroups(shape: number[], axes: number[]): { group: Int32Array; param: Int32Array; groups: number; count: number } {
  const size = sizeOf(shape);
  const inAxes = shape.map((_, d) => axes.includes(d));
  const group = new Int32Array(size);
  const param = new Int32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let g = 0;
    let p = 0;
    for (let d = 0; d < shape.length; d++) {
      if (inAxes[d]) p = p * shape[d] + index[d];
      else g = g * shape[d] + index[d];
    }
    group[i] = g;
    param[i] = p;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  const count = sizeOf(axes.map((d) => shape[d]));
  return { group, param, groups: size / count, count };
}

/** LayerNormalization: population moments over `axis`, then gamma and beta (or Keras 3's `rms_scaling`). */
export const layerNormalizationLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  if (shape.length < 1) layerFail(ctx, 'expects an input with at least one axis besides the batch');
  const axes = sampleAxes(ctx, shape, -1);
  const rms = boolField(ctx, ['rms_scaling'], false);
  const scaled = rms || boolField(ctx, ['scale'], true);
  const centered = !rms && boolField(ctx, ['center'], true);
  const paramShape = axes.map((d) => shape[d]);
  const stored = takeWeights(ctx, [
    ...(scaled ? [{ name: 'gamma', shape: paramShape }] : []),
    ...(centered ? [{ name: 'beta', shape: paramShape }] : []),
  ]);
  const spec: LayerNormSpec = {
    ...axisGroups(
      shape,
      [...axes].sort((a, b) => a - b),
    ),
    gamma: scaled ? stored[0] : null,
    beta: centered ? stored[scaled ? 1 : 0] : null,
    epsilon: numberField(ctx, ['epsilon'], 1e-3),
    rms,
  };
  if (!(spec.epsilon >= 0)) layerFail(ctx, `epsilon must not be negative, got ${spec.epsilon}`);
  return ctx.emit({ kind: 'layernorm', spec }, shape);
};
