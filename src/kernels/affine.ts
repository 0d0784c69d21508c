/**
 * Per-channel affine map y = x·scale[c] + shift[c] (BatchNormalization at inference), where the
 * channel axis has `channels` entries and `inner` cells follow it in memory.
 */
export function affineForward(
  x: Float32Array,
  y: Float32Array,
  scale: Float32Array,
  shift: Float32Array,
  count: number,
  channels: number,
  inner: number,
): void {
  for (let i = 0; i < count; i++) {
    const c = Math.floor(i / inner) % channels;
    y[i] = x[i] * scale[c] + shift[c];
  }
}

export function affineBackward(
  gy: Float32Array,
  gx: Float32Array,
  scale: Float32Array,
  count: number,
  channels: number,
  inner: number,
): void {
  for (let i = 0; i < count; i++) gx[i] = gy[i] * scale[Math.floor(i / inner) % channels];
}
