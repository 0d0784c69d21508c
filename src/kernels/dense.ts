/** Dense layer kernels over a batch of `n` rows; W is Keras' (in, out) row-major kernel. */

/** y = x·W + b, accumulated in float64 and rounded once (fewer float32 sign flips near zero). */
export function denseForward(
  x: Float32Array, W: Float32Array, b: Float32Array | null, y: Float32Array,
  n: number, inF: number, outF: number,
): void {
  const acc = new Float64Array(outF);
  for (let s = 0; s < n; s++) {
    if (b) acc.set(b);
    else acc.fill(0);
    const xo = s * inF;
    for (let i = 0; i < inF; i++) {
      const xv = x[xo + i];
      if (xv === 0) continue;
      const wo = i * outF;
      for (let o = 0; o < outF; o++) acc[o] += xv * W[wo + o];
    }
    y.set(acc, s * outF);
  }
}

/** gx = gy·Wᵀ: the gradient with respect to the input (bias plays no part). */
export function denseTranspose(
  gy: Float32Array, W: Float32Array, gx: Float32Array,
  n: number, inF: number, outF: number,
): void {
  for (let s = 0; s < n; s++) {
    const go = s * outF;
    const xo = s * inF;
    for (let i = 0; i < inF; i++) {
      const wo = i * outF;
      let acc = 0;
      for (let o = 0; o < outF; o++) acc += gy[go + o] * W[wo + o];
      gx[xo + i] = acc;
    }
  }
}
