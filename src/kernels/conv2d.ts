import type { WindowGeometry } from './geometry.js';

/**
 * 2-D convolution (cross-correlation, as TensorFlow) in NHWC with a Keras (kh, kw, C/groups, O) kernel.
 * Covers Conv1D (H = 1), grouped Conv2D and DepthwiseConv2D (groups = C; its (kh, kw, C, m) kernel is
 * already the (kh, kw, 1, C·m) grouped layout).
 */
export interface ConvGeometry extends WindowGeometry {
  O: number;
  groups: number;
}

export function conv2dForward(
  x: Float32Array, K: Float32Array, b: Float32Array | null, y: Float32Array, n: number, g: ConvGeometry,
): void {
  const { H, W, C, OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL, groups } = g;
  const cinG = C / groups;
  const coutG = O / groups;
  // Each output pixel is accumulated in float64 and rounded once, as the gradients are.
  const acc = new Float64Array(O);
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((s * OH + oy) * OW + ox) * O;
        if (b) acc.set(b);
        else acc.fill(0);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padL + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xo = ((s * H + iy) * W + ix) * C;
            const ko = (ky * kw + kx) * cinG * O;
            for (let grp = 0; grp < groups; grp++) {
              const yg = grp * coutG;
              for (let ci = 0; ci < cinG; ci++) {
                const xv = x[xo + grp * cinG + ci];
                if (xv === 0) continue;
                const kr = ko + ci * O + grp * coutG;
                for (let o = 0; o < coutG; o++) acc[yg + o] += xv * K[kr + o];
              }
            }
          }
        }
        y.set(acc, yo);
      }
    }
  }
}

/** The transposed convolution (backward-data): gx = ∂(Σ gy·y)/∂x. Writes every cell of gx. */
export function conv2dTranspose(gy: Float32Array, K: Float32Array, gx: Float32Array, n: number, g: ConvGeometry): void {
  const { H, W, C, OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL, groups } = g;
  const cinG = C / groups;
  const coutG = O / groups;
  const sample = H * W * C;
  const acc = new Float64Array(sample);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((s * OH + oy) * OW + ox) * O;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padL + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xo = (iy * W + ix) * C;
            const ko = (ky * kw + kx) * cinG * O;
            for (let grp = 0; grp < groups; grp++) {
              const yg = yo + grp * coutG;
              for (let ci = 0; ci < cinG; ci++) {
                const kr = ko + ci * O + grp * coutG;
                let dot = 0;
                for (let o = 0; o < coutG; o++) dot += gy[yg + o] * K[kr + o];
                acc[xo + grp * cinG + ci] += dot;
              }
            }
          }
        }
      }
    }
    gx.set(acc, s * sample);
  }
}
