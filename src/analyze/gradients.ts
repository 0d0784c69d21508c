import { gradientStep } from '../attribution/gradient.js';
import { normalGenerator } from '../attribution/random.js';
import { fail } from '../errors.js';
import { propagateBackward } from '../model/backward.js';
import { forwardAll } from '../model/ops.js';
import { formatShape, toTensor, type TensorLike } from '../tensor.js';
import { attributionSites, perToken, type AttributionSite } from './token-inputs.js';
import type { Run } from './run.js';

type Mode = 'gradient' | 'guided-backprop' | 'deconvnet';

/**
 * ∂ score / ∂(site) (logit_t, or an inner unit's total) for every attribution site (each input, or a token input's embedding) or its
 * guided / deconvnet variant, from the forward pass `values`.
 */
function gradientAt(run: Run, mode: Mode, sites: AttributionSite[], values = run.values): Float32Array[] {
  const { model, n, start } = run;
  const step = gradientStep(model.graph, n, mode);
  const signals = propagateBackward(model.graph, values, start.tensor, start.mask, (...args) => {
    run.between();
    return step(...args);
  });
  return sites.map((site) => signals[site.tensor] ?? new Float32Array(values[site.tensor].length));
}

/** A gradient method's attribution per model input from a function of each site's gradient and value (token inputs summed per token). */
function atSites(run: Run, mode: Mode, f: (g: Float32Array, x: Float32Array) => Float32Array): Float32Array[] {
  const sites = attributionSites(run.model.graph);
  return gradientAt(run, mode, sites).map((g, m) => perToken(f(g, run.values[sites[m].tensor]), sites[m].dim));
}

/**
 * The summed gradient, per site, over `points` points that `pointAt(k, into)` writes (one array per
 * site, k = 0 … points − 1): a model input's values, or a token input's embeddings (which then replace
 * the Embedding's output in the forward pass).
 */
function summedGradient(
  run: Run,
  sites: AttributionSite[],
  points: number,
  pointAt: (k: number, into: Float32Array[]) => void,
): Float64Array[] {
  const sums = sites.map((s) => new Float64Array(run.values[s.tensor].length));
  const point = sites.map((s) => new Float32Array(run.values[s.tensor].length));
  const xs = sites.map((s, m) => (s.dim ? run.xs[m] : point[m]));
  const replaced = new Map(sites.flatMap((s, m): [number, Float32Array][] => (s.dim ? [[s.tensor, point[m]]] : [])));
  for (let k = 0; k < points; k++) {
    pointAt(k, point);
    const g = gradientAt(run, 'gradient', sites, forwardAll(run.model.graph, xs, run.n, run.between, replaced));
    sums.forEach((sum, m) => {
      for (let i = 0; i < sum.length; i++) sum[i] += g[m][i];
    });
  }
  return sums;
}

/**
 * The baseline x̄ of integrated gradients for input k: a number (every input), or a tensor of one
 * sample's shape or the input's shape (one-input models; several inputs take an array of them).
 */
export function baselineOf(run: Run, k: number): Float32Array {
  const { n, options } = run;
  const x = run.xs[k];
  const base = new Float32Array(x.length);
  const given = run.xs.length > 1 && Array.isArray(options.baseline) ? (options.baseline as unknown[])[k] : options.baseline;
  if (typeof given === 'number') return base.fill(given);
  if (given === undefined) return base;
  const b = toTensor(given as TensorLike, run.xs.length > 1 ? `option baseline[${k}]` : 'option baseline');
  if (b.data.length !== x.length && b.data.length !== x.length / n) {
    fail(`option baseline has shape ${formatShape(b.shape)}; expected a number, one sample's shape or the input's shape`);
  }
  for (let i = 0; i < base.length; i++) base[i] = b.data[i % b.data.length];
  return base;
}

function integratedGradients(run: Run): Float32Array[] {
  const steps = run.options.steps ?? 20;
  const sites = attributionSites(run.model.graph);
  const at = sites.map((s) => run.values[s.tensor]);
  // Token inputs interpolate their embeddings from the zero vector (CONVENTIONS.md, "Token inputs").
  const bases = sites.map((s, m) => (s.dim ? new Float32Array(at[m].length) : baselineOf(run, m)));
  const sums = summedGradient(run, sites, steps, (k, point) => {
    at.forEach((x, m) => {
      const base = bases[m];
      for (let i = 0; i < x.length; i++) point[m][i] = base[i] + ((k + 1) / steps) * (x[i] - base[i]);
    });
  });
  return sums.map((sum, m) =>
    perToken(
      Float32Array.from(sum, (s, i) => (at[m][i] - bases[m][i]) * (s / steps)),
      sites[m].dim,
    ),
  );
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

function smoothGrad(run: Run): Float32Array[] {
  const { n, options } = run;
  const samples = options.samples ?? 20;
  const noise = options.noise ?? 0.1;
  const normal = normalGenerator(options.seed ?? 0);
  // Token inputs get their noise on the embeddings (CONVENTIONS.md, "Token inputs").
  const sites = attributionSites(run.model.graph);
  const at = sites.map((s) => run.values[s.tensor]);
  const sigmas = at.map((x) => noiseScale(x, n, noise));
  const sums = summedGradient(run, sites, samples, (_, noisy) => {
    at.forEach((x, m) => {
      const size = x.length / n;
      for (let i = 0; i < x.length; i++) noisy[m][i] = x[i] + sigmas[m][Math.floor(i / size)] * normal();
    });
  });
  return sums.map((sum, m) =>
    perToken(
      Float32Array.from(sum, (s) => s / samples),
      sites[m].dim,
    ),
  );
}

/** A method that starts from 1 at the target logit and follows gradients (CONVENTIONS.md). */
export interface GradientMethod {
  family: 'gradient';
  description: string;
  /** One attribution per model input. */
  attribute(run: Run): Float32Array[];
}

export const GRADIENT_METHODS: Record<string, GradientMethod> = {
  gradient: { family: 'gradient', description: '∂ logit_target / ∂x', attribute: (run) => atSites(run, 'gradient', (g) => g) },
  'gradient-x-input': {
    family: 'gradient',
    description: 'x ⊙ gradient',
    attribute: (run) => atSites(run, 'gradient', (g, x) => g.map((v, i) => v * x[i])),
  },
  'integrated-gradients': {
    family: 'gradient',
    description: '(x − x̄) ⊙ mean of gradients along the straight path from the baseline x̄ (steps, baseline)',
    attribute: integratedGradients,
  },
  smoothgrad: { family: 'gradient', description: 'mean gradient over noisy copies of x (samples, noise, seed)', attribute: smoothGrad },
  'guided-backprop': {
    family: 'gradient',
    description: 'gradient where relu-like units also drop negative upstream gradients',
    attribute: (run) => atSites(run, 'guided-backprop', (g) => g),
  },
  deconvnet: {
    family: 'gradient',
    description: 'gradient where relu-like units pass max(upstream, 0) and ignore their input',
    attribute: (run) => atSites(run, 'deconvnet', (g) => g),
  },
};
