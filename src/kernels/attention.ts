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

/**
 * One head of one sample of a (rows, H, d) tensor as a contiguous (d, rows) block: the inner loops
 * below then run over steps, contiguous and long, instead of over the few features of a head.
 */
function headColumns(x: Float32Array, b: number, h: number, rows: number, heads: number, d: number, out: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    const o = ((b * rows + r) * heads + h) * d;
    for (let j = 0; j < d; j++) out[j * rows + r] = x[o + j];
  }
  return out;
}

/** Add a (d, rows) block back into one head of one sample of a (rows, H, d) tensor. */
function addHeadColumns(cols: Float64Array, x: Float32Array, b: number, h: number, rows: number, heads: number, d: number): void {
  for (let r = 0; r < rows; r++) {
    const o = ((b * rows + r) * heads + h) * d;
    for (let j = 0; j < d; j++) x[o + j] += cols[j * rows + r];
  }
}

/** x (n, H, T, S) = (q·scale)·kᵀ per head: the scaled scores before the mask. */
export function attentionLogits(q: Float32Array, k: Float32Array, x: Float32Array, n: number, spec: AttentionScoresSpec): void {
  const { heads: H, T, S, dk, scale } = spec;
  const kCols = new Float64Array(dk * S);
  const row = new Float64Array(S);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < H; h++) {
      headColumns(k, b, h, S, H, dk, kCols);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * H + h) * dk;
        row.fill(0);
        for (let d = 0; d < dk; d++) {
          // Keras scales the query (in float32) before the product.
          const c = Math.fround(q[qo + d] * scale);
          const ko = d * S;
          for (let s = 0; s < S; s++) row[s] += c * kCols[ko + s];
        }
        x.set(row, ((b * H + h) * T + t) * S);
      }
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
  gx: Float32Array, q: Float32Array, k: Float32Array, gq: Float32Array, gk: Float32Array, n: number, spec: AttentionScoresSpec,
): void {
  const { heads: H, T, S, dk, scale } = spec;
  const kCols = new Float64Array(dk * S);
  const gkCols = new Float64Array(dk * S);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < H; h++) {
      headColumns(k, b, h, S, H, dk, kCols);
      gkCols.fill(0);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * H + h) * dk;
        const xo = ((b * H + h) * T + t) * S;
        for (let d = 0; d < dk; d++) {
          const ko = d * S;
          const c = scale * q[qo + d];
          let dot = 0;
          for (let s = 0; s < S; s++) {
            const g = gx[xo + s];
            dot += g * kCols[ko + s];
            gkCols[ko + s] += c * g;
          }
          gq[qo + d] += scale * dot;
        }
      }
      addHeadColumns(gkCols, gk, b, h, S, H, dk);
    }
  }
}

/** ctx (n, T, H, dv) = A·v per head. */
export function attentionContext(A: Float32Array, v: Float32Array, ctx: Float32Array, n: number, heads: number, T: number, S: number, dv: number): void {
  const vCols = new Float64Array(dv * S);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      headColumns(v, b, h, S, heads, dv, vCols);
      for (let t = 0; t < T; t++) {
        const ao = ((b * heads + h) * T + t) * S;
        const co = ((b * T + t) * heads + h) * dv;
        for (let p = 0; p < dv; p++) {
          const vo = p * S;
          let acc = 0;
          for (let s = 0; s < S; s++) acc += A[ao + s] * vCols[vo + s];
          ctx[co + p] = acc;
        }
      }
    }
  }
}

/** The adjoint of `attentionContext`: gA = g·vᵀ, gv += Aᵀ·g (per head). */
export function attentionContextBackward(
  g: Float32Array, A: Float32Array, v: Float32Array, gA: Float32Array, gv: Float32Array, n: number, heads: number, T: number, S: number, dv: number,
): void {
  const vCols = new Float64Array(dv * S);
  const gvCols = new Float64Array(dv * S);
  const row = new Float64Array(S);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      headColumns(v, b, h, S, heads, dv, vCols);
      gvCols.fill(0);
      for (let t = 0; t < T; t++) {
        const ao = ((b * heads + h) * T + t) * S;
        const go = ((b * T + t) * heads + h) * dv;
        row.fill(0);
        for (let p = 0; p < dv; p++) {
          const c = g[go + p];
          if (c === 0) continue;
          const vo = p * S;
          for (let s = 0; s < S; s++) {
            row[s] += c * vCols[vo + s];
            gvCols[vo + s] += c * A[ao + s];
          }
        }
        gA.set(row, ao);
      }
      addHeadColumns(gvCols, gv, b, h, S, heads, dv);
    }
  }
}
