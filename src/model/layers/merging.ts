import { broadcastMap, broadcastShape, type Combine } from '../../kernels/elementwise.js';
import { formatShape, sizeOf } from '../../tensor.js';
import { field, layerFail, type LayerBuilder, type LayerContext } from './context.js';

function sameShapes(ctx: LayerContext): number[] {
  const [first, ...rest] = ctx.inShapes;
  if (ctx.inShapes.length < 2) layerFail(ctx, `needs at least two inputs, got ${ctx.inShapes.length}`);
  for (const s of rest) {
    if (s.length !== first.length || s.some((d, i) => d !== first[i])) {
      layerFail(ctx, `inputs must have one shape, got ${ctx.inShapes.map(formatShape).join(' and ')}`);
    }
  }
  return first;
}

export const addLayer: LayerBuilder = (ctx) => ctx.emit({ kind: 'add' }, sameShapes(ctx), ctx.inputs);
export const averageLayer: LayerBuilder = (ctx) => ctx.emit({ kind: 'average' }, sameShapes(ctx), ctx.inputs);

export const concatenateLayer: LayerBuilder = (ctx) => {
  const shapes = ctx.inShapes;
  if (shapes.length < 2) layerFail(ctx, `needs at least two inputs, got ${shapes.length}`);
  const rank = shapes[0].length + 1;
  const axis = field(ctx, ['axis', 'concat_axis']) ?? -1;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis === 0 || axis <= -rank || axis >= rank) {
    return layerFail(ctx, `axis ${JSON.stringify(axis)} is not a non-batch axis of rank-${rank} inputs`);
  }
  const d = (axis < 0 ? rank + axis : axis) - 1;
  for (const s of shapes) {
    if (s.length !== rank - 1 || s.some((v, i) => i !== d && v !== shapes[0][i])) {
      layerFail(ctx, `inputs ${shapes.map(formatShape).join(' and ')} differ outside axis ${axis}`);
    }
  }
  const outer = sizeOf(shapes[0].slice(0, d));
  const blocks = shapes.map((s) => sizeOf(s.slice(d)));
  const outShape = shapes[0].slice();
  outShape[d] = shapes.reduce((sum, s) => sum + s[d], 0);
  return ctx.emit({ kind: 'concat', outer, blocks }, outShape, ctx.inputs);
};

/** Keras 1 `Merge(mode=…)` in a functional model. */
export const mergeLayer: LayerBuilder = (ctx) => {
  const mode = field(ctx, ['mode']);
  if (mode === 'sum') return addLayer(ctx);
  if (mode === 'ave') return averageLayer(ctx);
  if (mode === 'concat') return concatenateLayer(ctx);
  if (mode === 'mul') return multiplyLayer(ctx);
  if (mode === 'max') return maximumLayer(ctx);
  return layerFail(ctx, `Merge mode ${JSON.stringify(mode)} is not supported (only sum, ave, concat, mul, max)`);
};

/** Subtract, Multiply, Maximum, Minimum: element-wise over inputs broadcast as Keras does (aligned on their last axes). */
const combine =
  (kind: Combine): LayerBuilder =>
  (ctx) => {
    const shapes = ctx.inShapes;
    if (kind === 'subtract' ? shapes.length !== 2 : shapes.length < 2) {
      layerFail(ctx, `needs ${kind === 'subtract' ? 'exactly two inputs' : 'at least two inputs'}, got ${shapes.length}`);
    }
    const outShape =
      broadcastShape(shapes) ?? layerFail(ctx, `inputs ${shapes.map(formatShape).join(' and ')} do not broadcast to one shape`);
    return ctx.emit({ kind, maps: shapes.map((s) => broadcastMap(s, outShape)) }, outShape, ctx.inputs);
  };

export const subtractLayer = combine('subtract');
export const multiplyLayer = combine('multiply');
export const maximumLayer = combine('maximum');
export const minimumLayer = combine('minimum');
