import type { ConvGeometry } from '../../kernels/conv2d.js';
import { windowAxis, type Padding } from '../../kernels/geometry.js';
import { emitActivation } from './activation.js';
import {
  boolField,
  dataFormat,
  field,
  intField,
  layerFail,
  requireRank,
  stringField,
  takeWeights,
  tupleField,
  type LayerBuilder,
  type LayerContext,
} from './context.js';
import { channelsLast } from './layout.js';

/** Window settings of a 1-D or 2-D convolution, in the words of every Keras version. */
export function convWindow(ctx: LayerContext, dims: 1 | 2) {
  const kernelKeys = dims === 1 ? ['kernel_size', 'filter_length'] : ['kernel_size'];
  const keras1Kernel =
    dims === 2 && field(ctx, ['kernel_size']) === undefined ? [intField(ctx, ['nb_row']), intField(ctx, ['nb_col'])] : undefined;
  const kernel = keras1Kernel ?? tupleField(ctx, kernelKeys, dims);
  const strides = tupleField(ctx, dims === 1 ? ['strides', 'subsample_length'] : ['strides', 'subsample'], dims, 1);
  const dilation = tupleField(ctx, dims === 1 ? ['dilation_rate', 'atrous_rate'] : ['dilation_rate', 'atrous_rate'], dims, 1);
  const padding = stringField<Padding>(
    ctx,
    ['padding', 'border_mode'],
    dims === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'],
    'valid',
  );
  if (dims === 2 && padding === 'same' && strides.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    layerFail(ctx, 'strides > 1 together with dilation_rate > 1 is not supported (Keras refuses it too)');
  }
  return {
    kernel: dims === 1 ? [1, kernel[0]] : kernel,
    strides: dims === 1 ? [1, strides[0]] : strides,
    dilation: dims === 1 ? [1, dilation[0]] : dilation,
    padding,
  };
}

function geometry(ctx: LayerContext, shape: number[], w: ReturnType<typeof convWindow>, O: number, groups: number): ConvGeometry {
  const [H, W, C] = shape.length === 2 ? [1, shape[0], shape[1]] : shape;
  const rows = windowAxis(H, w.kernel[0], w.strides[0], w.dilation[0], w.padding === 'causal' ? 'valid' : w.padding);
  const cols = windowAxis(W, w.kernel[1], w.strides[1], w.dilation[1], w.padding);
  if (rows.out < 1 || cols.out < 1) layerFail(ctx, `the ${w.kernel.join('×')} window does not fit the input (${H}×${W})`);
  return {
    H,
    W,
    C,
    O,
    groups,
    OH: rows.out,
    OW: cols.out,
    kh: w.kernel[0],
    kw: w.kernel[1],
    sh: w.strides[0],
    sw: w.strides[1],
    dh: w.dilation[0],
    dw: w.dilation[1],
    padT: rows.before,
    padL: cols.before,
  };
}

const outShapeOf = (g: ConvGeometry, dims: 1 | 2): number[] => (dims === 1 ? [g.OW, g.O] : [g.OH, g.OW, g.O]);

/** Keras 1 'th' kernels are (out, in, kh, kw); Theano-trained kernels are also flipped (true convolution). */
function keras1Kernel(
  ctx: LayerContext,
  stored: Float32Array,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
  th: boolean,
): Float32Array {
  const out = new Float32Array(stored.length);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const sy = ctx.keras.theano ? kh - 1 - ky : ky;
      const sx = ctx.keras.theano ? kw - 1 - kx : kx;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) {
          const from = th ? ((co * cin + ci) * kh + sy) * kw + sx : ((sy * kw + sx) * cin + ci) * cout + co;
          out[((ky * kw + kx) * cin + ci) * cout + co] = stored[from];
        }
      }
    }
  }
  return out;
}

const conv =
  (dims: 1 | 2): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const first = dataFormat(ctx) === 'channels_first';
    const { input, shape, restore } = channelsLast(ctx, first);
    const C = shape[shape.length - 1];
    const O = intField(ctx, ['filters', 'nb_filter']);
    const groups = intField(ctx, ['groups'], 1);
    if (C % groups !== 0 || O % groups !== 0) layerFail(ctx, `groups=${groups} must divide the ${C} input channels and ${O} filters`);
    const w = convWindow(ctx, dims);
    const useBias = boolField(ctx, ['use_bias', 'bias'], true);
    const [kh, kw] = w.kernel;
    const cin = C / groups;
    // Keras 1 'th' stores (out, in, kh, kw); Keras 1 Conv1D (k, 1, in, out) has the memory order of (k, in, out).
    const th = ctx.keras.major === 1 && dims === 2 && field(ctx, ['dim_ordering']) === 'th';
    const storedShape = th
      ? [O, cin, kh, kw]
      : ctx.keras.major === 1 && dims === 1
        ? [kw, 1, cin, O]
        : dims === 1
          ? [kw, cin, O]
          : [kh, kw, cin, O];
    const [stored, b] = takeWeights(ctx, [{ name: 'kernel', shape: storedShape }, ...(useBias ? [{ name: 'bias', shape: [O] }] : [])]);
    const W = th || ctx.keras.theano ? keras1Kernel(ctx, stored, kh, kw, cin, O, th) : stored;
    const geom = geometry(ctx, shape, w, O, groups);
    const z = ctx.emit({ kind: 'conv', W, b: b ?? null, geom }, outShapeOf(geom, dims), [input]);
    return emitActivation(ctx, restore(z), ':activation');
  };

export const conv1dLayer = conv(1);
export const conv2dLayer = conv(2);

/** DepthwiseConv2D: a grouped conv with one group per input channel; its (kh, kw, C, m) kernel needs no reordering. */
const depthwise =
  (dims: 1 | 2): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const { input, shape, restore } = channelsLast(ctx, dataFormat(ctx) === 'channels_first');
    const C = shape[shape.length - 1];
    const m = intField(ctx, ['depth_multiplier'], 1);
    const w = convWindow(ctx, dims);
    const useBias = boolField(ctx, ['use_bias'], true);
    const kShape = dims === 1 ? [w.kernel[1], C, m] : [w.kernel[0], w.kernel[1], C, m];
    const [W, b] = takeWeights(ctx, [{ name: 'depthwise_kernel', shape: kShape }, ...(useBias ? [{ name: 'bias', shape: [C * m] }] : [])]);
    const geom = geometry(ctx, shape, w, C * m, C);
    const z = ctx.emit({ kind: 'conv', W, b: b ?? null, geom }, outShapeOf(geom, dims), [input]);
    return emitActivation(ctx, restore(z), ':activation');
  };

export const depthwiseConv1dLayer = depthwise(1);
export const depthwiseConv2dLayer = depthwise(2);

/** SeparableConv: the depthwise conv (no bias), then a 1×1 conv with the layer's bias; two linear nodes for LRP. */
const separable =
  (dims: 1 | 2): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const { input, shape, restore } = channelsLast(ctx, dataFormat(ctx) === 'channels_first');
    const C = shape[shape.length - 1];
    const m = intField(ctx, ['depth_multiplier'], 1);
    const O = intField(ctx, ['filters']);
    const w = convWindow(ctx, dims);
    const useBias = boolField(ctx, ['use_bias'], true);
    const dShape = dims === 1 ? [w.kernel[1], C, m] : [w.kernel[0], w.kernel[1], C, m];
    const pShape = dims === 1 ? [1, C * m, O] : [1, 1, C * m, O];
    const [Wd, Wp, b] = takeWeights(ctx, [
      { name: 'depthwise_kernel', shape: dShape },
      { name: 'pointwise_kernel', shape: pShape },
      ...(useBias ? [{ name: 'bias', shape: [O] }] : []),
    ]);
    const dGeom = geometry(ctx, shape, w, C * m, C);
    const mid = ctx.emit({ kind: 'conv', W: Wd, b: null, geom: dGeom }, outShapeOf(dGeom, dims), [input], ':depthwise');
    const pGeom: ConvGeometry = {
      ...dGeom,
      H: dGeom.OH,
      W: dGeom.OW,
      C: C * m,
      O,
      groups: 1,
      kh: 1,
      kw: 1,
      sh: 1,
      sw: 1,
      dh: 1,
      dw: 1,
      padT: 0,
      padL: 0,
    };
    const z = ctx.emit({ kind: 'conv', W: Wp, b: b ?? null, geom: pGeom }, outShapeOf(pGeom, dims), [mid]);
    return emitActivation(ctx, restore(z), ':activation');
  };

export const separableConv1dLayer = separable(1);
export const separableConv2dLayer = separable(2);
