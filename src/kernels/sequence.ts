/** Kernels of text and sequence models around the recurrent layers: embedding lookups, masks, merges of two directions. */

/**
 * e[i, :] = E[token[i], :] for every one of `count` tokens; returns the index of the first token that is
 * not an integer in [0, vocab) (nothing written from there on), or −1.
 */
export function embeddingForward(
  tokens: Float32Array,
  E: Float32Array,
  y: Float32Array,
  count: number,
  dim: number,
  vocab: number,
): number {
  for (let i = 0; i < count; i++) {
    const id = tokens[i];
    if (!(id >= 0 && id < vocab && Number.isInteger(id))) return i;
    y.set(E.subarray(id * dim, (id + 1) * dim), i * dim);
  }
  return -1;
}

/** Σ over the embedding axis: what a token receives of the signal at its embedding (gradient, relevance). */
export function sumRows(g: Float32Array, out: Float32Array, count: number, dim: number): void {
  for (let i = 0; i < count; i++) {
    let acc = 0;
    for (let e = 0; e < dim; e++) acc += g[i * dim + e];
    out[i] = acc;
  }
}

/** mask[i] = 1 where any of the `features` values of row i differs from `value` (Masking; tokens: features 1, value 0). */
export function maskOf(x: Float32Array, mask: Float32Array, rows: number, features: number, value: number): void {
  for (let i = 0; i < rows; i++) {
    let on = 0;
    for (let f = 0; f < features; f++) {
      if (x[i * features + f] !== value) {
        on = 1;
        break;
      }
    }
    mask[i] = on;
  }
}

/** y = x ⊙ mask per row (the Masking layer's output), and likewise its adjoint. */
export function applyRowMask(x: Float32Array, mask: Float32Array, y: Float32Array, rows: number, features: number): void {
  for (let i = 0; i < rows; i++) for (let f = 0; f < features; f++) y[i * features + f] = mask[i] ? x[i * features + f] : 0;
}

export type DirectionMerge = 'sum' | 'ave' | 'mul';

/** Bidirectional's merge of the forward and backward outputs. */
export function mergeDirections(mode: DirectionMerge, a: Float32Array, b: Float32Array, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = mode === 'mul' ? a[i] * b[i] : mode === 'sum' ? a[i] + b[i] : (a[i] + b[i]) / 2;
}

/** The gradient of the merge with respect to each direction. */
export function mergeDirectionsBackward(
  mode: DirectionMerge,
  a: Float32Array,
  b: Float32Array,
  g: Float32Array,
): [Float32Array, Float32Array] {
  if (mode === 'mul') return [g.map((v, i) => v * b[i]), g.map((v, i) => v * a[i])];
  if (mode === 'sum') return [g, g];
  const half = g.map((v) => v / 2);
  return [half, half];
}

/**
 * GlobalAveragePooling1D under a mask: y[c] = Σ_t mask_t·x[t, c] / Σ_t mask_t per sample (0 when every
 * step is masked); `weightsOf` gives each step's weight mask_t / Σ mask, the map's transpose.
 */
export function maskedMeanWeights(mask: Float32Array, n: number, steps: number): Float32Array {
  const w = new Float32Array(n * steps);
  for (let s = 0; s < n; s++) {
    let count = 0;
    for (let t = 0; t < steps; t++) count += mask[s * steps + t] ? 1 : 0;
    for (let t = 0; t < steps; t++) w[s * steps + t] = count > 0 && mask[s * steps + t] ? 1 / count : 0;
  }
  return w;
}

export function maskedMeanForward(x: Float32Array, w: Float32Array, y: Float32Array, n: number, steps: number, channels: number): void {
  y.fill(0);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < steps; t++) {
      const wt = w[s * steps + t];
      if (wt === 0) continue;
      for (let c = 0; c < channels; c++) y[s * channels + c] += wt * x[(s * steps + t) * channels + c];
    }
  }
}

export function maskedMeanTranspose(g: Float32Array, w: Float32Array, gx: Float32Array, n: number, steps: number, channels: number): void {
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < steps; t++) {
      const wt = w[s * steps + t];
      for (let c = 0; c < channels; c++) gx[(s * steps + t) * channels + c] = wt * g[s * channels + c];
    }
  }
}
