// The GEMM ceilings of this machine, measured in the same run as everything else: the WebAssembly
// SIMD kernel alone (operands staged once, then only the kernel: packing A and the micro-kernel) in
// float32 and float64, our scalar TypeScript GEMM (packed 4×4 tiles), and a naive triple loop for scale.
// Timed in CPU time of this (one) thread: on a shared machine, what the kernel does whatever else runs.
import { withTypeScriptKernels, wasmKernels } from '../src/kernels/backend.js';
import { gemm } from '../src/kernels/gemm.js';
import { plainWeights, type GemmCall } from '../src/kernels/gemm-problem.js';
import { stagedGemm, type Precision } from '../src/kernels/wasm/gemm.js';
import { cpuMs, timing } from './stats.js';

export interface CeilingRow {
  size: number;
  simdGflops: number;
  simd64Gflops: number;
  scalarGflops: number;
  naiveGflops: number;
}

/** A square size³ GEMM as layers call it: the call, its floating-point operations, its operands. */
export function squareGemm(size: number): { call: GemmCall; flops: number; a: Float32Array; w: Float32Array } {
  const [M, N, K] = [size, size, size];
  const a = Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const w = Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(M * N);
  const layout = { K, N, inner: K, base: 0, outerStride: 0, innerStride: N, nStride: 1 };
  const call: GemmCall = {
    M,
    N,
    K,
    left: { kind: 'rows', lda: K },
    a,
    part: 'all',
    weights: plainWeights(w),
    layout,
    layoutKey: 'square',
    bias: null,
    biasOffset: 0,
    c,
    ldc: N,
    cOffset: 0,
  };
  return { call, flops: 2 * M * N * K, a, w };
}

/** The SIMD kernel alone on a size³ GEMM (staged now; `release` when done). */
export function simdKernel(size: number, precision: Precision): { run: () => void; release: () => void; flops: number } {
  const e = wasmKernels();
  if (!e) throw new Error('the WebAssembly kernels do not run here');
  const square = squareGemm(size);
  return { ...stagedGemm(e, square.call, precision), flops: square.flops };
}

/** Each size: the three kernels timed in alternating rounds (a drifting machine skews them alike), the naive loop once. */
export function gemmCeiling(sizes: number[], rounds: number): CeilingRow[] {
  return sizes.map((size) => {
    const square = squareGemm(size);
    const scalar = (): void => withTypeScriptKernels(() => gemm(square.call));
    // Each run stages its kernel afresh (untimed): preparing weights may move what an earlier call staged.
    const times: number[][] = [[], [], []];
    for (let r = 0; r <= rounds; r++) {
      for (let i = 0; i < 3; i++) {
        const which = r % 2 ? 2 - i : i;
        const k = which < 2 ? simdKernel(size, which ? 'float64' : 'float32') : null;
        const t0 = cpuMs();
        if (k) k.run();
        else scalar();
        const t = cpuMs() - t0;
        k?.release();
        if (r > 0) times[which].push(t); // round 0 warms up (and packs the weights)
      }
    }
    const { a, w } = square;
    const c = new Float32Array(size * size);
    const t0 = cpuMs();
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let s = 0;
        for (let k = 0; k < size; k++) s += a[i * size + k] * w[k * size + j];
        c[i * size + j] = s;
      }
    }
    const naive = cpuMs() - t0;
    const gflops = (ms: number): number => square.flops / ms / 1e6;
    const [f32, f64, ts] = times.map((t) => gflops(timing(t).median));
    return { size, simdGflops: f32, simd64Gflops: f64, scalarGflops: ts, naiveGflops: gflops(naive) };
  });
}
