import { cell } from './elementwise.js';

/**
 * The TensorFlow / Keras 3 operations a functional model may record between layers that no Keras
 * layer covers: reductions over axes, a few element-wise functions, and the quotient of two tensors.
 */

/** An element-wise function of one tensor; `not-equal` compares with a constant (1 where different). */
export type Pointwise = { fn: 'sqrt' } | { fn: 'square' } | { fn: 'not-equal'; value: number };

export function pointwiseForward(op: Pointwise, x: Float32Array, y: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = x[i];
    y[i] = op.fn === 'sqrt' ? Math.sqrt(v) : op.fn === 'square' ? v * v : v !== op.value ? 1 : 0;
  }
}

/** The derivative times gy; a comparison has none (TensorFlow gives no gradient through it). */
export function pointwiseBackward(
  op: Pointwise,
  x: Float32Array,
  y: Float32Array,
  gy: Float32Array,
  gx: Float32Array,
  count: number,
): void {
  for (let i = 0; i < count; i++) {
    gx[i] = op.fn === 'sqrt' ? gy[i] * (y[i] === 0 ? 0 : 0.5 / y[i]) : op.fn === 'square' ? gy[i] * 2 * x[i] : 0;
  }
}

/**
 * A sum or mean over some axes of a sample: each cell adds into its `group` (its position on the
 * kept axes); `count` cells per group.
 */
export interface Reduction {
  group: Int32Array;
  groups: number;
  count: number;
  mean: boolean;
}

export function reduceForward(x: Float32Array, y: Float32Array, r: Reduction, n: number): void {
  const size = r.group.length;
  const acc = new Float64Array(r.groups);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    for (let i = 0; i < size; i++) acc[r.group[i]] += x[s * size + i];
    for (let g = 0; g < r.groups; g++) y[s * r.groups + g] = r.mean ? acc[g] / r.count : acc[g];
  }
}

/** The adjoint: each cell receives its group's gradient (divided by the count for a mean). */
export function reduceBackward(gy: Float32Array, gx: Float32Array, r: Reduction, n: number): void {
  const size = r.group.length;
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < size; i++) {
      const g = gy[s * r.groups + r.group[i]];
      gx[s * size + i] = r.mean ? g / r.count : g;
    }
  }
}

/** y = a / b with broadcasting: each input reads through its index map (null: the output's own cell). */
export function divideForward(
  a: Float32Array,
  b: Float32Array,
  maps: (Int32Array | null)[],
  inSizes: number[],
  y: Float32Array,
  n: number,
  outSize: number,
): void {
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < outSize; i++) y[s * outSize + i] = a[s * inSizes[0] + cell(maps[0], i)] / b[s * inSizes[1] + cell(maps[1], i)];
  }
}

/** The gradients at a and b (gy/b and −gy·a/b²), summed back over broadcast axes. */
export function divideBackward(
  a: Float32Array,
  b: Float32Array,
  maps: (Int32Array | null)[],
  inSizes: number[],
  gy: Float32Array,
  n: number,
  outSize: number,
): [Float32Array, Float32Array] {
  const ga = new Float32Array(n * inSizes[0]);
  const gb = new Float32Array(n * inSizes[1]);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < outSize; i++) {
      const ia = s * inSizes[0] + cell(maps[0], i);
      const ib = s * inSizes[1] + cell(maps[1], i);
      const g = gy[s * outSize + i];
      ga[ia] += g / b[ib];
      gb[ib] -= (g * a[ia]) / (b[ib] * b[ib]);
    }
  }
  return [ga, gb];
}
