// biome-ignore-all format: register tiles are laid out row by row
/**
 * A small matrix product read through strides, for the per-head products of attention: the heads of
 * a (steps, H, d) tensor are matrices with a row stride of H·d, and a transposed operand is the same
 * data with its strides swapped, so nothing is copied. 4×4 blocks of C stay in registers over K.
 */

/** Element (i, j) of a matrix at `data[off + i·row + j·col]`. */
export interface Strided { data: Float32Array | Float64Array; off: number; row: number; col: number }

/** C (M × N, row-major) += A (M × K) · B (K × N), summed in float64. */
export function stridedMatmul(A: Strided, B: Strided, C: Float64Array, M: number, N: number, K: number): void {
  const { data: a, off: ao, row: ar, col: ac } = A;
  const { data: b, off: bo, row: br, col: bc } = B;
  const dot = (m: number, n: number): number => {
    let s = 0;
    for (let k = 0, pa = ao + m * ar, pb = bo + n * bc; k < K; k++, pa += ac, pb += br) s += a[pa] * b[pb];
    return s;
  };
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, pa = ao + m * ar, pb = bo + n * bc; k < K; k++, pa += ac, pb += br) {
        const a0 = a[pa], a1 = a[pa + ar], a2 = a[pa + 2 * ar], a3 = a[pa + 3 * ar];
        const b0 = b[pb], b1 = b[pb + bc], b2 = b[pb + 2 * bc], b3 = b[pb + 3 * bc];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = m * N + n;
      C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03;
      o += N;
      C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13;
      o += N;
      C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23;
      o += N;
      C[o] += c30; C[o + 1] += c31; C[o + 2] += c32; C[o + 3] += c33;
    }
    for (; n < N; n++) for (let i = 0; i < 4; i++) C[(m + i) * N + n] += dot(m + i, n);
  }
  for (; m < M; m++) for (let n = 0; n < N; n++) C[m * N + n] += dot(m, n);
}
