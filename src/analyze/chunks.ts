import { concatRows, rowsOf } from '../model/batching.js';
import { toTensor, type Tensor } from '../tensor.js';
import type { Explanation } from './conservation.js';
import type { AnalyzeOptions } from './options.js';

/** The options of rows from..to of a batch of n: per-sample targets, and batch-shaped baselines or bounds, sliced. */
export function chunkOptions(options: AnalyzeOptions, n: number, from: number, to: number): AnalyzeOptions {
  const slice = <T>(value: T): T => {
    if (Array.isArray(value) && value.length === n && typeof value[0] !== 'number') return value.slice(from, to) as T;
    if (value && typeof value === 'object' && 'shape' in value && 'data' in value) {
      const t = value as unknown as Tensor;
      if (t.shape[0] === n && t.shape.length > 1)
        return { shape: [to - from, ...t.shape.slice(1)], data: rowsOf(toTensor(t, 'option').data, n, from, to) } as T;
    }
    return value;
  };
  const target = Array.isArray(options.target) && options.target.length === n ? options.target.slice(from, to) : options.target;
  const progress = options.onProgress;
  const onProgress = progress && ((f: number) => progress((from + f * (to - from)) / n));
  return { ...options, target, baseline: slice(options.baseline), low: slice(options.low), high: slice(options.high), onProgress };
}

/** The explanations of consecutive chunks as one. */
export function mergeExplanations(parts: Explanation[]): Explanation {
  const out: Explanation = concatRows(parts);
  const layers = parts.map((p) => p.layers ?? {});
  const rows = parts.map((p) => p.conservation ?? []);
  const first = parts[0];
  if (first.layers) out.layers = Object.fromEntries(Object.keys(first.layers).map((k) => [k, concatRows(layers.map((l) => l[k]))]));
  if (first.conservation) {
    out.conservation = first.conservation.map((row, i) => ({
      ...row,
      relevanceOut: rows.flatMap((r) => r[i].relevanceOut),
      relevanceIn: rows.flatMap((r) => r[i].relevanceIn),
      absorbed: rows.flatMap((r) => r[i].absorbed),
    }));
  }
  return out;
}
