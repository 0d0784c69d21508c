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
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((s * OH + oy) * OW + ox) * O;
        if (b) for (let o = 0; o < O; o++) y[yo + o] = b[o];
        else y.fill(0, yo, yo + O);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padL + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xo = ((s * H + iy) * W + ix) * C;
            const ko = (ky * kw + kx) * cinG * O;
            for (let grp = 0; grp < groups; grp++) {
              const yg = yo + grp * coutG;
              for (let ci = 0; ci < cinG; ci++) {
                const xv = x[xo + grp * cinG + ci];
                if (xv === 0) continue;
                const kr = ko + ci * O + grp * coutG;
                for (let o = 0; o < coutG; o++) y[yg + o] += xv * K[kr + o];
              }
            }
          }
        }
      }
    }
  }
}

/** The transposed convolution (backward-data): gx = ∂(Σ gy·y)/∂x. Writes every cell of gx. */
export function conv2dTranspose(gy: Float32Array, K: Float32Array, gx: Float32Array, n: number, g: ConvGeometry): void {
  const { H, W, C, OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL, groups } = g;
  const cinG = C / groups;
  const coutG = O / groups;
  gx.fill(0, 0, n * H * W * C);
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((s * OH + oy) * OW + ox) * O;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padL + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xo = ((s * H + iy) * W + ix) * C;
            const ko = (ky * kw + kx) * cinG * O;
            for (let grp = 0; grp < groups; grp++) {
              const yg = yo + grp * coutG;
              for (let ci = 0; ci < cinG; ci++) {
                const kr = ko + ci * O + grp * coutG;
                let acc = 0;
                for (let o = 0; o < coutG; o++) acc += gy[yg + o] * K[kr + o];
                gx[xo + grp * cinG + ci] += acc;
              }
            }
          }
        }
      }
    }
  }
}
