/** Keras' PReLU: y = max(x, 0) + α·min(x, 0), α per cell of a sample (already broadcast over `shared_axes`). */
export function preluForward(x: Float32Array, y: Float32Array, alpha: Float32Array, count: number): void {
  const size = alpha.length;
  for (let i = 0; i < count; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : alpha[i % size] * v;
  }
}

/** gx = gy·(1 for x > 0, α for x < 0, 0 at 0: TensorFlow's relu(x) − α·relu(−x) has slope 0 there). */
export function preluBackward(x: Float32Array, gy: Float32Array, gx: Float32Array, alpha: Float32Array, count: number): void {
  const size = alpha.length;
  for (let i = 0; i < count; i++) {
    const v = x[i];
    gx[i] = gy[i] * (v > 0 ? 1 : v < 0 ? alpha[i % size] : 0);
  }
}
