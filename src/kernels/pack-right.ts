import { TILE, type RightLayout, type WeightView } from './gemm-problem.js';

/**
 * Pack B (optionally modified elementwise) into panels from `out[at]` on: panel p holds columns
 * width·p … width·p + width − 1 as K rows of `width` (zero past N). Values are rounded to float32 (the
 * weights' precision) also when `out` holds float64, for the WebAssembly kernels' float64 mode.
 */
export function packRight<T extends Float32Array | Float64Array>(w: WeightView, L: RightLayout, out: T, width = TILE, at = 0): T {
  const { K, N, inner, base, outerStride, innerStride, nStride } = L;
  const W = w.W;
  const map = w.transform;
  const bySign = map !== null && w.slopes !== undefined;
  const pos = w.slopes?.pos ?? 0;
  const neg = w.slopes?.neg ?? 0;
  const panels = Math.ceil(N / width);
  if (N % width) out.fill(0, at + (panels - 1) * K * width, at + panels * K * width);
  for (let n = 0; n < N; n++) {
    let to = at + Math.floor(n / width) * K * width + (n % width);
    for (let outer = 0, k = 0; k < K; outer++) {
      const from = base + outer * outerStride + n * nStride;
      for (let i = 0; i < inner; i++, k++, to += width) {
        const v = W[from + i * innerStride];
        out[to] = Math.fround(map === null ? v : bySign ? v + (v > 0 ? pos * v : v < 0 ? neg * v : 0) : map(v));
      }
    }
  }
  return out;
}
