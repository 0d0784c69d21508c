import { gemm } from './gemm.js';
import type { SignPart, WeightView } from './gemm-problem.js';

/** Dense layer kernels over a batch of `n` rows; W is Keras' (in, out) row-major kernel. Both are one GEMM. */

/** y = part(x)·W + b: the batch is the GEMM's M dimension. */
export function denseForward(
  x: Float32Array,
  w: WeightView,
  b: Float32Array | null,
  y: Float32Array,
  n: number,
  inF: number,
  outF: number,
  part: SignPart = 'all',
): void {
  const layout = { K: inF, N: outF, inner: inF, base: 0, outerStride: 0, innerStride: outF, nStride: 1 };
  gemm({
    M: n,
    N: outF,
    K: inF,
    left: { kind: 'rows', lda: inF },
    a: x,
    part,
    weights: w,
    layout,
    layoutKey: 'dense',
    bias: b,
    biasOffset: 0,
    c: y,
    ldc: outF,
    cOffset: 0,
  });
}

/** gx = gy·Wᵀ: the gradient with respect to the input (bias plays no part). */
export function denseTranspose(gy: Float32Array, w: WeightView, gx: Float32Array, n: number, inF: number, outF: number): void {
  const layout = { K: outF, N: inF, inner: outF, base: 0, outerStride: 0, innerStride: 1, nStride: outF };
  gemm({
    M: n,
    N: inF,
    K: outF,
    left: { kind: 'rows', lda: outF },
    a: gy,
    part: 'all',
    weights: w,
    layout,
    layoutKey: 'dense-t',
    bias: null,
    biasOffset: 0,
    c: gx,
    ldc: inF,
    cOffset: 0,
  });
}
