import type { WindowGeometry } from './geometry.js';

/**
 * Pooling in NHWC. Padded cells never take part: max pooling pads with −∞ and average pooling
 * divides by the number of real cells (TensorFlow's `same`). Max pooling routes a window to its
 * first maximal input in row-major order, as the gradient of TensorFlow and PyTorch does.
 */

function windowRange(o: number, s: number, pad: number, k: number, d: number, n: number): [number, number] {
  let k0 = 0;
  let k1 = k;
  const start = o * s - pad;
  while (k0 < k1 && start + k0 * d < 0) k0++;
  while (k1 > k0 && start + (k1 - 1) * d >= n) k1--;
  return [k0, k1];
}

/** Index (within one sample, NHWC) of the first maximal cell of each window and channel; -1 if empty. */
function argmaxCell(x: Float32Array, xs: number, oy: number, ox: number, c: number, g: WindowGeometry): number {
  const { H, W, C, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  const [ky0, ky1] = windowRange(oy, sh, padT, kh, dh, H);
  const [kx0, kx1] = windowRange(ox, sw, padL, kw, dw, W);
  let best = -1;
  let bestValue = -Infinity;
  for (let ky = ky0; ky < ky1; ky++) {
    const iy = oy * sh - padT + ky * dh;
    for (let kx = kx0; kx < kx1; kx++) {
      const at = (iy * W + ox * sw - padL + kx * dw) * C + c;
      const v = x[xs + at];
      if (best < 0 || v > bestValue) {
        best = at;
        bestValue = v;
      }
    }
  }
  return best;
}

export function maxPoolForward(x: Float32Array, y: Float32Array, n: number, g: WindowGeometry): void {
  const { H, W, C, OH, OW } = g;
  for (let s = 0; s < n; s++) {
    const xs = s * H * W * C;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((s * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const at = argmaxCell(x, xs, oy, ox, c, g);
          y[yo + c] = at < 0 ? -Infinity : x[xs + at];
        }
      }
    }
  }
}

/** Sends each window's upstream value to its first maximal input; overlapping windows add up. */
export function maxPoolBackward(x: Float32Array, gy: Float32Array, gx: Float32Array, n: number, g: WindowGeometry): void {
  const { H, W, C, OH, OW } = g;
  gx.fill(0, 0, n * H * W * C);
  for (let s = 0; s < n; s++) {
    const xs = s * H * W * C;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((s * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const at = argmaxCell(x, xs, oy, ox, c, g);
          if (at >= 0) gx[xs + at] += gy[yo + c];
        }
      }
    }
  }
}

export function avgPoolForward(x: Float32Array, y: Float32Array, n: number, g: WindowGeometry): void {
  const { H, W, C, OH, OW, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      const [ky0, ky1] = windowRange(oy, sh, padT, kh, dh, H);
      for (let ox = 0; ox < OW; ox++) {
        const [kx0, kx1] = windowRange(ox, sw, padL, kw, dw, W);
        const yo = ((s * OH + oy) * OW + ox) * C;
        y.fill(0, yo, yo + C);
        for (let ky = ky0; ky < ky1; ky++) {
          for (let kx = kx0; kx < kx1; kx++) {
            const xo = ((s * H + oy * sh - padT + ky * dh) * W + ox * sw - padL + kx * dw) * C;
            for (let c = 0; c < C; c++) y[yo + c] += x[xo + c];
          }
        }
        const inv = 1 / Math.max(1, (ky1 - ky0) * (kx1 - kx0));
        for (let c = 0; c < C; c++) y[yo + c] *= inv;
      }
    }
  }
}

/** Adjoint of average pooling: each cell gets the mean-weighted sum of the windows it is in. */
export function avgPoolTranspose(gy: Float32Array, gx: Float32Array, n: number, g: WindowGeometry): void {
  const { H, W, C, OH, OW, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  gx.fill(0, 0, n * H * W * C);
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      const [ky0, ky1] = windowRange(oy, sh, padT, kh, dh, H);
      for (let ox = 0; ox < OW; ox++) {
        const [kx0, kx1] = windowRange(ox, sw, padL, kw, dw, W);
        const yo = ((s * OH + oy) * OW + ox) * C;
        const inv = 1 / Math.max(1, (ky1 - ky0) * (kx1 - kx0));
        for (let ky = ky0; ky < ky1; ky++) {
          for (let kx = kx0; kx < kx1; kx++) {
            const xo = ((s * H + oy * sh - padT + ky * dh) * W + ox * sw - padL + kx * dw) * C;
            for (let c = 0; c < C; c++) gx[xo + c] += gy[yo + c] * inv;
          }
        }
      }
    }
  }
}
