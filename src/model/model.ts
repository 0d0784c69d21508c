import { chunkRows, concatRows, rowsOf } from './batching.js';
import { LrpKerasError } from '../errors.js';
import { softmaxForward } from '../kernels/softmax.js';
import { formatShape, sizeOf, toTensor, type Tensor, type TensorLike } from '../tensor.js';
import type { LayerInfo } from './build.js';
import type { BatchNormMerge } from './canonize.js';
import type { Graph } from './graph.js';
import { forwardAll } from './ops.js';
import { formatSummary } from './summary.js';

export interface ModelLayer extends LayerInfo {
  /** The rule each composite gives this layer, by composite id (filled in by the LRP module). */
  rules: Record<string, string>;
}

export interface Model {
  readonly name: string;
  readonly kerasVersion: string | undefined;
  /** Input shape without the batch axis, in the model's Keras layout. */
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly layers: ModelLayer[];
  /** Keras' output (what model.predict returns). */
  predict(x: TensorLike): Tensor;
  /** The output with a final softmax removed (identical to predict when there is none). */
  logits(x: TensorLike): Tensor;
  summary(): string;
}

/** What the explanation methods need beyond the public surface. */
export interface ModelInternals {
  /** The model as Keras runs it: predictions and gradients. */
  graph: Graph;
  /** The same graph with BatchNorms folded into their Dense/Conv (same tensor ids): LRP rules. */
  lrpGraph: Graph;
  /** Tensor id of the logits (the output, or the input of a final softmax). */
  logitsTensor: number;
  softmaxRemoved: boolean;
  batchNormMerges: BatchNormMerge[];
  fileName: string;
}

const internals = new WeakMap<Model, ModelInternals>();

export function modelInternals(model: Model): ModelInternals {
  const found = internals.get(model);
  if (!found) throw new LrpKerasError('expected a Model returned by loadModel');
  return found;
}

/** Check an input against the model and pack it; names both shapes on a mismatch. */
export function checkInput(model: Model, x: TensorLike, what = 'input'): { data: Float32Array; n: number; shape: number[] } {
  const t = toTensor(x, what);
  const expected = model.inputShape;
  const ok = t.shape.length === expected.length + 1 && expected.every((d, i) => t.shape[i + 1] === d);
  if (!ok) {
    const hint = t.shape.length === expected.length && expected.every((d, i) => t.shape[i] === d) ? ' (add the batch axis)' : '';
    throw new LrpKerasError(`${what} has shape ${formatShape(t.shape)}, the model expects ${formatShape([null, ...expected])}${hint}`);
  }
  if (t.shape[0] === 0) throw new LrpKerasError(`${what} is an empty batch (shape ${formatShape(t.shape)})`);
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) {
      const size = sizeOf(expected);
      throw new LrpKerasError(`${what} has a non-finite value (${t.data[i]}) in sample ${Math.floor(i / size)} at flat index ${i % size}`);
    }
  }
  return { data: t.data, n: t.shape[0], shape: t.shape };
}

export function createModel(
  meta: { name: string; kerasVersion: string | undefined; fileName: string },
  graph: Graph, lrpGraph: Graph, layers: ModelLayer[], batchNormMerges: BatchNormMerge[],
): Model {
  let logitsTensor = graph.output;
  while (logitsTensor > 0 && graph.nodes[logitsTensor - 1].op.kind === 'identity') logitsTensor = graph.nodes[logitsTensor - 1].inputs[0];
  const softmaxRemoved = logitsTensor > 0 && graph.nodes[logitsTensor - 1].op.kind === 'softmax';
  if (softmaxRemoved) logitsTensor = graph.nodes[logitsTensor - 1].inputs[0];
  else logitsTensor = graph.output;
  const outputShape = graph.output === 0 ? graph.inputShape : graph.nodes[graph.output - 1].outShape;

  const run = (x: TensorLike, tensor: number, what: string): Tensor => {
    const { data, n } = checkInput(model, x, what);
    const shape = tensor === 0 ? graph.inputShape : graph.nodes[tensor - 1].outShape;
    const rows = chunkRows(graph, undefined);
    const parts: Tensor[] = [];
    for (let from = 0; from < n; from += rows) {
      const to = Math.min(n, from + rows);
      const out = forwardAll(graph, rowsOf(data, n, from, to), to - from)[tensor];
      parts.push({ shape: [to - from, ...shape], data: out });
    }
    const result = parts.length === 1 ? parts[0] : concatRows(parts);
    return result.data === data ? { shape: result.shape, data: data.slice() } : result;
  };

  const model: Model = {
    name: meta.name,
    kerasVersion: meta.kerasVersion,
    inputShape: graph.inputShape.slice(),
    outputShape: outputShape.slice(),
    layers,
    logits: (x) => run(x, logitsTensor, 'logits: input'),
    predict(x) {
      const t = run(x, logitsTensor, 'predict: input');
      if (!softmaxRemoved) return t;
      const y = new Float32Array(t.data.length);
      softmaxForward(t.data, y, y.length, t.shape[t.shape.length - 1]);
      return { shape: t.shape, data: y };
    },
    summary: () => formatSummary(model),
  };
  internals.set(model, { graph, lrpGraph, logitsTensor, softmaxRemoved, batchNormMerges, fileName: meta.fileName });
  return model;
}
