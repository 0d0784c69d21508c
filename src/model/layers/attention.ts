import type { WeightTensor } from '../../io/keras-h5.js';
import type { AttentionScoresSpec, MaskRole } from '../../kernels/attention.js';
import { formatShape, sizeOf } from '../../tensor.js';
import { boolField, field, intField, layerFail, takeWeights, type LayerBuilder, type LayerContext } from './context.js';

/** MultiHeadAttention's four projections and the names each serialisation gives them (h5, tf.keras `.keras`, Keras 3 `.keras`). */
const PROJECTIONS = {
  query: ['query', '_query_dense', 'query_dense'],
  key: ['key', '_key_dense', 'key_dense'],
  value: ['value', '_value_dense', 'value_dense'],
  output: ['attention_output', '_output_dense', 'output_dense'],
} as const;
type Projection = keyof typeof PROJECTIONS;
const ORDER: Projection[] = ['query', 'key', 'value', 'output'];

/** The projection a stored weight belongs to, from the sublayer named in its path (the last match wins). */
function projectionOf(w: WeightTensor): Projection | undefined {
  const parts = w.name.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const found = ORDER.find((p) => (PROJECTIONS[p] as readonly string[]).includes(parts[i]));
    if (found) return found;
  }
  return undefined;
}

/**
 * The stored weights in Keras' own order (query, key, value, output; kernel then bias). `.keras` files
 * walk a layer's attributes (Keras 3: key_dense, output_dense, query_dense, value_dense), HDF5 files
 * list them by creation: both name the sublayer, which decides; unnamed weights keep their order.
 */
function inKerasOrder(weights: WeightTensor[]): WeightTensor[] {
  const tagged = weights.map((w, i) => ({ w, i, p: projectionOf(w) }));
  if (tagged.some((t) => t.p === undefined)) return weights;
  const isBias = (w: WeightTensor): number => (/bias/.test(w.name.split('/').pop() ?? '') ? 1 : 0);
  const rank = (p: Projection | undefined): number => (p === undefined ? -1 : ORDER.indexOf(p));
  return tagged.sort((a, b) => rank(a.p) - rank(b.p) || isBias(a.w) - isBias(b.w) || a.i - b.i).map((t) => t.w);
}

/** The tensor a call passes positionally at `index` or by keyword `key`. */
function tensorArg(ctx: LayerContext, index: number, key: string): number | undefined {
  return ctx.inputs[index] ?? ctx.kwargTensors[key]?.[0];
}

function outputShape(ctx: LayerContext, queryDim: number): number[] {
  const value = field(ctx, ['output_shape']);
  if (value === undefined) return [queryDim];
  const dims = typeof value === 'number' ? [value] : value;
  if (!Array.isArray(dims) || dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    return layerFail(ctx, `output_shape must be a positive integer or a list of them, got ${JSON.stringify(value)}`);
  }
  return dims as number[];
}

/**
 * MultiHeadAttention over rank-3 inputs with the default attention axes (CONVENTIONS-TRANSFORMERS.md
 * §1): the q, k, v projections as Dense nodes, the masked softmax of the scaled scores, the weighted
 * sum of v per head, and the output projection. Returns the output and, with
 * `return_attention_scores`, the weights (B, H, T, S).
 */
export const multiHeadAttentionLayer: LayerBuilder = (ctx) => {
  const heads = intField(ctx, ['num_heads']);
  const dk = intField(ctx, ['key_dim']);
  const dv = intField(ctx, ['value_dim'], dk);
  const useBias = boolField(ctx, ['use_bias'], true);
  const query = tensorArg(ctx, 0, 'query') ?? layerFail(ctx, 'the call passes no query tensor');
  const value = tensorArg(ctx, 1, 'value') ?? layerFail(ctx, 'the call passes no value tensor');
  const key = tensorArg(ctx, 2, 'key') ?? value;
  const [qShape, kShape, vShape] = [query, key, value].map(ctx.shapeOf);
  for (const [what, shape] of [
    ['query', qShape],
    ['key', kShape],
    ['value', vShape],
  ] as const) {
    if (shape.length !== 2)
      layerFail(ctx, `expects rank-3 inputs (batch, steps, features); ${what} has shape ${formatShape([null, ...shape])}`);
  }
  const axes = field(ctx, ['attention_axes']);
  if (
    axes !== undefined &&
    !(axes === 1 || axes === -2 || (Array.isArray(axes) && axes.length === 1 && (axes[0] === 1 || axes[0] === -2)))
  ) {
    layerFail(ctx, `attention_axes ${JSON.stringify(axes)} is not supported (only the default, the steps axis of rank-3 inputs)`);
  }
  if (kShape[0] !== vShape[0])
    layerFail(ctx, `key and value need the same number of steps, got ${formatShape(kShape)} and ${formatShape(vShape)}`);
  const [T, Dq] = qShape;
  const [S, Dk] = kShape;
  const Dv = vShape[1];
  const out = outputShape(ctx, Dq);
  const Dout = sizeOf(out);
  const kernelShapes: Record<Projection, number[][]> = {
    query: [
      [Dq, heads, dk],
      [heads, dk],
    ],
    key: [
      [Dk, heads, dk],
      [heads, dk],
    ],
    value: [
      [Dv, heads, dv],
      [heads, dv],
    ],
    output: [[heads, dv, ...out], out],
  };
  const expected = ORDER.flatMap((p) =>
    kernelShapes[p].slice(0, useBias ? 2 : 1).map((shape, i) => ({ name: `${p}/${i ? 'bias' : 'kernel'}`, shape })),
  );
  const stored = takeWeights({ ...ctx, weights: inKerasOrder(ctx.weights) }, expected);
  const per = useBias ? 2 : 1;
  const W = (p: Projection): Float32Array => stored[ORDER.indexOf(p) * per];
  const b = (p: Projection): Float32Array | null => (useBias ? stored[ORDER.indexOf(p) * per + 1] : null);

  const q = ctx.emit(
    { kind: 'dense', W: W('query'), b: b('query'), inF: Dq, outF: heads * dk, rows: T },
    [T, heads, dk],
    [query],
    '/query',
  );
  const k = ctx.emit({ kind: 'dense', W: W('key'), b: b('key'), inF: Dk, outF: heads * dk, rows: S }, [S, heads, dk], [key], '/key');
  const v = ctx.emit(
    { kind: 'dense', W: W('value'), b: b('value'), inF: Dv, outF: heads * dv, rows: S },
    [S, heads, dv],
    [value],
    '/value',
  );

  // Masks as Keras combines them: explicit attention_mask, the query's and the key's/value's masks (Keras 3 writes them as kwargs), causal.
  const masks: [number, MaskRole][] = [];
  const pair = ctx.kwargTensors.attention_mask?.[0];
  if (pair !== undefined) {
    const shape = ctx.shapeOf(pair);
    if (shape.length !== 2 || shape[0] !== T || shape[1] !== S)
      layerFail(ctx, `attention_mask has shape ${formatShape([null, ...shape])}, expected ${formatShape([null, T, S])}`);
    masks.push([pair, 'pair']);
  }
  const queryMask = ctx.kwargTensors.query_mask?.[0] ?? ctx.maskOf(query);
  if (queryMask !== undefined) masks.push([queryMask, 'query']);
  for (const id of new Set([ctx.kwargTensors.value_mask?.[0] ?? ctx.maskOf(value), ctx.kwargTensors.key_mask?.[0] ?? ctx.maskOf(key)])) {
    if (id !== undefined) masks.push([id, 'key']);
  }
  for (const [id, role] of masks) {
    const steps = role === 'query' ? T : S;
    if (role !== 'pair' && sizeOf(ctx.shapeOf(id)) !== steps)
      layerFail(ctx, `a ${role} mask of shape ${formatShape([null, ...ctx.shapeOf(id)])} does not match ${steps} steps`);
  }
  const causal = ctx.call.kwargs.use_causal_mask === true;
  const spec: AttentionScoresSpec = {
    heads,
    T,
    S,
    dk,
    scale: Math.fround(1 / Math.sqrt(dk)),
    causal,
    masks: masks.map(([, role]) => role),
    zeroMaskedRows: ctx.keras.major >= 3,
  };
  const scores = ctx.emit({ kind: 'attention-scores', spec }, [heads, T, S], [q, k, ...masks.map(([id]) => id)], '/scores');
  const context = ctx.emit({ kind: 'attention-context', heads, T, S, dv }, [T, heads, dv], [scores, v], '/context');
  const output = ctx.emit({ kind: 'dense', W: W('output'), b: b('output'), inF: heads * dv, outF: Dout, rows: T }, [T, ...out], [context]);
  if (queryMask !== undefined) ctx.setMask(output, queryMask);
  return ctx.call.kwargs.return_attention_scores === true ? [output, scores] : output;
};
