import type { Target } from '../attribution/targets.js';
import { fail } from '../errors.js';
import type { RuleOverride } from '../lrp/overrides.js';
import type { RuleParams } from '../lrp/parameters.js';
import { currentPrecision, type Precision } from '../kernels/backend.js';
import type { ThreadPool } from '../parallel/threads.js';
import { didYouMean } from '../suggest.js';
import type { TensorLike } from '../tensor.js';
import type { Condition } from './concepts.js';
import type { UnitTarget } from './start.js';

export type BoundOption = number | number[] | TensorLike;

export interface AnalyzeOptions extends Partial<RuleParams> {
  method: string;
  /** A class (see `Target`) or a unit of any layer: `{layer, channel}` (the channel's total) or `{layer, index}`. */
  target?: Target | UnitTarget;
  low?: BoundOption;
  high?: BoundOption;
  /** Per-layer override by Keras layer name or class: a rule id, or `{rule, epsilon?, gamma?, alpha?, beta?}`. */
  layerRules?: Record<string, RuleOverride>;
  /** grad-cam, guided-grad-cam: the layer whose activations are weighted (default: the last with the input's spatial axes). */
  layer?: string;
  /** occlusion: window and stride per spatial axis, or one number for all (default min(8, ⌈size/8⌉) and half the window). */
  window?: number | number[];
  stride?: number | number[];
  /** LRP methods: keep only these channels' relevance at the layer's output (concept-conditional relevance). */
  condition?: Condition;
  /** occlusion: called with the fraction done (0 to 1) after each batch of forward passes. */
  onProgress?: (fraction: number) => void;
  /** integrated-gradients: number of steps (default 20) and baseline (default zeros; several inputs: an array of them; occlusion: what a window becomes). */
  steps?: number;
  baseline?: number | TensorLike | readonly (number | TensorLike)[];
  /** The output explained, by name or index (models with several outputs; default the first). */
  output?: string | number;
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
  /** Stops the computation between layers and between chunks once aborted (an `LrpKerasError` starting with `aborted`). */
  signal?: AbortSignal;
  /**
   * How the WebAssembly kernels sum each product: 'float32' (default; the same bits in every engine and
   * on any number of threads) or 'float64' (bit for bit the TypeScript kernels, about half as fast).
   */
  precision?: Precision;
}

/** Every option key; the `satisfies` makes the compiler check this list against the interface. */
const OPTION_KEYS = Object.keys({
  method: 0,
  target: 0,
  epsilon: 0,
  gamma: 0,
  alpha: 0,
  beta: 0,
  stabilizer: 0,
  low: 0,
  high: 0,
  layerRules: 0,
  steps: 0,
  baseline: 0,
  samples: 0,
  noise: 0,
  seed: 0,
  returnLayers: 0,
  batchSize: 0,
  threads: 0,
  signal: 0,
  output: 0,
  precision: 0,
  layer: 0,
  window: 0,
  stride: 0,
  condition: 0,
  onProgress: 0,
} satisfies Record<keyof AnalyzeOptions, 0>);

/** The plain numeric options and their ranges (rule parameters have theirs in lrp/parameters.ts). */
const NUMBER_OPTIONS: Partial<Record<keyof AnalyzeOptions, { integer: boolean; min: number; max: number }>> = {
  steps: { integer: true, min: 1, max: 10000 },
  samples: { integer: true, min: 1, max: 10000 },
  noise: { integer: false, min: 0, max: Infinity },
  seed: { integer: true, min: 0, max: 2 ** 32 - 1 },
  batchSize: { integer: true, min: 1, max: Infinity },
};

/**
 * The options object itself: an object whose every key is an option (typos are named, with the
 * closest key), and every plain numeric option in its range.
 */
export function checkOptions(options: unknown): asserts options is AnalyzeOptions {
  if (typeof options !== 'object' || options === null) fail('analyze: options must be an object with a method');
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_KEYS.includes(key))
      fail(`analyze: unknown option '${key}'${didYouMean(key, OPTION_KEYS)}; valid options: ${OPTION_KEYS.join(', ')}`);
    const range = NUMBER_OPTIONS[key as keyof AnalyzeOptions];
    const v = given[key];
    if (!range || v === undefined) continue;
    const kind = range.integer ? 'an integer' : 'a finite number';
    const ok = typeof v === 'number' && Number.isFinite(v) && (!range.integer || Number.isInteger(v)) && v >= range.min && v <= range.max;
    if (!ok)
      fail(
        `option ${key} must be ${kind} ${range.max === Infinity ? `≥ ${range.min}` : `from ${range.min} to ${range.max}`}, got ${JSON.stringify(v)}`,
      );
  }
}

/** The kernels' summation for this call: the option, checked, or the current one. */
export function precisionOf(options: AnalyzeOptions): Precision {
  const p = options.precision ?? currentPrecision();
  if (p !== 'float32' && p !== 'float64') fail(`option precision must be 'float32' or 'float64', got ${JSON.stringify(p)}`);
  return p;
}

/** Throws once `signal` is aborted: called between layers and chunks. */
export const abortCheck = (signal: AbortSignal | undefined) => (): void => {
  if (signal?.aborted)
    fail(`aborted: ${signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'the signal was aborted')}`);
};
