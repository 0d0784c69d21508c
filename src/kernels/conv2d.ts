import { currentPrecision, wasmKernels } from './backend.js';
import { gemm, runRows, splitterFor } from './gemm.js';
import type { SignPart, WeightView } from './gemm-problem.js';
import { prepared } from './prepared.js';
import type { ConvGeometry } from './geometry.js';
import { wasmDepthwise } from './wasm/gemm.js';

export type { ConvGeometry } from './geometry.js';

/**
 * 2-D convolution (cross-correlation, as TensorFlow) in NHWC with a Keras (kh, kw, C/groups, O)
 * kernel, and its transpose. Per group, both are one GEMM over implicit patches: the forward pass
 * multiplies the (batch·OH·OW) × (kh·kw·C/groups) patches of x by the kernel; the transpose multiplies
 * the (batch·H·W) × (kh·kw·O/groups) patches of gy that reach each input pixel by the kernel read the
 * other way. Depthwise convolutions (one input channel per group) are GEMMs with a block-diagonal B,
 * run by a direct loop over the kernel (`depthwise.ts`).
 */

const isDepthwise = (g: ConvGeometry): boolean => g.groups > 1 && g.C === g.groups;

export function conv2dForward(
  x: Float32Array,
  w: WeightView,
  b: Float32Array | null,
  y: Float32Array,
  n: number,
  g: ConvGeometry,
  part: SignPart = 'all',
): void {
  if (isDepthwise(g)) {
    const e = wasmKernels();
    if (e)
      wasmDepthwise(
        e,
        'forward',
        x,
        w,
        b,
        y,
        n,
        g,
        part,
        currentPrecision(),
        splitterFor(e, n * g.OH * g.OW, n * g.OH * g.OW * g.O * g.kh * g.kw),
      );
    else depthwiseForward(x, modifiedKernel(w), b, y, n, g, part);
    return;
  }
  const cin = g.C / g.groups;
  const cout = g.O / g.groups;
  const M = n * g.OH * g.OW;
  const K = g.kh * g.kw * cin;
  for (let group = 0; group < g.groups; group++) {
    const layout = { K, N: cout, inner: K, base: group * cout, outerStride: 0, innerStride: g.O, nStride: 1 };
    gemm({
      M,
      N: cout,
      K,
      left: { kind: 'patches', geom: g, group },
      a: x,
      part,
      weights: w,
      layout,
      layoutKey: `conv:${group}`,
      bias: b,
      biasOffset: group * cout,
      c: y,
      ldc: g.O,
      cOffset: group * cout,
    });
  }
}

/** The transposed convolution (backward-data): gx = ∂(Σ gy·y)/∂x. Writes every cell of gx. */
export function conv2dTranspose(gy: Float32Array, w: WeightView, gx: Float32Array, n: number, g: ConvGeometry): void {
  if (isDepthwise(g)) {
    const e = wasmKernels();
    if (e)
      wasmDepthwise(
        e,
        'transpose',
        gy,
        w,
        null,
        gx,
        n,
        g,
        'all',
        currentPrecision(),
        splitterFor(e, n * g.H * g.W, n * g.H * g.W * g.O * g.kh * g.kw),
      );
    else depthwiseTranspose(gy, modifiedKernel(w), gx, n, g);
    return;
  }
  const cin = g.C / g.groups;
  const cout = g.O / g.groups;
  const M = n * g.H * g.W;
  const K = g.kh * g.kw * cout;
  for (let group = 0; group < g.groups; group++) {
    const layout = { K, N: cin, inner: cout, base: group * cout, outerStride: cin * g.O, innerStride: 1, nStride: g.O };
    gemm({
      M,
      N: cin,
      K,
      left: { kind: 'transposed-patches', geom: g, group },
      a: gy,
      part: 'all',
      weights: w,
      layout,
      layoutKey: `conv-t:${group}`,
      bias: null,
      biasOffset: 0,
      c: gx,
      ldc: g.C,
      cOffset: group * cin,
    });
  }
}

/** Depthwise kernels are small and read where they lie: a modified copy is kept per kernel and modifier. */
function modifiedKernel(w: WeightView): Float32Array {
  const map = w.transform;
  return map === null ? w.W : prepared(w.W, `modified|${w.cacheKey}`, () => w.W.map(map));
}

/** The part of x a product reads, as a tensor of its own (for kernels that cannot take it inline). */
export function inputPart(x: Float32Array, part: SignPart): Float32Array {
  if (part === 'all') return x;
  const out = new Float32Array(x.length);
  if (part === 'positive') for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
  else for (let i = 0; i < x.length; i++) out[i] = x[i] < 0 ? x[i] : 0;
  return out;
}

/** Depthwise forward: one problem over the output pixels, split among threads like a GEMM. */
function depthwiseForward(
  x: Float32Array,
  K: Float32Array,
  b: Float32Array | null,
  y: Float32Array,
  n: number,
  g: ConvGeometry,
  part: SignPart,
): void {
  const M = n * g.OH * g.OW;
  runRows(
    {
      M,
      N: g.O,
      K: g.kh * g.kw,
      left: { kind: 'patches', geom: g, group: 0 },
      a: inputPart(x, part),
      part: 'all',
      right: K,
      depthwise: true,
      bias: b,
      biasOffset: 0,
      c: y,
      ldc: g.O,
      cOffset: 0,
    },
    M * g.O * g.kh * g.kw,
  );
}

/** Depthwise transpose: one problem over the input pixels, each gathering what the windows that read it send back. */
function depthwiseTranspose(gy: Float32Array, K: Float32Array, gx: Float32Array, n: number, g: ConvGeometry): void {
  const M = n * g.H * g.W;
  runRows(
    {
      M,
      N: g.C,
      K: g.kh * g.kw,
      left: { kind: 'transposed-patches', geom: g, group: 0 },
      a: gy,
      part: 'all',
      right: K,
      depthwise: true,
      bias: null,
      biasOffset: 0,
      c: gx,
      ldc: g.C,
      cOffset: 0,
    },
    M * g.O * g.kh * g.kw,
  );
}
