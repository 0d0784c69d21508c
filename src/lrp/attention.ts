import {
  attentionContextBackward,
  attentionLogits,
  attentionLogitsBackward,
  attentionMask,
  type AttentionScoresSpec,
} from '../kernels/attention.js';
import type { LayerNormSpec } from '../kernels/layer-norm.js';
import type { Reduction } from '../kernels/tf-ops.js';

/**
 * How a method treats the parts of a transformer that are neither Dense nor Conv
 * (CONVENTIONS-TRANSFORMERS.md §2–3): attention's products by AttnLRP's uniform rule, or with the
 * weights frozen (CP-LRP); LayerNormalization passing relevance, or as a linear map with σ frozen.
 */
export interface TransformerRules {
  attention: 'uniform' | 'frozen';
  layerNorm: 'pass' | 'frozen-sigma';
}

/** What every method does unless its composite says otherwise. */
export const DEFAULT_TRANSFORMER_RULES: TransformerRules = { attention: 'uniform', layerNorm: 'pass' };

const stab = (z: number, eps: number): number => z + (z >= 0 ? eps : -eps);

/**
 * Relevance at q and k from the relevance at the weights A: AttnLRP's softmax rule on the scaled
 * scores x (R_x = x·(R_A − A·ΣR_A) over the key axis, masked entries 0), then the uniform rule on
 * the product x = (q/√dk)·kᵀ (each factor half: R_q = q ⊙ ∂x/∂qᵀ·(R_x / stab(2x))). Masks get nothing.
 */
export function attentionScoresRelevance(
  spec: AttentionScoresSpec,
  xs: Float32Array[],
  A: Float32Array,
  R: Float32Array,
  n: number,
  eps: number,
): Float32Array[] {
  const [q, k] = xs;
  const x = new Float32Array(A.length);
  attentionLogits(q, k, x, n, spec);
  const mask = attentionMask(spec, xs.slice(2), n);
  const { heads: H, T, S } = spec;
  const g = new Float32Array(A.length);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const r = ((b * H + h) * T + t) * S;
        const mo = (b * T + t) * S;
        let total = 0;
        for (let s = 0; s < S; s++) total += R[r + s];
        for (let s = 0; s < S; s++) {
          if (mask && !mask[mo + s]) continue;
          const Rx = x[r + s] * (R[r + s] - A[r + s] * total);
          g[r + s] = Rx / stab(2 * x[r + s], eps);
        }
      }
    }
  }
  const gq = new Float32Array(q.length);
  const gk = new Float32Array(k.length);
  attentionLogitsBackward(g, q, k, gq, gk, n, spec);
  for (let i = 0; i < gq.length; i++) gq[i] *= q[i];
  for (let i = 0; i < gk.length; i++) gk[i] *= k[i];
  return [gq, gk, ...xs.slice(2).map((m) => new Float32Array(m.length))];
}

/**
 * Relevance at A and v from the relevance at the context o = A·v: the uniform rule (each factor
 * half, normalised by stab(2o)), or with A frozen (v takes it all, normalised by stab(o)).
 */
export function attentionContextRelevance(
  op: { heads: number; T: number; S: number; dv: number },
  xs: Float32Array[],
  o: Float32Array,
  R: Float32Array,
  n: number,
  eps: number,
  rule: TransformerRules['attention'],
): Float32Array[] {
  const [A, v] = xs;
  const factor = rule === 'uniform' ? 2 : 1;
  const g = new Float32Array(o.length);
  for (let j = 0; j < g.length; j++) g[j] = R[j] / stab(factor * o[j], eps);
  const gA = new Float32Array(A.length);
  const gv = new Float32Array(v.length);
  attentionContextBackward(g, A, v, gA, gv, n, op.heads, op.T, op.S, op.dv);
  for (let i = 0; i < gv.length; i++) gv[i] *= v[i];
  if (rule === 'frozen') return [new Float32Array(A.length), gv];
  for (let i = 0; i < gA.length; i++) gA[i] *= A[i];
  return [gA, gv];
}

/**
 * LayerNormalization as the linear map it is once σ is frozen (AttnLRP): with c = R / stab(y),
 * R_in_i = (x_i/σ)·(γ_i c_i − mean_k γ_k c_k) over each group (no centring term under rms_scaling).
 */
export function layerNormRelevance(
  spec: LayerNormSpec,
  x: Float32Array,
  y: Float32Array,
  R: Float32Array,
  n: number,
  eps: number,
): Float32Array {
  const size = spec.group.length;
  const out = new Float32Array(x.length);
  const mean = new Float64Array(spec.groups);
  const inv = new Float64Array(spec.groups);
  const centre = new Float64Array(spec.groups);
  const c = new Float64Array(size);
  for (let s = 0; s < n; s++) {
    mean.fill(0);
    inv.fill(0);
    centre.fill(0);
    const o = s * size;
    for (let i = 0; i < size; i++) mean[spec.group[i]] += x[o + i];
    for (let g = 0; g < spec.groups; g++) mean[g] /= spec.count;
    for (let i = 0; i < size; i++) {
      const d = x[o + i] - mean[spec.group[i]];
      inv[spec.group[i]] += d * d;
    }
    for (let g = 0; g < spec.groups; g++) inv[g] = 1 / Math.sqrt(inv[g] / spec.count + spec.epsilon);
    for (let i = 0; i < size; i++) {
      c[i] = (spec.gamma ? spec.gamma[spec.param[i]] : 1) * (R[o + i] / stab(y[o + i], eps));
      centre[spec.group[i]] += c[i];
    }
    for (let i = 0; i < size; i++) {
      const g = spec.group[i];
      out[o + i] = x[o + i] * inv[g] * (spec.rms ? c[i] : c[i] - centre[g] / spec.count);
    }
  }
  return out;
}

/** reduce_sum: R_i = x_i·R / stab(Σx); reduce_mean (the Average rule): R_i = x_i·R / (n·stab(mean)). */
export function reduceRelevance(r: Reduction, x: Float32Array, y: Float32Array, R: Float32Array, n: number, eps: number): Float32Array {
  const size = r.group.length;
  const out = new Float32Array(x.length);
  const per = r.mean ? r.count : 1;
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < size; i++) {
      const j = s * r.groups + r.group[i];
      out[s * size + i] = (x[s * size + i] * R[j]) / (per * stab(y[j], eps));
    }
  }
  return out;
}
