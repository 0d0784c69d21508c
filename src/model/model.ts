import { fail } from '../errors.js';
import { kernelBackend } from '../kernels/backend.js';
import { formatShape, sizeOf, toTensor, type Tensor, type TensorLike } from '../tensor.js';
import { chunkRows, concatRows, rowsOf } from './batching.js';
import type { LayerInfo } from './build.js';
import type { BatchNormMerge } from './canonize.js';
import { inputShapes, nodeOf, tensorShape, type Graph } from './graph.js';
import { finalSoftmaxKernel, forwardAll } from './ops.js';
import { formatSummary } from './summary.js';

export interface ModelLayer extends LayerInfo {
  /** The rule each composite gives this layer, by composite id (filled in by the LRP module). */
  rules: Record<string, string>;
}

/** A model's input: one tensor, or for several inputs an array in `inputNames` order or an object by input name. */
export type ModelInput = TensorLike | readonly TensorLike[] | Readonly<Record<string, TensorLike>>;

export interface Model {
  readonly name: string;
  readonly kerasVersion: string | undefined;
  /** Keras' names of the inputs and outputs, in `input_layers` / `output_layers` order. */
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Shapes without the batch axis, in the model's Keras layout; `null` marks a free dimension. */
  readonly inputShapes: (number | null)[][];
  readonly outputShapes: (number | null)[][];
  /** The first input's and output's shape. */
  readonly inputShape: (number | null)[];
  readonly outputShape: (number | null)[];
  readonly layers: ModelLayer[];
  /** The kernels that run the products here (WebAssembly SIMD or TypeScript), and why TypeScript when it is. */
  readonly backend: { name: string; reason?: string };
  /** Keras' output (what model.predict returns): a Tensor, or an array of them (in `outputNames` order) for several outputs. */
  predict(x: TensorLike): Tensor;
  predict(x: ModelInput): Tensor | Tensor[];
  /** The output with a final softmax removed (identical to predict when there is none). */
  logits(x: TensorLike): Tensor;
  logits(x: ModelInput): Tensor | Tensor[];
  summary(): string;
}

/** One output of a built model: its tensor, and the logits explained for it (before a final softmax). */
export interface OutputInfo {
  tensor: number;
  logitsTensor: number;
  softmaxRemoved: boolean;
}

/** The model lowered for one set of input shapes. */
export interface BuiltModel {
  /** The model as Keras runs it: predictions and gradients. */
  graph: Graph;
  /** The same graph with BatchNorms folded into their Dense/Conv (same tensor ids): LRP rules. */
  lrpGraph: Graph;
  outputs: OutputInfo[];
  batchNormMerges: BatchNormMerge[];
}

/** What the explanation methods need beyond the public surface: the model built for some input shapes, one output chosen. */
export interface ModelInternals extends BuiltModel {
  fileName: string;
  /** The chosen output's tensor, and its logits (the output, or the input of a final softmax). */
  outputTensor: number;
  logitsTensor: number;
  softmaxRemoved: boolean;
  /** The model lowered for these input shapes (free dimensions resolved; cached per shape). */
  at(shapes: number[][]): BuiltModel;
}

interface Internals {
  fileName: string;
  outputNames: string[];
  declared: number[][] | undefined;
  at(shapes: number[][]): BuiltModel;
}

const internals = new WeakMap<Model, Internals>();

/**
 * The model built for input `shapes` (default: its declared shapes, when it has no free dimension),
 * explaining output `output` (a name or index; default the first).
 */
export function modelInternals(model: Model, shapes?: number[][], output: string | number = 0): ModelInternals {
  const found = internals.get(model) ?? fail('expected a Model returned by loadModel');
  const at =
    shapes ?? found.declared ?? fail(`${found.fileName}: the model has free input dimensions; its graph depends on the input's shape`);
  const built = found.at(at);
  const k = typeof output === 'number' ? output : found.outputNames.indexOf(output);
  if (!Number.isInteger(k) || k < 0 || k >= built.outputs.length) {
    fail(
      `option output: ${JSON.stringify(output)} is not an output of the model (outputs: ${found.outputNames.map((name, i) => `${i} '${name}'`).join(', ')})`,
    );
  }
  const { tensor, logitsTensor, softmaxRemoved } = built.outputs[k];
  return { ...built, fileName: found.fileName, at: found.at, outputTensor: tensor, logitsTensor, softmaxRemoved };
}

/** The logits of an output: the input of a final softmax (through identities), else the output itself. */
export function outputInfo(graph: Graph, tensor: number): OutputInfo {
  let t = tensor;
  while (nodeOf(graph, t).op.kind === 'identity') t = nodeOf(graph, t).inputs[0];
  const softmaxRemoved = nodeOf(graph, t).op.kind === 'softmax';
  return { tensor, logitsTensor: softmaxRemoved ? nodeOf(graph, t).inputs[0] : tensor, softmaxRemoved };
}

/** A checked, packed model input: one array per model input, the batch size and each input's full shape. */
export interface PackedInput {
  data: Float32Array[];
  n: number;
  shapes: number[][];
}

/** The model's inputs from any accepted form, each checked against its declared shape; names both shapes on a mismatch. */
export function packInput(model: Model, x: ModelInput, what = 'input'): PackedInput {
  const names = model.inputNames;
  let given: TensorLike[];
  if (names.length === 1) given = [x as TensorLike];
  else if (Array.isArray(x)) {
    if (x.length !== names.length) fail(`${what}: the model has ${names.length} inputs (${names.join(', ')}), got an array of ${x.length}`);
    given = x as TensorLike[];
  } else if (x !== null && typeof x === 'object' && !('shape' in x)) {
    const byName = x as Readonly<Record<string, TensorLike>>;
    for (const key of Object.keys(byName))
      if (!names.includes(key)) fail(`${what}: '${key}' is not an input of the model (inputs: ${names.join(', ')})`);
    given = names.map((name) => byName[name] ?? fail(`${what}: input '${name}' is missing`));
  } else {
    return fail(
      `${what}: the model has ${names.length} inputs (${names.join(', ')}); pass an array in that order or an object by input name`,
    );
  }
  const tensors = given.map((t, k) =>
    checkOne(
      toTensor(t, names.length > 1 ? `${what} '${names[k]}'` : what),
      model.inputShapes[k],
      names.length > 1 ? `${what} '${names[k]}'` : what,
    ),
  );
  const n = tensors[0].shape[0];
  tensors.forEach((t, k) => {
    if (t.shape[0] !== n) fail(`${what}: input '${names[k]}' has a batch of ${t.shape[0]}, input '${names[0]}' of ${n}`);
  });
  return { data: tensors.map((t) => t.data), n, shapes: tensors.map((t) => t.shape.slice(1)) };
}

function checkOne(t: Tensor, expected: (number | null)[], what: string): Tensor {
  const ok = t.shape.length === expected.length + 1 && expected.every((d, i) => d === null || t.shape[i + 1] === d);
  if (!ok) {
    const hint =
      t.shape.length === expected.length && expected.every((d, i) => d === null || t.shape[i] === d) ? ' (add the batch axis)' : '';
    fail(`${what} has shape ${formatShape(t.shape)}, the model expects ${formatShape([null, ...expected])}${hint}`);
  }
  if (t.shape[0] === 0) fail(`${what} is an empty batch (shape ${formatShape(t.shape)})`);
  const size = sizeOf(t.shape.slice(1));
  if (size === 0) fail(`${what} has an empty dimension (shape ${formatShape(t.shape)})`);
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i]))
      fail(`${what} has a non-finite value (${t.data[i]}) in sample ${Math.floor(i / size)} at flat index ${i % size}`);
  }
  return t;
}

/** Check a one-input model's input and pack it (the form the single-input methods use). */
export function checkInput(model: Model, x: TensorLike, what = 'input'): { data: Float32Array; n: number; shape: number[] } {
  const { data, n, shapes } = packInput(model, x, what);
  return { data: data[0], n, shape: [n, ...shapes[0]] };
}

export interface ModelMeta {
  name: string;
  kerasVersion: string | undefined;
  fileName: string;
  inputNames: string[];
  outputNames: string[];
  inputShapes: (number | null)[][];
  outputShapes: (number | null)[][];
}

const shapeKey = (shapes: number[][]): string => shapes.map((s) => s.join('x')).join('|');

/** Built models kept per input shapes for a model with free dimensions (a service sees a few lengths). */
const KEEP_SHAPES = 8;

export function createModel(
  meta: ModelMeta,
  build: (shapes: number[][]) => BuiltModel,
  first: BuiltModel | undefined,
  layers: ModelLayer[],
): Model {
  const cache = new Map<string, BuiltModel>();
  const at = (shapes: number[][]): BuiltModel => {
    const key = shapeKey(shapes);
    let built = cache.get(key);
    if (!built) {
      built = build(shapes);
      const oldest = cache.keys().next();
      if (cache.size >= KEEP_SHAPES && !oldest.done) cache.delete(oldest.value);
      cache.set(key, built);
    }
    return built;
  };
  if (first) cache.set(shapeKey(inputShapes(first.graph)), first);

  /** The logits of every output, chunked by rows, with the built model that computed them. */
  const run = (x: ModelInput, what: string): { outs: Tensor[]; built: BuiltModel } => {
    const { data, n, shapes } = packInput(model, x, what);
    const built = at(shapes);
    const rows = chunkRows(built.graph, undefined);
    const outs = built.outputs.map(({ logitsTensor: tensor }) => {
      const parts: Tensor[] = [];
      for (let from = 0; from < n; from += rows) {
        const to = Math.min(n, from + rows);
        const values = forwardAll(
          built.graph,
          data.map((d) => rowsOf(d, n, from, to)),
          to - from,
        );
        parts.push({ shape: [to - from, ...tensorShape(built.graph, tensor)], data: values[tensor] });
      }
      const result = parts.length === 1 ? parts[0] : concatRows(parts);
      // Never hand back the caller's own array (an output that is an input, or an identity of one).
      return data.includes(result.data) ? { shape: result.shape, data: result.data.slice() } : result;
    });
    return { outs, built };
  };
  const single = (outs: Tensor[]): Tensor | Tensor[] => (outs.length === 1 ? outs[0] : outs);

  const model = {
    ...meta,
    inputShape: meta.inputShapes[0],
    outputShape: meta.outputShapes[0],
    layers,
    get backend() {
      return kernelBackend();
    },
    logits: (x: ModelInput) => single(run(x, 'logits: input').outs),
    predict(x: ModelInput) {
      const { outs, built } = run(x, 'predict: input');
      return single(
        outs.map((t, k) => {
          if (!built.outputs[k].softmaxRemoved) return t;
          const y = new Float32Array(t.data.length);
          finalSoftmaxKernel(built.graph, built.outputs[k].tensor)(t.data, y, y.length, t.shape[t.shape.length - 1]);
          return { shape: t.shape, data: y };
        }),
      );
    },
    summary: () =>
      formatSummary(
        meta.name,
        layers,
        meta.inputNames.map((name, k) => ({ name, shape: meta.inputShapes[k] })),
        meta.outputNames.map((name, k) => ({ name, shape: meta.outputShapes[k] })),
      ),
  } as Model;
  // A model without free dimensions comes built for its declared shapes.
  const declared = first && inputShapes(first.graph);
  internals.set(model, { fileName: meta.fileName, outputNames: meta.outputNames, declared, at });
  return model;
}
