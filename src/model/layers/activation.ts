import { eluActivation, leakyRelu, namedActivation, reluLayer } from '../../kernels/activations.js';
import { broadcastMap } from '../../kernels/elementwise.js';
import { field, layerFail, numberField, takeWeights, type LayerBuilder, type LayerContext } from './context.js';

/** Emit the node of a fused `activation=...` (or an Activation layer) after tensor `input`. */
export function emitActivation(ctx: LayerContext, input: number, suffix?: string): number {
  let name = field(ctx, ['activation']) ?? 'linear';
  // Keras 3 may serialise a built-in activation as {module, class_name, config} or by a registered name.
  if (typeof name === 'object' && name !== null && 'config' in name) name = (name as { config: { name?: unknown } }).config?.name ?? name;
  if (typeof name !== 'string') return layerFail(ctx, `activation ${JSON.stringify(name)} is not supported`);
  name = name.replace(/^keras\.activations\./, '');
  if (name === 'linear') return input;
  const shape = ctx.shapeOf(input);
  if (name === 'softmax') return ctx.emit({ kind: 'softmax', axis: shape.length }, shape, [input], suffix);
  if (name === 'log_softmax') return ctx.emit({ kind: 'softmax', axis: shape.length, log: true }, shape, [input], suffix);
  const act = namedActivation(name as string, ctx.keras.major >= 3);
  if (!act) return layerFail(ctx, `activation '${name}' is not supported`);
  return ctx.emit({ kind: 'activation', act }, shape, [input], suffix);
}

export const activationLayer: LayerBuilder = (ctx) => emitActivation(ctx, ctx.inputs[0]);

export const reluLayerBuilder: LayerBuilder = (ctx) => {
  const max = field(ctx, ['max_value']);
  const act = reluLayer(
    max === undefined ? Infinity : numberField(ctx, ['max_value'], 0),
    numberField(ctx, ['negative_slope'], 0),
    numberField(ctx, ['threshold'], 0),
  );
  return ctx.emit({ kind: 'activation', act }, ctx.inShapes[0]);
};

export const leakyReluLayer: LayerBuilder = (ctx) =>
  ctx.emit({ kind: 'activation', act: leakyRelu(numberField(ctx, ['negative_slope', 'alpha'], 0.3)) }, ctx.inShapes[0]);

export const eluLayer: LayerBuilder = (ctx) =>
  ctx.emit({ kind: 'activation', act: eluActivation(numberField(ctx, ['alpha'], 1)) }, ctx.inShapes[0]);

export const thresholdedReluLayer: LayerBuilder = (ctx) =>
  ctx.emit({ kind: 'activation', act: reluLayer(Infinity, 0, numberField(ctx, ['theta'], 1)) }, ctx.inShapes[0]);

export const softmaxLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const axis = field(ctx, ['axis']) ?? -1;
  if (axis !== -1 && axis !== shape.length && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === shape.length))) {
    return layerFail(ctx, `softmax over axis ${JSON.stringify(axis)} is not supported (only the last axis)`);
  }
  return ctx.emit({ kind: 'softmax', axis: shape.length }, shape);
};

/** PReLU: α has the input's shape with the `shared_axes` (counted from 1 after the batch) set to 1. */
export const preluLayer: LayerBuilder = (ctx) => {
  const shape = ctx.inShapes[0];
  const shared = field(ctx, ['shared_axes']) ?? [];
  const axes = typeof shared === 'number' ? [shared] : shared;
  if (!Array.isArray(axes) || !axes.every((a) => Number.isInteger(a) && a >= 1 && a <= shape.length)) {
    return layerFail(ctx, `shared_axes must be axes 1..${shape.length}, got ${JSON.stringify(shared)}`);
  }
  const alphaShape = shape.map((d, k) => (axes.includes(k + 1) ? 1 : d));
  const [alpha] = takeWeights(ctx, [{ name: 'alpha', shape: alphaShape }]);
  const map = broadcastMap(alphaShape, shape);
  return ctx.emit({ kind: 'prelu', alpha: map ? Float32Array.from(map, (i) => alpha[i]) : alpha }, shape);
};
