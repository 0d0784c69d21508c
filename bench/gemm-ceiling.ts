// The best scalar GEMM on this machine, measured in the same run: our packed 4×4-tile core on square
// Float32Array matrices (and a naive triple loop for scale).
import { gemm } from '../src/kernels/gemm.js';
import { plainWeights } from '../src/kernels/gemm-problem.js';
import { measure } from './stats.js';

export interface CeilingRow { size: number; packedGflops: number; naiveGflops: number }

/** Our GEMM core on square size³ matrices: the run, its floating-point operations, its operands. */
export function squareGemm(size: number): { run: () => void; flops: number; a: Float32Array; w: Float32Array } {
  const [M, N, K] = [size, size, size];
  const a = Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const w = Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(M * N);
  const layout = { K, N, inner: K, base: 0, outerStride: 0, innerStride: N, nStride: 1 };
  const run = (): void => {
    gemm({ M, N, K, left: { kind: 'rows', lda: K }, a, part: 'all', weights: plainWeights(w), layout, layoutKey: 'square', bias: null, biasOffset: 0, c, ldc: N, cOffset: 0 });
  };
  return { run, flops: 2 * M * N * K, a, w };
}

export function gemmCeiling(sizes: number[], repeats: number): CeilingRow[] {
  return sizes.map((size) => {
    const [M, N, K] = [size, size, size];
    const square = squareGemm(size);
    const { a, w } = square;
    const c = new Float32Array(M * N);
    const packed = measure(square.run, { warmup: 1, repeats });
    const naive = measure(() => {
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[i * K + k] * w[k * N + j];
          c[i * N + j] = s;
        }
      }
    }, { warmup: 0, repeats: 1 });
    return { size, packedGflops: square.flops / packed.median / 1e6, naiveGflops: square.flops / naive.median / 1e6 };
  });
}
