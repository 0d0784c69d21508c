import { gradientStep } from '../attribution/gradient.js';
import { normalGenerator } from '../attribution/random.js';
import { fail } from '../errors.js';
import { propagateBackward } from '../model/backward.js';
import type { ModelInternals } from '../model/model.js';
import { forwardAll } from '../model/ops.js';
import { formatShape, toTensor } from '../tensor.js';
import type { AnalyzeOptions } from './options.js';

/** What a gradient method works from: one chunk of samples, their targets and the forward pass. */
export interface GradientRun {
  model: ModelInternals;
  x: Float32Array;
  n: number;
  targets: number[];
  options: AnalyzeOptions;
  values: Float32Array[];
  /** Runs between layers (the abort check). */
  between: () => void;
}

type Mode = 'gradient' | 'guided-backprop' | 'deconvnet';

/** ∂ logit_t / ∂x (or its guided / deconvnet variant), from a forward pass at x. */
function gradientAt(run: GradientRun, mode: Mode, x = run.x, values = run.values): Float32Array {
  const { model, n, targets } = run;
  const classes = values[model.logitsTensor].length / n;
  const seed = new Float32Array(n * classes);
  targets.forEach((c, s) => (seed[s * classes + c] = 1));
  const step = gradientStep(model.graph, n, mode);
  const signals = propagateBackward(model.graph, values, model.logitsTensor, seed, (...args) => {
    run.between();
    return step(...args);
  });
  return signals[0] ?? new Float32Array(x.length);
}

/** The mean gradient over `points` inputs that `pointAt(k, into)` writes, k = 0 … points − 1. */
function meanGradient(run: GradientRun, points: number, pointAt: (k: number, into: Float32Array) => void): Float64Array {
  const sum = new Float64Array(run.x.length);
  const point = new Float32Array(run.x.length);
  for (let k = 0; k < points; k++) {
    pointAt(k, point);
    const g = gradientAt(run, 'gradient', point, forwardAll(run.model.graph, point, run.n, run.between));
    for (let i = 0; i < sum.length; i++) sum[i] += g[i];
  }
  return sum;
}

function integerOption(options: AnalyzeOptions, key: 'steps' | 'samples', fallback: number): number {
  const v = options[key] ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > 10000) fail(`option ${key} must be an integer from 1 to 10000, got ${JSON.stringify(v)}`);
  return v;
}

/** The baseline x̄ of integrated gradients: a number, one sample's shape or the input's shape (default zeros). */
function baselineOf(run: GradientRun): Float32Array {
  const { x, n, options } = run;
  const base = new Float32Array(x.length);
  if (typeof options.baseline === 'number') return base.fill(options.baseline);
  if (options.baseline === undefined) return base;
  const b = toTensor(options.baseline, 'option baseline');
  if (b.data.length !== x.length && b.data.length !== x.length / n) {
    fail(`option baseline has shape ${formatShape(b.shape)}; expected a number, one sample's shape or the input's shape`);
  }
  for (let i = 0; i < base.length; i++) base[i] = b.data[i % b.data.length];
  return base;
}

function integratedGradients(run: GradientRun): Float32Array {
  const steps = integerOption(run.options, 'steps', 20);
  const { x } = run;
  const base = baselineOf(run);
  const sum = meanGradient(run, steps, (k, point) => {
    for (let i = 0; i < x.length; i++) point[i] = base[i] + ((k + 1) / steps) * (x[i] - base[i]);
  });
  return Float32Array.from(sum, (s, i) => (x[i] - base[i]) * (s / steps));
}

/** σ per sample: `noise` times the sample's value range. */
function noiseScale(x: Float32Array, n: number, noise: number): number[] {
  const size = x.length / n;
  return Array.from({ length: n }, (_, s) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = s * size; i < (s + 1) * size; i++) {
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    return noise * (hi - lo);
  });
}

function smoothGrad(run: GradientRun): Float32Array {
  const { x, n, options } = run;
  const samples = integerOption(options, 'samples', 20);
  const noise = options.noise ?? 0.1;
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) fail(`option noise must be a finite number ≥ 0, got ${JSON.stringify(noise)}`);
  const normal = normalGenerator(options.seed ?? 0);
  const size = x.length / n;
  const sigma = noiseScale(x, n, noise);
  const sum = meanGradient(run, samples, (_, noisy) => {
    for (let i = 0; i < x.length; i++) noisy[i] = x[i] + sigma[Math.floor(i / size)] * normal();
  });
  return Float32Array.from(sum, (s) => s / samples);
}

/** A method that starts from 1 at the target logit and follows gradients (CONVENTIONS.md). */
export interface GradientMethod {
  family: 'gradient';
  description: string;
  attribute(run: GradientRun): Float32Array;
}

export const GRADIENT_METHODS: Record<string, GradientMethod> = {
  'gradient': { family: 'gradient', description: '∂ logit_target / ∂x', attribute: (run) => gradientAt(run, 'gradient') },
  'gradient-x-input': {
    family: 'gradient',
    description: 'x ⊙ gradient',
    attribute: (run) => gradientAt(run, 'gradient').map((v, i) => v * run.x[i]),
  },
  'integrated-gradients': {
    family: 'gradient',
    description: '(x − x̄) ⊙ mean of gradients along the straight path from the baseline x̄ (steps, baseline)',
    attribute: integratedGradients,
  },
  'smoothgrad': { family: 'gradient', description: 'mean gradient over noisy copies of x (samples, noise, seed)', attribute: smoothGrad },
  'guided-backprop': {
    family: 'gradient',
    description: 'gradient where relu-like units also drop negative upstream gradients',
    attribute: (run) => gradientAt(run, 'guided-backprop'),
  },
  'deconvnet': {
    family: 'gradient',
    description: 'gradient where relu-like units pass max(upstream, 0) and ignore their input',
    attribute: (run) => gradientAt(run, 'deconvnet'),
  },
};
