import { analyze, type AnalyzeOptions, type Target } from '../analyze/index.js';
import { normalGenerator } from '../attribution/random.js';
import { resolveTargets } from '../attribution/targets.js';
import { LrpKerasError } from '../errors.js';
import { checkInput, type Model } from '../model/model.js';
import { formatShape, toTensor, type TensorLike } from '../tensor.js';
import { pixelLayout, type PixelLayout } from '../viz/layout.js';

/**
 * Region perturbation, "pixel-flipping" (Samek et al., "Evaluating the visualization of what a deep
 * neural network has learned", IEEE TNNLS 2017): remove the regions a heatmap ranks most relevant
 * first (MoRF) and track the target's score. A heatmap that points at what the model really uses
 * makes the score fall fast; AOPC, the area over the perturbation curve, measures how fast:
 *
 *   AOPC = 1/(L + 1) · Σ_{k=0..L} (f(x⁽⁰⁾) − f(x⁽ᵏ⁾)),   x⁽ᵏ⁾ = x with the k most relevant regions removed.
 *
 * Where the paper leaves room or draws random numbers, this implementation chooses:
 * - Regions are the non-overlapping k×k tiles of the image, row-major from the top-left corner (the
 *   last row and column of tiles are smaller when k does not divide the size), ranked by their
 *   relevance summed over pixels and channels; equal sums keep tile order. The paper centres a
 *   9×9 window on each pixel in relevance order, so its windows overlap; tiles remove the same area
 *   at every step.
 * - A removed pixel takes a fixed value or the sample's own mean per channel, not the paper's uniform
 *   noise, so that curves are reproducible and comparable between methods without averaging runs.
 * - The score is the target's logit, what LRP explains (a final softmax is removed), or its probability.
 */

export interface PixelFlippingOptions {
  /** Side k of the square regions, in pixels; default 2. */
  region?: number;
  /** Regions removed, one per step; default min(50, number of regions). */
  steps?: number;
  /** Value a removed pixel takes: a number, or 'mean' (the sample's mean, per channel); default 'mean'. */
  perturbation?: number | 'mean';
  /** The class whose score is tracked: 'max' (top class of the unperturbed input), an index, or one per sample; default 'max'. */
  target?: Target;
  /** 'logit' (default) or 'probability' (the model's output). */
  score?: 'logit' | 'probability';
  /** Rank-3 sample shapes: (H, W, C) when true (default, Keras' layout), (C, H, W) when false. */
  channelsLast?: boolean;
  /** For (N, F) inputs: the F features as rows of this width (a flattened image); default F, one row. */
  width?: number;
  /** Called after each sample with (samples done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface PixelFlippingResult {
  /** Per sample: the score before any removal, then after each step (steps + 1 values). */
  curves: number[][];
  /** Per sample: mean over k = 0..steps of curves[s][0] − curves[s][k]. */
  aopc: number[];
  /** The curves and AOPCs averaged over samples. */
  meanCurve: number[];
  meanAopc: number;
  /** The class tracked for each sample. */
  targets: number[];
  /** Regions per sample, and the side of a region. */
  regions: number;
  region: number;
}

const fail = (message: string): never => {
  throw new LrpKerasError(`pixelFlipping: ${message}`);
};

/** The flat offsets (every channel) of each k×k tile, tiles row-major. */
function tiles(layout: PixelLayout, k: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let top = 0; top < layout.height; top += k) {
    for (let left = 0; left < layout.width; left += k) {
      const offsets: number[] = [];
      for (let y = top; y < Math.min(top + k, layout.height); y++) {
        for (let x = left; x < Math.min(left + k, layout.width); x++) {
          for (let c = 0; c < layout.channels; c++) offsets.push((y * layout.width + x) * layout.pixelStride + c * layout.channelStride);
        }
      }
      out.push(Int32Array.from(offsets));
    }
  }
  return out;
}

/** Tile indices by summed relevance, largest first; a stable sort keeps tile order among equals. */
function rankTiles(relevance: Float32Array, regions: Int32Array[]): number[] {
  const sums = regions.map((offsets) => offsets.reduce((acc, o) => acc + relevance[o], 0));
  return sums.map((_, i) => i).sort((a, b) => sums[b] - sums[a]);
}

/** The sample with every pixel removed: what `current[o]` becomes when offset o is removed. */
function removedSample(sample: Float32Array, layout: PixelLayout, perturbation: number | 'mean'): Float32Array {
  if (perturbation !== 'mean') return new Float32Array(sample.length).fill(perturbation);
  const pixels = layout.height * layout.width;
  const sums = new Float64Array(layout.channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < layout.channels; c++) sums[c] += sample[p * layout.pixelStride + c * layout.channelStride];
  }
  const out = new Float32Array(sample.length);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < layout.channels; c++) out[p * layout.pixelStride + c * layout.channelStride] = sums[c] / pixels;
  }
  return out;
}

const integerIn = (value: unknown, name: string, min: number, max: number): number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max
    ? (value as number)
    : fail(`option ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);

/** Inputs scored per forward pass: bounds memory for large images while batching small ones. */
const CHUNK = 32;

/**
 * Removes the regions `relevance` ranks highest, one per step, from each sample of `x` and returns
 * the target's score after every step and the AOPC (see the file comment for the exact procedure).
 * `relevance` has the shape of `x`, as `analyze` returns it.
 */
export function pixelFlipping(model: Model, x: TensorLike, relevance: TensorLike, options: PixelFlippingOptions = {}): PixelFlippingResult {
  const { data, n, shape } = checkInput(model, x, 'pixelFlipping: input');
  const r = toTensor(relevance, 'pixelFlipping: relevance');
  if (r.shape.length !== shape.length || r.shape.some((d, i) => d !== shape[i])) {
    fail(`relevance has shape ${formatShape(r.shape)}, the input ${formatShape(shape)}`);
  }
  const layout = pixelLayout(shape.slice(1), options.channelsLast ?? true, 'pixelFlipping: input', options.width);
  const k = integerIn(options.region ?? 2, 'region', 1, Math.max(layout.height, layout.width));
  const regions = tiles(layout, k);
  const steps = integerIn(options.steps ?? Math.min(50, regions.length), 'steps', 1, regions.length);
  const perturbation = options.perturbation ?? 'mean';
  if (perturbation !== 'mean' && !(typeof perturbation === 'number' && Number.isFinite(perturbation))) {
    fail(`option perturbation must be a finite number or 'mean', got ${JSON.stringify(perturbation)}`);
  }
  const score = options.score ?? 'logit';
  if (score !== 'logit' && score !== 'probability') fail(`option score must be 'logit' or 'probability', got ${JSON.stringify(score)}`);
  const scoreOf = (batch: Float32Array, count: number): Float32Array => {
    const t = { shape: [count, ...shape.slice(1)], data: batch };
    return (score === 'logit' ? model.logits(t) : model.predict(t)).data;
  };
  const targets = resolveTargets(options.target, model.logits({ shape, data }).data, n);

  const size = data.length / n;
  const curves = Array.from({ length: n }, (_, s) => {
    const sample = data.subarray(s * size, (s + 1) * size);
    const order = rankTiles(r.data.subarray(s * size, (s + 1) * size), regions);
    const removed = removedSample(sample, layout, perturbation);
    const curve: number[] = [];
    const current = sample.slice();
    const batch = new Float32Array(CHUNK * size);
    for (let first = 0; first <= steps; first += CHUNK) {
      const count = Math.min(CHUNK, steps + 1 - first);
      // Row j of the chunk is the sample with its first + j most relevant regions removed.
      for (let j = 0; j < count; j++) {
        const step = first + j;
        if (step > 0) for (const o of regions[order[step - 1]]) current[o] = removed[o];
        batch.set(current, j * size);
      }
      const out = scoreOf(batch.subarray(0, count * size), count);
      const classes = out.length / count;
      for (let j = 0; j < count; j++) curve.push(out[j * classes + targets[s]]);
    }
    options.onProgress?.(s + 1, n);
    return curve;
  });
  const aopc = curves.map((c) => c.reduce((acc, v) => acc + (c[0] - v), 0) / c.length);
  const meanCurve = curves[0].map((_, step) => curves.reduce((acc, c) => acc + c[step], 0) / n);
  return { curves, aopc, meanCurve, meanAopc: aopc.reduce((a, b) => a + b, 0) / n, targets, regions: regions.length, region: k };
}

export interface EvaluateMethodsOptions extends PixelFlippingOptions {
  /** Passed to `analyze` with each method: rule parameters, bounds, steps, samples… (not method or target). */
  analyze?: Omit<AnalyzeOptions, 'method' | 'target'>;
  /** Seed of the 'random' baseline; default 0. */
  seed?: number;
}

export interface MethodEvaluation extends PixelFlippingResult {
  method: string;
}

/**
 * Pixel-flipping for each method on the same samples and targets, in the order given. The id
 * 'random' is a baseline: standard normal relevance (seeded), which a useful method should beat.
 * `onProgress` counts samples over all methods.
 */
export function evaluateMethods(
  model: Model,
  x: TensorLike,
  methods: readonly string[],
  options: EvaluateMethodsOptions = {},
): MethodEvaluation[] {
  if (methods.length === 0) fail('no methods to evaluate');
  const input = checkInput(model, x, 'pixelFlipping: input');
  const targets = resolveTargets(options.target, model.logits(input).data, input.n);
  const total = methods.length * input.n;
  return methods.map((method, m) => {
    const normal = normalGenerator(options.seed ?? 0);
    const relevance =
      method === 'random'
        ? { shape: input.shape, data: input.data.map(() => normal()) }
        : analyze(model, input, { ...options.analyze, method, target: targets });
    const onProgress = options.onProgress && ((done: number): void => options.onProgress?.(m * input.n + done, total));
    return { method, ...pixelFlipping(model, input, relevance, { ...options, target: targets, onProgress }) };
  });
}
