import { boolField, dataFormat, intField, layerFail, numberField, takeWeights, type LayerBuilder } from './context.js';
import { globalAvgPool1dLayer } from './pooling.js';

/**
 * Embedding: integer token ids → rows of the embedding matrix; `mask_zero` makes token 0 padding (a
 * mask carried to the layers that read it). Keras 1 to 3 share the config keys and the one weight.
 */
export const embeddingLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const vocab = intField(ctx, ['input_dim']);
  const dim = intField(ctx, ['output_dim']);
  const [E] = takeWeights(ctx, [{ name: 'embeddings', shape: [vocab, dim] }]);
  const out = ctx.emit({ kind: 'embedding', E, vocab, dim }, [...shape, dim]);
  if (boolField(ctx, ['mask_zero'], false)) {
    ctx.setMask(out, ctx.emit({ kind: 'mask', value: 0, features: 1 }, shape, [ctx.inputs[0]], ':mask'));
  }
  return out;
};

/** Masking: a time step whose features all equal `mask_value` is masked, and its output zeroed. */
export const maskingLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  if (shape.length < 2) layerFail(ctx, 'expects a sequence (time steps, features)');
  const features = shape.slice(1).reduce((a, b) => a * b, 1);
  const mask = ctx.emit({ kind: 'mask', value: numberField(ctx, ['mask_value'], 0), features }, [shape[0]], [ctx.inputs[0]], ':mask');
  const out = ctx.emit({ kind: 'apply-mask', features }, shape, [ctx.inputs[0], mask]);
  ctx.setMask(out, mask);
  return out;
};

/**
 * GlobalAveragePooling1D averages only the unmasked steps of a masked sequence (channels_last): the
 * mask carried with the input, or the one Keras 3 passes as the `mask` keyword (a `NotEqual` node).
 */
export const globalAvgPool1dMasked: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const given = ctx.kwargTensors.mask?.[0];
  const mask = ctx.maskOf(ctx.inputs[0]) ?? (given !== undefined && ctx.shapeOf(given).join() === String(shape[0]) ? given : undefined);
  if (mask === undefined || shape.length !== 2 || dataFormat(ctx) !== 'channels_last') return globalAvgPool1dLayer(ctx);
  const keep = boolField(ctx, ['keepdims'], false);
  return ctx.emit({ kind: 'masked-mean', steps: shape[0], channels: shape[1] }, keep ? [1, shape[1]] : [shape[1]], [ctx.inputs[0], mask]);
};
