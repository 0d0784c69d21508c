export interface Timing {
  median: number;
  min: number;
  max: number;
  cpu?: number;
}

/** Median and range of some timings, and the median CPU time of the same runs when given. */
export function timing(values: readonly number[], cpu?: readonly number[]): Timing {
  const s = [...values].sort((a, b) => a - b);
  const t: Timing = { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
  if (cpu) t.cpu = [...cpu].sort((a, b) => a - b)[cpu.length >> 1];
  return t;
}

/** CPU time (user + system) of this process so far, in ms: every thread of it counts. */
export const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

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
