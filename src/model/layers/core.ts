import { sizeOf } from '../../tensor.js';
import { emitActivation } from './activation.js';
import { boolField, field, intField, layerFail, numberField, requireRank, takeWeights, type LayerBuilder } from './context.js';

export const denseLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  if (shape.length < 1) layerFail(ctx, 'expects an input with at least one axis besides the batch');
  const inF = shape[shape.length - 1];
  const outF = intField(ctx, ['units', 'output_dim']);
  const useBias = boolField(ctx, ['use_bias', 'bias'], true);
  const [W, b] = takeWeights(ctx, [{ name: 'kernel', shape: [inF, outF] }, ...(useBias ? [{ name: 'bias', shape: [outF] }] : [])]);
  const outShape = [...shape.slice(0, -1), outF];
  const rows = sizeOf(shape.slice(0, -1));
  const z = ctx.emit({ kind: 'dense', W, b: b ?? null, inF, outF, rows }, outShape);
  return emitActivation(ctx, z, ':activation');
};

/** Dropout and noise layers are identities at inference. */
export const identityLayer: LayerBuilder = (ctx) => ctx.emit({ kind: 'identity' }, ctx.inShapes[0]);

export const batchNormalizationLayer: LayerBuilder = (ctx) => {
  const shape = requireRank(ctx, [1, 2, 3, 4], 'a tensor');
  let axis = field(ctx, ['axis']) ?? -1;
  if (Array.isArray(axis) && axis.length === 1) axis = axis[0];
  const rank = shape.length + 1;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis === 0 || axis < -rank + 1 || axis >= rank) {
    return layerFail(ctx, `axis ${JSON.stringify(axis)} is not a single non-batch axis of a rank-${rank} input`);
  }
  const d = (axis < 0 ? rank + axis : axis) - 1;
  const channels = shape[d];
  const inner = sizeOf(shape.slice(d + 1));
  const epsilon = numberField(ctx, ['epsilon'], 1e-3);
  const keras1 = ctx.keras.major === 1;
  const scaled = keras1 || boolField(ctx, ['scale'], true);
  const centered = keras1 || boolField(ctx, ['center'], true);
  // Keras 1 calls the moving variance running_std, but it holds the variance all the same.
  const stored = takeWeights(ctx, [
    ...(scaled ? [{ name: 'gamma', shape: [channels] }] : []),
    ...(centered ? [{ name: 'beta', shape: [channels] }] : []),
    { name: 'moving_mean', shape: [channels] },
    { name: 'moving_variance', shape: [channels] },
  ]);
  const gamma = scaled ? (stored.shift() ?? null) : null;
  const beta = centered ? (stored.shift() ?? null) : null;
  const [mean, variance] = stored;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    if (variance[c] + epsilon <= 0) layerFail(ctx, `moving_variance[${c}] + epsilon is ${variance[c] + epsilon}, not positive`);
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return ctx.emit({ kind: 'affine', scale, shift, channels, inner }, shape);
};
