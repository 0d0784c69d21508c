import { recurrentBackward } from '../kernels/recurrent.js';
import type { Op } from '../model/graph.js';

/**
 * LRP through recurrent layers and Bidirectional merges (Arras et al. 2017, 2019; CONVENTIONS-RECURRENT.md
 * §2): the ε-rule on every linear map inside a cell, gates get nothing, the cell and GRU updates split in
 * proportion, relevance carried back through time and through masked steps. `epsilon` is the method's.
 */
export function recurrentRelevance(
  op: Extract<Op, { kind: 'recurrent' }>,
  xs: Float32Array[],
  y: Float32Array,
  R: Float32Array,
  n: number,
  epsilon: number,
): Float32Array[] {
  return recurrentBackward(op.spec, xs, n * (op.slices ?? 1), op.steps, R, { kind: 'lrp', epsilon }, y);
}

/**
 * Bidirectional sum / ave: each direction by its share of the merged value, `y_d / stab_ε(y_f + y_b)`
 * (the ½ of ave cancels); mul: neither factor is a gate, so each gets half (the Multiply rule).
 */
export function mergeDirectionsRelevance(
  mode: 'sum' | 'ave' | 'mul',
  xs: Float32Array[],
  R: Float32Array,
  epsilon: number,
): Float32Array[] {
  const [a, b] = xs;
  if (mode === 'mul') {
    const half = R.map((r) => r / 2);
    return [half, half.slice()];
  }
  const ra = new Float32Array(R.length);
  const rb = new Float32Array(R.length);
  for (let i = 0; i < R.length; i++) {
    const z = a[i] + b[i];
    const d = z + (z >= 0 ? epsilon : -epsilon);
    const s = d === 0 ? 0 : R[i] / d;
    ra[i] = a[i] * s;
    rb[i] = b[i] * s;
  }
  return [ra, rb];
}
