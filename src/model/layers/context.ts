import { LrpKerasError } from '../../errors.js';
import type { WeightTensor } from '../../io/keras-h5.js';
import { formatShape, sizeOf } from '../../tensor.js';
import type { CallSpec, LayerSpec } from '../config.js';
import type { Op } from '../graph.js';

/** What a layer builder sees: its config, its input tensors and shapes, its weights, and a way to emit nodes. */
export interface LayerContext {
  spec: LayerSpec;
  /** This call of the layer (a layer called several times is built once per call). */
  call: CallSpec;
  /** `file: layer 'name' (Class)`, the prefix of every message about this layer. */
  where: string;
  inputs: number[];
  inShapes: number[][];
  weights: WeightTensor[];
  /** `version`: the file's keras_version as written (undefined when it has none). */
  keras: { major: number; version?: string; theano: boolean };
  /** Append a node reading `inputs` (default: the layer's first input); returns its tensor id. */
  emit(op: Op, outShape: number[], inputs?: number[], suffix?: string): number;
  shapeOf(tensor: number): number[];
  /** Tensors this call passes by keyword (Keras 3 `initial_state`, `mask`), by keyword. */
  kwargTensors: Record<string, number[]>;
  /** The mask carried with a tensor (a (T) tensor of 0/1 per sample: Embedding `mask_zero`, Masking, RNN sequences). */
  maskOf(tensor: number): number | undefined;
  setMask(tensor: number, mask: number): void;
}

/** Turns a Keras layer into graph nodes and returns the tensor id of its output (or of each output, in Keras' order). */
export type LayerBuilder = (ctx: LayerContext) => number | number[];

export const layerFail = (ctx: LayerContext, message: string): never => {
  throw new LrpKerasError(`${ctx.where}: ${message}`);
};

/** The first of `keys` present in the config (Keras renamed many fields between versions). */
export function field(ctx: LayerContext, keys: string[]): unknown {
  for (const key of keys) if (ctx.spec.config[key] !== undefined && ctx.spec.config[key] !== null) return ctx.spec.config[key];
  return undefined;
}

const MAX_DIM = 1 << 24;

/** A positive integer field (units, filters, sizes), refusing 0, negatives, NaN and absurd values. */
export function intField(ctx: LayerContext, keys: string[], fallback?: number, min = 1): number {
  const value = field(ctx, keys) ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_DIM) {
    return layerFail(ctx, `${keys[0]} must be an integer from ${min} to ${MAX_DIM}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An n-tuple of integers given as a number or a list (kernel_size, strides, …). */
export function tupleField(ctx: LayerContext, keys: string[], rank: number, fallback?: number | number[], min = 1): number[] {
  let value = field(ctx, keys) ?? fallback;
  if (typeof value === 'number') value = new Array<number>(rank).fill(value);
  if (!Array.isArray(value) || value.length !== rank || !value.every((v) => Number.isInteger(v) && v >= min && v <= MAX_DIM)) {
    return layerFail(ctx, `${keys[0]} must be ${rank} integer(s) from ${min} to ${MAX_DIM}, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

export function stringField<T extends string>(ctx: LayerContext, keys: string[], allowed: readonly T[], fallback: T): T {
  const value = field(ctx, keys) ?? fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    return layerFail(ctx, `${keys[0]} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function numberField(ctx: LayerContext, keys: string[], fallback: number): number {
  const value = field(ctx, keys) ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    return layerFail(ctx, `${keys[0]} must be a finite number, got ${JSON.stringify(value)}`);
  return value;
}

/** A boolean field; 0 and 1 count too (tf.keras 2.14 writes `scale: 1`, and Keras reads it as Python truth). */
export const boolField = (ctx: LayerContext, keys: string[], fallback: boolean): boolean => {
  const value = field(ctx, keys) ?? fallback;
  if (value === 0 || value === 1) return value === 1;
  return typeof value === 'boolean' ? value : layerFail(ctx, `${keys[0]} must be true or false, got ${JSON.stringify(value)}`);
};

/** `channels_last` or `channels_first`, from Keras 2+ `data_format` or Keras 1 `dim_ordering`. */
export function dataFormat(ctx: LayerContext): 'channels_last' | 'channels_first' {
  const value = field(ctx, ['data_format', 'dim_ordering']) ?? 'channels_last';
  if (value === 'channels_last' || value === 'tf' || value === 'default') return 'channels_last';
  if (value === 'channels_first' || value === 'th') return 'channels_first';
  return layerFail(ctx, `data_format must be channels_last or channels_first, got ${JSON.stringify(value)}`);
}

/** v − v is 0 for a finite v and NaN otherwise: one subtraction per value, no call (weights are checked at every load). */
function allFinite(data: Float32Array): boolean {
  let sum = 0;
  for (let k = 0; k < data.length; k++) sum += data[k] - data[k];
  return sum === 0;
}

/**
 * Check the layer's stored weights against what its config implies, by position (as Keras loads
 * them), and return their values; names the weight and both shapes on a mismatch.
 */
export function takeWeights(ctx: LayerContext, expected: { name: string; shape: number[] }[]): Float32Array[] {
  const stored = ctx.weights;
  if (stored.length !== expected.length) {
    layerFail(
      ctx,
      `expected ${expected.length} weight(s) (${expected.map((e) => e.name).join(', ') || 'none'}), the file has ${stored.length}${stored.length ? ` (${stored.map((w) => w.name).join(', ')})` : ''}`,
    );
  }
  return expected.map((e, i) => {
    const w = stored[i];
    if (w.shape.length !== e.shape.length || w.shape.some((d, k) => d !== e.shape[k])) {
      layerFail(ctx, `weight ${e.name} ('${w.name}') has shape ${formatShape(w.shape)}, expected ${formatShape(e.shape)}`);
    }
    if (w.dtype && !w.dtype.startsWith('float')) layerFail(ctx, `weight ${e.name} ('${w.name}') holds ${w.dtype} values, expected floats`);
    if (w.data.length !== sizeOf(e.shape))
      layerFail(ctx, `weight ${e.name} ('${w.name}') holds ${w.data.length} values, expected ${sizeOf(e.shape)}`);
    if (!allFinite(w.data)) {
      const k = w.data.findIndex((v) => !Number.isFinite(v));
      layerFail(ctx, `weight ${e.name} ('${w.name}') has a non-finite value (${w.data[k]}) at index ${k}`);
    }
    return w.data;
  });
}

export function requireRank(ctx: LayerContext, rank: number | number[], what: string): number[] {
  const shape = ctx.inShapes[0];
  const ranks = Array.isArray(rank) ? rank : [rank];
  if (!ranks.includes(shape.length)) {
    layerFail(ctx, `expects ${what} (rank ${ranks.join(' or ')} without batch), got input shape ${formatShape(shape)}`);
  }
  return shape;
}
