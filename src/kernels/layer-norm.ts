/**
 * Layer normalization (Keras' LayerNormalization) over arbitrary axes of a sample: every cell belongs
 * to one group (the cells that share its position on the axes not normalized) and reads gamma/beta
 * at `param`. y = (x − mean)·γ/√(var + ε) + β with the population variance; with `rms` (Keras'
 * `rms_scaling`) y = x·γ/√(var + ε), still with the centred variance, as Keras computes it.
 */
export interface LayerNormSpec {
  /** Per sample: the group of each cell, and the gamma/beta index of each cell. */
  group: Int32Array;
  param: Int32Array;
  groups: number;
  /** Cells per group. */
  count: number;
  gamma: Float32Array | null;
  beta: Float32Array | null;
  epsilon: number;
  rms: boolean;
}

/** Mean and 1/√(var + ε) of every group of every sample. */
function moments(x: Float32Array, spec: LayerNormSpec, n: number): { mean: Float64Array; inv: Float64Array } {
  const size = spec.group.length;
  const mean = new Float64Array(n * spec.groups);
  const inv = new Float64Array(n * spec.groups);
  for (let s = 0; s < n; s++) {
    const g0 = s * spec.groups;
    for (let i = 0; i < size; i++) mean[g0 + spec.group[i]] += x[s * size + i];
    for (let g = 0; g < spec.groups; g++) mean[g0 + g] /= spec.count;
    for (let i = 0; i < size; i++) {
      const d = x[s * size + i] - mean[g0 + spec.group[i]];
      inv[g0 + spec.group[i]] += d * d;
    }
    for (let g = 0; g < spec.groups; g++) inv[g0 + g] = 1 / Math.sqrt(inv[g0 + g] / spec.count + spec.epsilon);
  }
  return { mean, inv };
}

export function layerNormForward(x: Float32Array, y: Float32Array, spec: LayerNormSpec, n: number): void {
  const size = spec.group.length;
  const { mean, inv } = moments(x, spec, n);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < size; i++) {
      const g = s * spec.groups + spec.group[i];
      const p = spec.param[i];
      const scale = inv[g] * (spec.gamma ? spec.gamma[p] : 1);
      const j = s * size + i;
      y[j] = spec.rms ? x[j] * scale : (x[j] - mean[g]) * scale + (spec.beta ? spec.beta[p] : 0);
    }
  }
}

/**
 * The gradient at the input. With u = gy·γ and x̂ = (x − mean)·inv over a group of N cells:
 * gx = inv·(u − mean(u) − x̂·mean(u·x̂)); for `rms`, gx = inv·u − inv³·(x − mean)·Σ(u·x)/N.
 */
export function layerNormBackward(x: Float32Array, gy: Float32Array, gx: Float32Array, spec: LayerNormSpec, n: number): void {
  const size = spec.group.length;
  const { mean, inv } = moments(x, spec, n);
  const a = new Float64Array(spec.groups);
  const b = new Float64Array(spec.groups);
  for (let s = 0; s < n; s++) {
    a.fill(0);
    b.fill(0);
    const g0 = s * spec.groups;
    for (let i = 0; i < size; i++) {
      const g = spec.group[i];
      const j = s * size + i;
      const u = gy[j] * (spec.gamma ? spec.gamma[spec.param[i]] : 1);
      a[g] += u;
      b[g] += spec.rms ? u * x[j] : u * (x[j] - mean[g0 + g]) * inv[g0 + g];
    }
    for (let i = 0; i < size; i++) {
      const g = spec.group[i];
      const j = s * size + i;
      const u = gy[j] * (spec.gamma ? spec.gamma[spec.param[i]] : 1);
      const iv = inv[g0 + g];
      const centred = x[j] - mean[g0 + g];
      gx[j] = spec.rms
        ? iv * u - (iv * iv * iv * centred * b[g]) / spec.count
        : iv * (u - a[g] / spec.count - (centred * iv * b[g]) / spec.count);
    }
  }
}
