// Small functional models written in Keras 2's config layout, with seeded or given weights, and the
// numeric checks the layer tests share (finite differences, relative errors).
import { analyze, type AnalyzeOptions } from '../src/analyze/index.js';
import { uniformGenerator as prng } from '../src/attribution/random.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import type { Tensor } from '../src/tensor.js';

export interface LayerDef {
  cls: string;
  name: string;
  inbound: string[];
  config?: Record<string, unknown>;
  /** Each weight: a shape (filled with seeded U(−0.5, 0.5)) or given values. */
  weights?: (number[] | { shape: number[]; data: ArrayLike<number> })[];
}

const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** A functional model: `inputs` (name, shape without batch), `layers` in order, the named outputs. */
export function functionalModel(
  inputs: [string, number[]][],
  layers: LayerDef[],
  outputs: string[],
  seed = 1,
  kerasVersion = '2.15.0',
): Model {
  const rand = prng(seed);
  const groups = new Map<string, WeightTensor[]>();
  for (const l of layers) {
    groups.set(
      l.name,
      (l.weights ?? []).map((w, k) => {
        const shape = Array.isArray(w) ? w : w.shape;
        const data = Array.isArray(w) ? Float32Array.from({ length: prod(shape) }, () => rand() - 0.5) : Float32Array.from(w.data);
        return { name: `${l.name}/w${k}:0`, shape, data };
      }),
    );
  }
  const inputLayers = inputs.map(([name, shape]) => ({
    class_name: 'InputLayer',
    name,
    config: { name, batch_input_shape: [null, ...shape] },
    inbound_nodes: [],
  }));
  const rest = layers.map((l) => ({
    class_name: l.cls,
    name: l.name,
    config: { name: l.name, ...l.config },
    inbound_nodes: [l.inbound.map((from) => [from, 0, 0, {}])],
  }));
  return modelFromArchive(
    {
      fileName: 'layers.h5',
      config: {
        class_name: 'Functional',
        config: {
          name: 'm',
          layers: [...inputLayers, ...rest],
          input_layers: inputs.map(([name]) => [name, 0, 0]),
          output_layers: outputs.map((name) => [name, 0, 0]),
        },
      },
      kerasVersion,
      backend: 'tensorflow',
      groups,
    },
    {},
  );
}

/** One layer reading one input: the quickest way to check a layer's forward pass. */
export const singleLayer = (shape: number[], def: Omit<LayerDef, 'inbound' | 'name'>, kerasVersion?: string): Model =>
  functionalModel([['x', shape]], [{ ...def, name: 'layer', inbound: ['x'] }], ['layer'], 1, kerasVersion);

export const uniform = (shape: number[], seed: number, low = 0, high = 1): Tensor => {
  const rand = prng(seed);
  return { shape, data: Float32Array.from({ length: prod(shape) }, () => low + (high - low) * rand()) };
};

/** max|a − b| / max|b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? err / scale : err;
}

const logitOf = (model: Model, x: Tensor, target: number): number => (model.logits(x) as Tensor).data[target];

/** ∂logit[target]/∂x of one sample by central differences of the float32 forward pass. */
export function finiteDifferences(model: Model, x: Tensor, target: number, h = 1e-2): Float64Array {
  const g = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const plus = { shape: x.shape, data: x.data.slice() };
    const minus = { shape: x.shape, data: x.data.slice() };
    plus.data[i] += h;
    minus.data[i] -= h;
    g[i] = (logitOf(model, plus, target) - logitOf(model, minus, target)) / (plus.data[i] - minus.data[i]);
  }
  return g;
}

/** The explanation of a one-input model as a tensor. */
export const explain = (model: Model, x: Tensor, options: AnalyzeOptions): Tensor => analyze(model, x, options) as Tensor;

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
