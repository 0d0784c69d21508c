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
  return layerFail(ctx, `Merge mode ${JSON.stringify(mode)} is not supported (only sum, ave, concat)`);
};
