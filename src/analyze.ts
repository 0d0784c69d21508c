import { propagateBackward } from './attribution/backward.js';
import { gradientStep } from './attribution/gradient.js';
import { ALIASES, METHODS } from './attribution/methods.js';
import { withExecutor } from './kernels/gemm.js';
import { executorFor, type ThreadPool } from './parallel/threads.js';
import { normalGenerator } from './attribution/random.js';
import { resolveTargets, type Target } from './attribution/targets.js';
import { chunkRows, concatRows, rowsOf } from './batching.js';
import { LrpKerasError } from './errors.js';
import { assignRules, ruleById, type RuleOverride, type RuleParams } from './lrp/composites.js';
import type { Bounds } from './lrp/linear-rule.js';
import { relevanceStep } from './lrp/relevance-step.js';
import type { Rule } from './lrp/rules.js';
import type { Graph } from './model/graph.js';
import { checkInput, modelInternals, type Model, type ModelInternals } from './model/model.js';
import { forwardAll, nodeForward } from './model/ops.js';
import { formatShape, sizeOf, toTensor, type Tensor, type TensorLike } from './tensor.js';

export type { Target } from './attribution/targets.js';
type BoundOption = number | number[] | TensorLike;

export interface AnalyzeOptions {
  method: string;
  target?: Target;
  epsilon?: number;
  gamma?: number;
  alpha?: number;
  beta?: number;
  low?: BoundOption;
  high?: BoundOption;
  /** Per-layer override by Keras layer name or class: a rule id, or `{rule, epsilon?, gamma?, alpha?, beta?}`. */
  layerRules?: Record<string, RuleOverride>;
  /** integrated-gradients: number of steps (default 20) and baseline (default zeros). */
  steps?: number;
  baseline?: number | TensorLike;
  /** smoothgrad: number of noisy samples (default 20), noise σ as a fraction of each sample's value range (default 0.1), seed. */
  samples?: number;
  noise?: number;
  seed?: number;
  /** Also return the relevance at every layer's input and a conservation report. */
  returnLayers?: boolean;
  /** Samples run at once; larger batches run in chunks (default: as many as fit in 256 MiB of activations). */
  batchSize?: number;
  /** Threads for large matrix products: 1 (default), a count (after importing 'lrp-keras/threads') or a pool. Results are identical. */
  threads?: number | ThreadPool;
}

/** One row of the conservation report: relevance summed per sample at a layer's output and input. */
export interface ConservationRow {
  layer: string;
  className: string;
  relevanceOut: number[];
  relevanceIn: number[];
  /** (out − in) / out per sample: what biases and stabilizers absorbed (or injected, when negative). */
  absorbed: number[];
}

export interface Explanation extends Tensor {
  layers?: Record<string, Tensor>;
  conservation?: ConservationRow[];
}

const fail = (message: string): never => {
  throw new LrpKerasError(message);
};

function finiteOption(options: AnalyzeOptions, key: 'epsilon' | 'gamma' | 'alpha' | 'beta', fallback: number, min = 0): number {
  const v = options[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(`option ${key} must be a finite number ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function resolveMethod(method: unknown): { method: string; defaults: { epsilon?: number; alpha?: number; beta?: number } } {
  if (typeof method === 'string' && method in METHODS) return { method, defaults: {} };
  if (typeof method === 'string' && method in ALIASES) return { method: ALIASES[method].method, defaults: ALIASES[method].defaults ?? {} };
  return fail(`option method: unknown method ${JSON.stringify(method)}; valid ids: ${Object.keys(METHODS).join(', ')} (and the innvestigate names ${Object.keys(ALIASES).join(', ')})`);
}

function ruleParams(options: AnalyzeOptions, defaults: { epsilon?: number; alpha?: number; beta?: number }): RuleParams {
  const p = {
    epsilon: finiteOption(options, 'epsilon', defaults.epsilon ?? 1e-6),
    gamma: finiteOption(options, 'gamma', 0.25),
    alpha: finiteOption(options, 'alpha', defaults.alpha ?? 2, 1),
    beta: finiteOption(options, 'beta', defaults.beta ?? 1),
  };
  if (Math.abs(p.alpha - p.beta - 1) > 1e-9) fail(`options alpha and beta must satisfy alpha − beta = 1, got alpha=${p.alpha}, beta=${p.beta}`);
  return p;
}

function overrideRules(options: AnalyzeOptions, p: RuleParams, model: ModelInternals): Record<string, Rule> {
  const out: Record<string, Rule> = Object.create(null);
  const known = new Set(model.lrpGraph.nodes.flatMap((n) => [n.layer, n.className]));
  for (const [key, spec] of Object.entries(options.layerRules ?? {})) {
    if (!known.has(key)) fail(`option layerRules: '${key}' is neither a layer name nor a layer class of the model`);
    const id = typeof spec === 'string' ? spec : spec?.rule;
    const params = typeof spec === 'string' ? p : ruleParams({ method: '', ...p, ...spec }, {});
    const rule = typeof id === 'string' ? ruleById(id, params) : undefined;
    out[key] = rule ?? fail(`option layerRules['${key}']: unknown rule ${JSON.stringify(id)}; valid: lrp-0, epsilon, z-plus, alpha-beta, gamma, flat, w-square, z-box`);
  }
  return out;
}

/**
 * z-box bounds for the layer at node `index`: a scalar, one value per channel (the last axis of the
 * layer input), or a tensor of the model input's shape, carried through the re-indexing nodes
 * (layout transposes, padding) between the model input and that layer.
 */
function boundsFor(graph: Graph, index: number, n: number, low: BoundOption, high: BoundOption): Bounds {
  const node = graph.nodes[index];
  const inId = node.inputs[0];
  const inShape = inId === 0 ? graph.inputShape : graph.nodes[inId - 1].outShape;
  const expand = (v: BoundOption, name: string): Float32Array => {
    const size = sizeOf(inShape);
    const out = new Float32Array(n * size);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(`option ${name} must be finite, got ${v}`);
      return out.fill(v);
    }
    if (Array.isArray(v) && v.every((e) => typeof e === 'number')) {
      const c = inShape[inShape.length - 1];
      if (v.length !== c) fail(`option ${name} has ${v.length} values; layer '${node.layer}' reads ${c} channels`);
      for (let i = 0; i < out.length; i++) out[i] = (v as number[])[i % c];
      return out;
    }
    const t = toTensor(v as TensorLike, `option ${name}`);
    const modelSize = sizeOf(graph.inputShape);
    if (t.data.length !== modelSize && t.data.length !== n * modelSize) {
      fail(`option ${name} has shape ${formatShape(t.shape)}; expected the input shape ${formatShape(graph.inputShape)} (with or without the batch)`);
    }
    let value: Float32Array = new Float32Array(n * modelSize);
    for (let i = 0; i < value.length; i++) value[i] = t.data[i % t.data.length];
    const path: number[] = [];
    for (let id = inId; id !== 0; id = graph.nodes[id - 1].inputs[0]) {
      const kind = graph.nodes[id - 1].op.kind;
      if (kind !== 'gather' && kind !== 'identity') fail(`option ${name}: a tensor bound applies only to a layer that reads the model input, not to '${node.layer}'`);
      path.unshift(id - 1);
    }
    for (const k of path) value = nodeForward(graph, graph.nodes[k], [value], n);
    return value;
  };
  const bounds = { low: expand(low, 'low'), high: expand(high, 'high') };
  for (let i = 0; i < bounds.low.length; i++) {
    if (bounds.low[i] > bounds.high[i]) fail(`options low and high: low (${bounds.low[i]}) > high (${bounds.high[i]}) at flat index ${i}`);
  }
  return bounds;
}

function gradientOf(
  model: ModelInternals, x: Float32Array, n: number, t: number[], mode: 'gradient' | 'guided-backprop' | 'deconvnet',
  values = forwardAll(model.graph, x, n),
): Float32Array {
  const classes = values[model.logitsTensor].length / n;
  const seed = new Float32Array(n * classes);
  t.forEach((c, s) => (seed[s * classes + c] = 1));
  const signals = propagateBackward(model.graph, values, model.logitsTensor, seed, gradientStep(model.graph, n, mode));
  return signals[0] ?? new Float32Array(x.length);
}

/** Explain the model's prediction for every sample of `x` with `options.method`. */
export function analyze(model: Model, x: TensorLike, options: AnalyzeOptions): Explanation {
  if (typeof options !== 'object' || options === null) fail('analyze: options must be an object with a method');
  const { data, n, shape } = checkInput(model, x, `${String(options.method)}: input`);
  const rows = chunkRows(modelInternals(model).graph, options.batchSize);
  return withExecutor(executorFor(options.threads), () => {
    if (n <= rows) return explain(model, { shape, data }, options);
    // Samples are independent: a large batch runs in chunks, each with its rows of every per-sample option.
    const parts: Explanation[] = [];
    for (let from = 0; from < n; from += rows) {
      const to = Math.min(n, from + rows);
      parts.push(explain(model, { shape: [to - from, ...shape.slice(1)], data: rowsOf(data, n, from, to) }, chunkOptions(options, n, from, to)));
    }
    return mergeExplanations(parts);
  });
}

/** The options of rows from..to: per-sample targets, and batch-shaped baselines or bounds, sliced. */
function chunkOptions(options: AnalyzeOptions, n: number, from: number, to: number): AnalyzeOptions {
  const slice = <T>(value: T): T => {
    if (Array.isArray(value) && value.length === n && typeof value[0] !== 'number') return value.slice(from, to) as T;
    if (value && typeof value === 'object' && 'shape' in value && 'data' in value) {
      const t = value as unknown as Tensor;
      if (t.shape[0] === n && t.shape.length > 1) return { shape: [to - from, ...t.shape.slice(1)], data: rowsOf(toTensor(t, 'option').data, n, from, to) } as T;
    }
    return value;
  };
  const target = Array.isArray(options.target) && options.target.length === n ? options.target.slice(from, to) : options.target;
  return { ...options, target, baseline: slice(options.baseline), low: slice(options.low), high: slice(options.high) };
}

function mergeExplanations(parts: Explanation[]): Explanation {
  const out: Explanation = concatRows(parts);
  if (parts[0].layers) {
    out.layers = Object.fromEntries(Object.keys(parts[0].layers).map((k) => [k, concatRows(parts.map((p) => p.layers![k]))]));
    out.conservation = parts[0].conservation!.map((row, i) => ({
      ...row,
      relevanceOut: parts.flatMap((p) => p.conservation![i].relevanceOut),
      relevanceIn: parts.flatMap((p) => p.conservation![i].relevanceIn),
      absorbed: parts.flatMap((p) => p.conservation![i].absorbed),
    }));
  }
  return out;
}

function explain(model: Model, x: TensorLike, options: AnalyzeOptions): Explanation {
  const inner = modelInternals(model);
  const { method, defaults } = resolveMethod(options.method);
  const { data, n, shape } = checkInput(model, x, `${method}: input`);
  const lrpMethod = !['gradient', 'gradient-x-input', 'guided-backprop', 'deconvnet', 'integrated-gradients', 'smoothgrad'].includes(method);
  const values = forwardAll(lrpMethod ? inner.lrpGraph : inner.graph, data, n);
  const t = resolveTargets(options.target, values[inner.logitsTensor], n);
  const result = (out: Float32Array): Explanation => ({ shape: shape.slice(), data: out });

  switch (method) {
    case 'gradient':
    case 'guided-backprop':
    case 'deconvnet':
      return result(gradientOf(inner, data, n, t, method, values));
    case 'gradient-x-input': {
      const g = gradientOf(inner, data, n, t, 'gradient', values);
      return result(g.map((v, i) => v * data[i]));
    }
    case 'integrated-gradients':
      return result(integratedGradients(inner, data, n, t, options));
    case 'smoothgrad':
      return result(smoothGrad(inner, data, n, t, options));
    default:
      return lrpRelevance(inner, values, data, n, shape, t, method, options, defaults);
  }
}

function integratedGradients(model: ModelInternals, x: Float32Array, n: number, t: number[], options: AnalyzeOptions): Float32Array {
  const steps = options.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 1 || steps > 10000) fail(`option steps must be an integer from 1 to 10000, got ${JSON.stringify(steps)}`);
  const base = new Float32Array(x.length);
  if (typeof options.baseline === 'number') base.fill(options.baseline);
  else if (options.baseline !== undefined) {
    const b = toTensor(options.baseline, 'option baseline');
    if (b.data.length !== x.length && b.data.length !== x.length / n) {
      fail(`option baseline has shape ${formatShape(b.shape)}; expected a number, one sample's shape or the input's shape`);
    }
    for (let i = 0; i < base.length; i++) base[i] = b.data[i % b.data.length];
  }
  const sum = new Float64Array(x.length);
  const point = new Float32Array(x.length);
  for (let k = 1; k <= steps; k++) {
    for (let i = 0; i < x.length; i++) point[i] = base[i] + (k / steps) * (x[i] - base[i]);
    const g = gradientOf(model, point, n, t, 'gradient');
    for (let i = 0; i < x.length; i++) sum[i] += g[i];
  }
  return Float32Array.from(sum, (s, i) => (x[i] - base[i]) * (s / steps));
}

function smoothGrad(model: ModelInternals, x: Float32Array, n: number, t: number[], options: AnalyzeOptions): Float32Array {
  const samples = options.samples ?? 20;
  const noise = options.noise ?? 0.1;
  if (!Number.isInteger(samples) || samples < 1 || samples > 10000) fail(`option samples must be an integer from 1 to 10000, got ${JSON.stringify(samples)}`);
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) fail(`option noise must be a finite number ≥ 0, got ${JSON.stringify(noise)}`);
  const normal = normalGenerator(options.seed ?? 0);
  const size = x.length / n;
  const sigma = Array.from({ length: n }, (_, s) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = s * size; i < (s + 1) * size; i++) {
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    return noise * (hi - lo);
  });
  const sum = new Float64Array(x.length);
  const noisy = new Float32Array(x.length);
  for (let k = 0; k < samples; k++) {
    for (let i = 0; i < x.length; i++) noisy[i] = x[i] + sigma[Math.floor(i / size)] * normal();
    const g = gradientOf(model, noisy, n, t, 'gradient');
    for (let i = 0; i < x.length; i++) sum[i] += g[i];
  }
  return Float32Array.from(sum, (s) => s / samples);
}

function lrpRelevance(
  model: ModelInternals, values: Float32Array[], x: Float32Array, n: number, shape: number[], t: number[],
  method: string, options: AnalyzeOptions, defaults: { epsilon?: number; alpha?: number; beta?: number },
): Explanation {
  const p = ruleParams(options, defaults);
  const graph = model.lrpGraph;
  const rules = assignRules(graph, method, p, overrideRules(options, p, model));
  const logits = values[model.logitsTensor];
  const classes = logits.length / n;
  const seed = new Float32Array(n * classes);
  t.forEach((c, s) => (seed[s * classes + c] = logits[s * classes + c]));
  const bounds = (index: number): Bounds => boundsFor(graph, index, n, options.low ?? 0, options.high ?? 1);
  const sent: Float32Array[][] | undefined = options.returnLayers ? [] : undefined;
  const signals = propagateBackward(graph, values, model.logitsTensor, seed, relevanceStep(graph, n, rules, bounds), sent);
  const out: Explanation = { shape: shape.slice(), data: signals[0] ?? new Float32Array(x.length) };
  if (sent) Object.assign(out, layerReport(graph, signals, sent, n));
  return out;
}

/**
 * Relevance at every Keras layer's input (summed over all its readers), and how much each layer
 * conserved: what reached its output against what it sent back to its inputs.
 */
function layerReport(graph: Graph, signals: (Float32Array | undefined)[], sent: Float32Array[][], n: number): { layers: Record<string, Tensor>; conservation: ConservationRow[] } {
  const layers: Record<string, Tensor> = Object.create(null);
  const conservation: ConservationRow[] = [];
  const sums = (a: Float32Array | undefined): number[] => {
    const size = a ? a.length / n : 0;
    return Array.from({ length: n }, (_, s) => {
      let acc = 0;
      for (let i = s * size; i < (s + 1) * size; i++) acc += a![i];
      return acc;
    });
  };
  const seen = new Set<string>();
  graph.nodes.forEach((node, index) => {
    if (seen.has(node.layer)) return;
    seen.add(node.layer);
    const last = graph.nodes.reduce((at, m, k) => (m.layer === node.layer ? k : at), index);
    const outSignal = signals[last + 1];
    if (!outSignal) return;
    const inputs = node.inputs.map((id) => signals[id]);
    const shapeOf = (id: number): number[] => (id === 0 ? graph.inputShape : graph.nodes[id - 1].outShape);
    if (inputs[0]) layers[node.layer] = { shape: [n, ...shapeOf(node.inputs[0])], data: inputs[0] };
    const relOut = sums(outSignal);
    const relIn = (sent[index] ?? []).map(sums).reduce((a, b) => a.map((v, s) => v + b[s]), new Array<number>(n).fill(0));
    conservation.push({
      layer: node.layer, className: node.className, relevanceOut: relOut, relevanceIn: relIn,
      absorbed: relOut.map((o, s) => (o === 0 ? 0 : (o - relIn[s]) / o)),
    });
  });
  return { layers, conservation };
}

/** LRP with the default composite `epsilon-plus` (Dense ε, Conv z⁺). */
export function lrp(model: Model, x: TensorLike, options: Partial<AnalyzeOptions> = {}): Explanation {
  return analyze(model, x, { ...options, method: options.method ?? 'epsilon-plus' });
}
