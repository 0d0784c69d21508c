import { gemm, type Part, type Weights } from './gemm.js';
import type { ConvGeometry } from './geometry.js';

export type { ConvGeometry } from './geometry.js';

/**
 * 2-D convolution (cross-correlation, as TensorFlow) in NHWC with a Keras (kh, kw, C/groups, O)
 * kernel, and its transpose. Per group, both are one GEMM over implicit patches: the forward pass
 * multiplies the (batch·OH·OW) × (kh·kw·C/groups) patches of x by the kernel; the transpose multiplies
 * the (batch·H·W) × (kh·kw·O/groups) patches of gy that reach each input pixel by the kernel read the
 * other way. Depthwise convolutions (one input channel per group) have no GEMM to speak of and run
 * a direct loop.
 */

const isDepthwise = (g: ConvGeometry): boolean => g.groups > 1 && g.C === g.groups;

export function conv2dForward(
  x: Float32Array, w: Weights, b: Float32Array | null, y: Float32Array, n: number, g: ConvGeometry, part: Part = 'all',
): void {
  if (isDepthwise(g)) {
    depthwiseForward(x, modifiedKernel(w), b, y, n, g, part);
    return;
  }
  const cin = g.C / g.groups;
  const cout = g.O / g.groups;
  const M = n * g.OH * g.OW;
  const K = g.kh * g.kw * cin;
  for (let group = 0; group < g.groups; group++) {
    const layout = { K, N: cout, inner: K, base: group * cout, outerStride: 0, innerStride: g.O, nStride: 1 };
    gemm({
      M, N: cout, K, left: { kind: 'patches', geom: g, group }, a: x, part, weights: w, layout, layoutKey: `conv:${group}`,
      bias: b, biasOffset: group * cout, c: y, ldc: g.O, cOffset: group * cout,
    });
  }
}

/** The transposed convolution (backward-data): gx = ∂(Σ gy·y)/∂x. Writes every cell of gx. */
export function conv2dTranspose(gy: Float32Array, w: Weights, gx: Float32Array, n: number, g: ConvGeometry): void {
  if (isDepthwise(g)) {
    depthwiseTranspose(gy, modifiedKernel(w), gx, n, g);
    return;
  }
  const cin = g.C / g.groups;
  const cout = g.O / g.groups;
  const M = n * g.H * g.W;
  const K = g.kh * g.kw * cout;
  for (let group = 0; group < g.groups; group++) {
    const layout = { K, N: cin, inner: cout, base: group * cout, outerStride: cin * g.O, innerStride: 1, nStride: g.O };
    gemm({
      M, N: cin, K, left: { kind: 'transposed-patches', geom: g, group }, a: gy, part: 'all', weights: w, layout, layoutKey: `conv-t:${group}`,
      bias: null, biasOffset: 0, c: gx, ldc: g.C, cOffset: group * cin,
    });
  }
}

/** Depthwise kernels are small: a modified copy is kept per kernel and modifier. */
const modifiedKernels = new WeakMap<Float32Array, Map<string, Float32Array>>();

function modifiedKernel(w: Weights): Float32Array {
  const map = w.map;
  if (map === null) return w.W;
  let byKey = modifiedKernels.get(w.W);
  if (!byKey) modifiedKernels.set(w.W, (byKey = new Map()));
  let K = byKey.get(w.key);
  if (!K) byKey.set(w.key, (K = w.W.map(map)));
  return K;
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

function inputPart(x: Float32Array, part: Part): Float32Array {
  if (part === 'all') return x;
  const out = new Float32Array(x.length);
  if (part === 'positive') for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
  else for (let i = 0; i < x.length; i++) out[i] = x[i] < 0 ? x[i] : 0;
  return out;
}

/**
 * Depthwise forward: output channel o reads input channel ⌊o/m⌋ through the window's taps; each output
 * is summed in a float64 local (bias first, taps in row-major order) and rounded once.
 */
function depthwiseForward(x: Float32Array, K: Float32Array, b: Float32Array | null, y: Float32Array, n: number, g: ConvGeometry, part: Part): void {
  const { C, OH, OW, O } = g;
  const m = O / C;
  const input = inputPart(x, part);
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const count = windowTaps(g, s, oy, ox);
        const yo = ((s * OH + oy) * OW + ox) * O;
        if (m === 1 && count === 9) {
          nineTaps(input, K, y, yo, C, b);
          continue;
        }
        for (let o = 0; o < O; o++) {
          const c = m === 1 ? o : Math.floor(o / m);
          let acc = b ? b[o] : 0;
          for (let t = 0; t < 2 * count; t += 2) acc += input[taps[t] + c] * K[taps[t + 1] + o];
          y[yo + o] = acc;
        }
      }
    }
  }
}

/** Depthwise transpose: each input cell gathers, in a float64 local, what the windows that read it send back. */
function depthwiseTranspose(gy: Float32Array, K: Float32Array, gx: Float32Array, n: number, g: ConvGeometry): void {
  const { H, W, C, O } = g;
  const m = O / C;
  for (let s = 0; s < n; s++) {
    for (let iy = 0; iy < H; iy++) {
      for (let ix = 0; ix < W; ix++) {
        const count = readingTaps(g, s, iy, ix);
        const xo = ((s * H + iy) * W + ix) * C;
        if (m === 1 && count === 9) {
          nineTaps(gy, K, gx, xo, C, null);
          continue;
        }
        for (let c = 0; c < C; c++) {
          let acc = 0;
          for (let t = 0; t < 2 * count; t += 2) {
            for (let j = c * m; j < (c + 1) * m; j++) acc += gy[taps[t] + j] * K[taps[t + 1] + j];
          }
          gx[xo + c] = acc;
        }
      }
    }
  }
}
