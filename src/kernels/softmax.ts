/** Softmax over the last axis (length `k`) of `count / k` rows. */
export function softmaxForward(x: Float32Array, y: Float32Array, count: number, k: number): void {
  for (let r = 0; r < count; r += k) {
    let max = -Infinity;
    for (let i = 0; i < k; i++) max = Math.max(max, x[r + i]);
    let sum = 0;
    for (let i = 0; i < k; i++) sum += y[r + i] = Math.exp(x[r + i] - max);
    for (let i = 0; i < k; i++) y[r + i] /= sum;
  }
}

/** gx = y ⊙ (gy − Σ gy·y), the softmax Jacobian-vector product. */
export function softmaxBackward(y: Float32Array, gy: Float32Array, gx: Float32Array, count: number, k: number): void {
  for (let r = 0; r < count; r += k) {
    let dot = 0;
    for (let i = 0; i < k; i++) dot += gy[r + i] * y[r + i];
    for (let i = 0; i < k; i++) gx[r + i] = y[r + i] * (gy[r + i] - dot);
  }
}
