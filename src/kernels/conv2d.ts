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

let accumulator = new Float64Array(0);
const scratch = (size: number): Float64Array => (accumulator.length >= size ? accumulator : (accumulator = new Float64Array(size)));

/** Depthwise forward: each output pixel accumulated in float64 (bias first) and rounded once. */
function depthwiseForward(x: Float32Array, K: Float32Array, b: Float32Array | null, y: Float32Array, n: number, g: ConvGeometry, part: Part): void {
  const { H, W, C, OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  const m = O / C;
  const input = part === 'all' ? x : x.map(part === 'positive' ? (v) => (v > 0 ? v : 0) : (v) => (v < 0 ? v : 0));
  const acc = scratch(O);
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let o = 0; o < O; o++) acc[o] = b ? b[o] : 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padL + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const xo = ((s * H + iy) * W + ix) * C;
            const ko = (ky * kw + kx) * O;
            if (m === 1) {
              for (let c = 0; c < C; c++) acc[c] += input[xo + c] * K[ko + c];
            } else {
              for (let c = 0; c < C; c++) {
                const xv = input[xo + c];
                for (let j = 0; j < m; j++) acc[c * m + j] += xv * K[ko + c * m + j];
              }
            }
          }
        }
        const yo = ((s * OH + oy) * OW + ox) * O;
        for (let o = 0; o < O; o++) y[yo + o] = acc[o];
      }
    }
  }
}

/** Depthwise transpose: every input cell accumulated in float64 over the windows that read it. */
function depthwiseTranspose(gy: Float32Array, K: Float32Array, gx: Float32Array, n: number, g: ConvGeometry): void {
  const { H, W, C, OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  const m = O / C;
  const sample = H * W * C;
  const acc = scratch(sample);
  for (let s = 0; s < n; s++) {
    acc.fill(0, 0, sample);
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
            const ko = (ky * kw + kx) * O;
            if (m === 1) {
              for (let c = 0; c < C; c++) acc[xo + c] += gy[yo + c] * K[ko + c];
            } else {
              for (let c = 0; c < C; c++) {
                let dot = 0;
                for (let j = 0; j < m; j++) dot += gy[yo + c * m + j] * K[ko + c * m + j];
                acc[xo + c] += dot;
              }
            }
          }
        }
      }
    }
    const xs = s * sample;
    for (let i = 0; i < sample; i++) gx[xs + i] = acc[i];
  }
}
