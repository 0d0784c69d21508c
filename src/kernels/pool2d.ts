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

let cells = new Int32Array(0);

/** Offsets (within one sample, NHWC, channel 0) of the cells of window (oy, ox) inside the input, in row-major order: their count. */
function windowCells(g: WindowGeometry, oy: number, ox: number): number {
  const { H, W, C, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  if (cells.length < kh * kw) cells = new Int32Array(kh * kw);
  const [ky0, ky1] = windowRange(oy, sh, padT, kh, dh, H);
  const [kx0, kx1] = windowRange(ox, sw, padL, kw, dw, W);
  let count = 0;
  for (let ky = ky0; ky < ky1; ky++) {
    const iy = oy * sh - padT + ky * dh;
    for (let kx = kx0; kx < kx1; kx++) cells[count++] = (iy * W + ox * sw - padL + kx * dw) * C;
  }
  return count;
}

/** Index (from `xs`) of the first maximal of the window's `count` cells in channel c; -1 if the window is empty. */
function argmaxCell(x: Float32Array, xs: number, count: number, c: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let t = 0; t < count; t++) {
    const at = cells[t] + c;
    const v = x[xs + at];
    if (best < 0 || v > bestValue) {
      best = at;
      bestValue = v;
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
        const count = windowCells(g, oy, ox);
        const yo = ((s * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const at = argmaxCell(x, xs, count, c);
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
        const count = windowCells(g, oy, ox);
        const yo = ((s * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) {
          const at = argmaxCell(x, xs, count, c);
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
