import { stridedMatmul } from './strided-matmul.js';

/**
 * Multi-head dot-product attention over rank-3 inputs (Keras' MultiHeadAttention with its default
 * attention axes). Layouts per sample: q (T, H, dk), k (S, H, dk), v (S, H, dv) as the projections
 * write them, scores and weights (H, T, S) as Keras returns them, context (T, H, dv).
 */

/** Which mask an extra input of the scores node is: per query step (T), per key step (S), or per pair (T, S). */
export type MaskRole = 'query' | 'key' | 'pair';

export interface AttentionScoresSpec {
  heads: number;
  /** Query steps, key steps, key depth. */
  T: number;
  S: number;
  dk: number;
  /** 1/√dk: Keras scales the projected query before the product. */
  scale: number;
  /** Lower triangle (row ≥ column) kept. */
  causal: boolean;
  /** The roles of the node's inputs after q and k. */
  masks: MaskRole[];
  /** Keras 3 multiplies the weights by the mask (a fully masked row is 0); tf.keras 2 keeps softmax(S − 1e9). */
  zeroMaskedRows: boolean;
}

/** Keras' large negative number for float32 masks. */
const MASKED = -1e9;

/** The combined mask (n, T, S) of 0/1, or null when nothing is masked: causal, query, key and pair masks ANDed. */
export function attentionMask(spec: AttentionScoresSpec, masks: Float32Array[], n: number): Uint8Array | null {
  if (!spec.causal && masks.length === 0) return null;
  const { T, S } = spec;
  const m = new Uint8Array(n * T * S).fill(1);
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < S; s++) {
        let keep = !spec.causal || t >= s;
        spec.masks.forEach((role, k) => {
          const v = role === 'query' ? masks[k][b * T + t] : role === 'key' ? masks[k][b * S + s] : masks[k][(b * T + t) * S + s];
          if (v === 0) keep = false;
        });
        m[(b * T + t) * S + s] = keep ? 1 : 0;
      }
    }
  }
  return m;
}

/** x (n, H, T, S) = (q·scale)·kᵀ per head: the scaled scores before the mask. */
export function attentionLogits(q: Float32Array, k: Float32Array, x: Float32Array, n: number, spec: AttentionScoresSpec): void {
  const { heads: H, T, S, dk, scale } = spec;
  const qs = new Float64Array(T * dk);
  const c = new Float64Array(T * S);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < H; h++) {
      // Keras scales the query (in float32) before the product.
      for (let t = 0; t < T; t++) for (let d = 0; d < dk; d++) qs[t * dk + d] = Math.fround(q[((b * T + t) * H + h) * dk + d] * scale);
      c.fill(0);
      stridedMatmul({ data: qs, off: 0, row: dk, col: 1 }, { data: k, off: (b * S * H + h) * dk, row: 1, col: H * dk }, c, T, S, dk);
      x.set(c, (b * H + h) * T * S);
    }
  }
}

/** A (n, H, T, S) = softmax over S of x + (1 − mask)·(−1e9), in float32 as Keras adds it; Keras 3 then multiplies by the mask. */
export function maskedSoftmax(x: Float32Array, mask: Uint8Array | null, A: Float32Array, n: number, spec: AttentionScoresSpec): void {
  const { heads: H, T, S } = spec;
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const r = ((b * H + h) * T + t) * S;
        const mo = (b * T + t) * S;
        let max = -Infinity;
        for (let s = 0; s < S; s++) {
          const z = mask && !mask[mo + s] ? Math.fround(x[r + s] + MASKED) : x[r + s];
          A[r + s] = z;
          if (z > max) max = z;
        }
        let sum = 0;
        for (let s = 0; s < S; s++) sum += A[r + s] = Math.exp(A[r + s] - max);
        for (let s = 0; s < S; s++) A[r + s] = mask && spec.zeroMaskedRows && !mask[mo + s] ? 0 : A[r + s] / sum;
      }
    }
  }
}

/** The gradient at the scaled scores from the gradient at the weights: A ⊙ (gA − Σ A·gA) per row (0 where Keras 3 zeroed A). */
export function maskedSoftmaxBackward(A: Float32Array, gA: Float32Array, gx: Float32Array, rows: number, S: number): void {
  for (let r = 0; r < rows * S; r += S) {
    let dot = 0;
    for (let s = 0; s < S; s++) dot += gA[r + s] * A[r + s];
    for (let s = 0; s < S; s++) gx[r + s] = A[r + s] * (gA[r + s] - dot);
  }
}

/** The adjoint of `attentionLogits`: gq += scale·gx·k, gk += scale·gxᵀ·q (per head). */
export function attentionLogitsBackward(
  gx: Float32Array,
  q: Float32Array,
  k: Float32Array,
  gq: Float32Array,
  gk: Float32Array,
  n: number,
  spec: AttentionScoresSpec,
): void {
  const { heads: H, T, S, dk, scale } = spec;
  const cq = new Float64Array(T * dk);
  const ck = new Float64Array(S * dk);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < H; h++) {
      const g = (b * H + h) * T * S;
      cq.fill(0);
      ck.fill(0);
      stridedMatmul({ data: gx, off: g, row: S, col: 1 }, { data: k, off: (b * S * H + h) * dk, row: H * dk, col: 1 }, cq, T, dk, S);
      stridedMatmul({ data: gx, off: g, row: 1, col: S }, { data: q, off: (b * T * H + h) * dk, row: H * dk, col: 1 }, ck, S, dk, T);
      addToHead(cq, scale, gq, b, h, T, H, dk);
      addToHead(ck, scale, gk, b, h, S, H, dk);
    }
  }
}

/** One head of one sample of a (rows, H, d) tensor += f · block (rows × d). */
function addToHead(block: Float64Array, f: number, x: Float32Array, b: number, h: number, rows: number, heads: number, d: number): void {
  for (let r = 0; r < rows; r++) {
    const o = ((b * rows + r) * heads + h) * d;
    for (let j = 0; j < d; j++) x[o + j] += f * block[r * d + j];
  }
}

/** ctx (n, T, H, dv) = A·v per head. */
export function attentionContext(
  A: Float32Array,
  v: Float32Array,
  ctx: Float32Array,
  n: number,
  heads: number,
  T: number,
  S: number,
  dv: number,
): void {
  const c = new Float64Array(T * dv);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      c.fill(0);
      stridedMatmul(
        { data: A, off: (b * heads + h) * T * S, row: S, col: 1 },
        { data: v, off: (b * S * heads + h) * dv, row: heads * dv, col: 1 },
        c,
        T,
        dv,
        S,
      );
      for (let t = 0; t < T; t++) for (let p = 0; p < dv; p++) ctx[((b * T + t) * heads + h) * dv + p] = c[t * dv + p];
    }
  }
}

/** The adjoint of `attentionContext`: gA = g·vᵀ, gv += Aᵀ·g (per head). */
export function attentionContextBackward(
  g: Float32Array,
  A: Float32Array,
  v: Float32Array,
  gA: Float32Array,
  gv: Float32Array,
  n: number,
  heads: number,
  T: number,
  S: number,
  dv: number,
): void {
  const cA = new Float64Array(T * S);
  const cv = new Float64Array(S * dv);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      const gh = { data: g, off: (b * T * heads + h) * dv, row: heads * dv, col: 1 };
      const a = (b * heads + h) * T * S;
      cA.fill(0);
      cv.fill(0);
      stridedMatmul(gh, { data: v, off: (b * S * heads + h) * dv, row: 1, col: heads * dv }, cA, T, S, dv);
      stridedMatmul({ data: A, off: a, row: 1, col: S }, gh, cv, S, dv, T);
      gA.set(cA, a);
      addToHead(cv, 1, gv, b, h, S, heads, dv);
    }
  }
}
