export interface Timing { median: number; min: number; max: number }

/** Median and range of some timings. */
export function timing(values: readonly number[]): Timing {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
}

/** Median and range of repeated timings, after warm-up runs that are not counted. */
export function measure(run: () => unknown, { warmup = 2, repeats = 9, minMs = 0 } = {}): Timing {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < repeats || performance.now() - start < minMs) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return timing(times);
}

export const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
