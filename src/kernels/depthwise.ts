// biome-ignore-all format: the window taps are laid out row by row
import type { GemmProblem } from './gemm-problem.js';
import type { ConvGeometry } from './geometry.js';

/**
 * Depthwise convolutions (one input channel per group) as row ranges of a GEMM problem whose B is
 * block-diagonal: `right` is the (modified) kernel itself, read where it lies. Forward (left kind
 * `patches`): row m is output pixel (s, oy, ox), its O outputs read input channel ⌊o/mult⌋ through the
 * window's taps. Transpose (`transposed-patches`): row m is input pixel (s, iy, ix), its C cells
 * gather what the windows that read it send back. Each value is summed in a float64 local (bias
 * first, taps in row-major order) and rounded once, so any split of the rows gives the same bits.
 */
export function depthwiseRows(p: GemmProblem, m0: number, m1: number): void {
  if (p.left.kind === 'rows') throw new Error('depthwiseRows: a depthwise problem reads patches');
  const g = p.left.geom;
  if (p.left.kind === 'patches') forwardRows(p.a, p.right, p.bias, p.c, p.cOffset, p.ldc, g, m0, m1);
  else transposeRows(p.a, p.right, p.c, p.cOffset, p.ldc, g, m0, m1);
}

let taps = new Int32Array(0);

/** The taps of output pixel (oy, ox)'s window that land in the image: pairs (input offset, kernel offset). */
function windowTaps(g: ConvGeometry, s: number, oy: number, ox: number): number {
  const { H, W, C, O, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  if (taps.length < 2 * kh * kw) taps = new Int32Array(2 * kh * kw);
  let count = 0;
  for (let ky = 0; ky < kh; ky++) {
    const iy = oy * sh - padT + ky * dh;
    if (iy < 0 || iy >= H) continue;
    for (let kx = 0; kx < kw; kx++) {
      const ix = ox * sw - padL + kx * dw;
      if (ix < 0 || ix >= W) continue;
      taps[count++] = ((s * H + iy) * W + ix) * C;
      taps[count++] = (ky * kw + kx) * O;
    }
  }
  return count >> 1;
}

/** The windows that read input pixel (iy, ix): pairs (output offset, kernel offset of the tap). */
function readingTaps(g: ConvGeometry, s: number, iy: number, ix: number): number {
  const { OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  if (taps.length < 2 * kh * kw) taps = new Int32Array(2 * kh * kw);
  let count = 0;
  for (let ky = 0; ky < kh; ky++) {
    const ty = iy + padT - ky * dh;
    if (ty < 0 || ty % sh !== 0 || ty / sh >= OH) continue;
    for (let kx = 0; kx < kw; kx++) {
      const tx = ix + padL - kx * dw;
      if (tx < 0 || tx % sw !== 0 || tx / sw >= OW) continue;
      taps[count++] = ((s * OH + ty / sh) * OW + tx / sw) * O;
      taps[count++] = (ky * kw + kx) * O;
    }
  }
  return count >> 1;
}

/**
 * Σ over nine taps of t[aᵢ + c]·K[kᵢ + c] for every channel c, in tap order, in a float64 local: the
 * common case (a whole 3×3 window, one output per channel) without a loop over taps.
 */
function nineTaps(t: Float32Array, K: Float32Array, out: Float32Array, at: number, C: number, bias: Float32Array | null): void {
  const a0 = taps[0], a1 = taps[2], a2 = taps[4], a3 = taps[6], a4 = taps[8], a5 = taps[10], a6 = taps[12], a7 = taps[14], a8 = taps[16];
  const k0 = taps[1], k1 = taps[3], k2 = taps[5], k3 = taps[7], k4 = taps[9], k5 = taps[11], k6 = taps[13], k7 = taps[15], k8 = taps[17];
  for (let c = 0; c < C; c++) {
    let s = bias ? bias[c] : 0;
    s += t[a0 + c] * K[k0 + c];
    s += t[a1 + c] * K[k1 + c];
    s += t[a2 + c] * K[k2 + c];
    s += t[a3 + c] * K[k3 + c];
    s += t[a4 + c] * K[k4 + c];
    s += t[a5 + c] * K[k5 + c];
    s += t[a6 + c] * K[k6 + c];
    s += t[a7 + c] * K[k7 + c];
    s += t[a8 + c] * K[k8 + c];
    out[at + c] = s;
  }
}

function forwardRows(x: Float32Array, K: Float32Array, b: Float32Array | null, y: Float32Array, yOffset: number, ldy: number, g: ConvGeometry, m0: number, m1: number): void {
  const { C, OH, OW, O } = g;
  const mult = O / C;
  for (let m = m0; m < m1; m++) {
    const ox = m % OW;
    const oy = ((m - ox) / OW) % OH;
    const s = (m - ox - oy * OW) / (OW * OH);
    const count = windowTaps(g, s, oy, ox);
    const yo = yOffset + m * ldy;
    if (mult === 1 && count === 9) {
      nineTaps(x, K, y, yo, C, b);
      continue;
    }
    for (let o = 0; o < O; o++) {
      const c = mult === 1 ? o : Math.floor(o / mult);
      let acc = b ? b[o] : 0;
      for (let t = 0; t < 2 * count; t += 2) acc += x[taps[t] + c] * K[taps[t + 1] + o];
      y[yo + o] = acc;
    }
  }
}

function transposeRows(gy: Float32Array, K: Float32Array, gx: Float32Array, xOffset: number, ldx: number, g: ConvGeometry, m0: number, m1: number): void {
  const { H, W, C, O } = g;
  const mult = O / C;
  for (let m = m0; m < m1; m++) {
    const ix = m % W;
    const iy = ((m - ix) / W) % H;
    const s = (m - ix - iy * W) / (W * H);
    const count = readingTaps(g, s, iy, ix);
    const xo = xOffset + m * ldx;
    if (mult === 1 && count === 9) {
      nineTaps(gy, K, gx, xo, C, null);
      continue;
    }
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let t = 0; t < 2 * count; t += 2) {
        for (let j = c * mult; j < (c + 1) * mult; j++) acc += gy[taps[t] + j] * K[taps[t + 1] + j];
      }
      gx[xo + c] = acc;
    }
  }
}
