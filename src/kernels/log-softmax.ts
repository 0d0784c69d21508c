/** log_softmax over the last axis (length `k`) of `count / k` rows: x − max − log Σ exp(x − max), as Keras computes it. */
export function logSoftmaxForward(x: Float32Array, y: Float32Array, count: number, k: number): void {
  for (let r = 0; r < count; r += k) {
    let max = -Infinity;
    for (let i = 0; i < k; i++) max = Math.max(max, x[r + i]);
    let sum = 0;
    for (let i = 0; i < k; i++) sum += Math.exp(x[r + i] - max);
    const shift = max + Math.log(sum);
    for (let i = 0; i < k; i++) y[r + i] = x[r + i] - shift;
  }
}

/** gx = gy − softmax(x)·Σ gy, with softmax(x) = exp(y). */
export function logSoftmaxBackward(y: Float32Array, gy: Float32Array, gx: Float32Array, count: number, k: number): void {
  for (let r = 0; r < count; r += k) {
    let total = 0;
    for (let i = 0; i < k; i++) total += gy[r + i];
    for (let i = 0; i < k; i++) gx[r + i] = gy[r + i] - Math.exp(y[r + i]) * total;
  }
}
