import { windowAxis } from '../../kernels/geometry.js';
import { emitActivation } from './activation.js';
import { boolField, dataFormat, field, intField, layerFail, requireRank, takeWeights, tupleField, type LayerBuilder } from './context.js';
import { convWindow } from './convolution.js';
import { channelsLast } from './layout.js';

/**
 * Output length of a transposed convolution along one axis, as Keras computes it for the TensorFlow
 * padding modes (k is the dilated kernel): `valid` (n − 1)·s + k + p with p = max(k, s) − k by default;
 * `same` n·s by default, else (n − 1)·s + k mod 2 + p.
 */
function transposedLength(n: number, k: number, s: number, padding: 'valid' | 'same', outputPadding: number | null): number {
  if (padding === 'valid') return (n - 1) * s + k + (outputPadding ?? Math.max(k, s) - k);
  return outputPadding === null ? n * s : (n - 1) * s + (k % 2) + outputPadding;
}

/**
 * Conv1DTranspose / Conv2DTranspose: the transpose (TensorFlow's backward-data pass) of the convolution
 * that maps the layer's output shape back to its input shape with the same kernel, strides, dilation
 * and padding; kernel (kh, kw, filters, in) is that convolution's (kh, kw, C, O) kernel.
 */
const convTranspose =
  (dims: 1 | 2): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const { input, shape, restore } = channelsLast(ctx, dataFormat(ctx) === 'channels_first');
    const cin = shape[shape.length - 1];
    const filters = intField(ctx, ['filters']);
    const w = convWindow(ctx, dims);
    if (w.padding === 'causal') return layerFail(ctx, "padding 'causal' is not defined for a transposed convolution");
    const padding = w.padding;
    if (w.strides.some((s) => s > 1) && w.dilation.some((d) => d > 1))
      layerFail(ctx, 'strides > 1 together with dilation_rate > 1 is not supported (Keras refuses it too)');
    const given = field(ctx, ['output_padding']) === undefined ? null : tupleField(ctx, ['output_padding'], dims, undefined, 0);
    const outputPadding = given === null ? [null, null] : dims === 1 ? [0, given[0]] : given;
    outputPadding.forEach((p, a) => {
      if (p !== null && p >= w.strides[a] && !(dims === 1 && a === 0))
        layerFail(
          ctx,
          `output_padding ${JSON.stringify(given)} must be smaller than the strides ${JSON.stringify(field(ctx, ['strides']))}`,
        );
    });
    const [inH, inW] = dims === 1 ? [1, shape[0]] : [shape[0], shape[1]];
    const span = (a: number): number => (w.kernel[a] - 1) * w.dilation[a] + 1;
    const H = dims === 1 ? 1 : transposedLength(inH, span(0), w.strides[0], padding, outputPadding[0]);
    const W = transposedLength(inW, span(1), w.strides[1], padding, outputPadding[1]);
    const rows = windowAxis(H, w.kernel[0], w.strides[0], w.dilation[0], padding);
    const cols = windowAxis(W, w.kernel[1], w.strides[1], w.dilation[1], padding);
    if (rows.out !== inH || cols.out !== inW)
      layerFail(ctx, `the transposed ${w.kernel.join('×')} window does not map ${inH}×${inW} to ${H}×${W}`);
    const useBias = boolField(ctx, ['use_bias'], true);
    const kShape = dims === 1 ? [w.kernel[1], filters, cin] : [w.kernel[0], w.kernel[1], filters, cin];
    const [K, b] = takeWeights(ctx, [{ name: 'kernel', shape: kShape }, ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])]);
    const geom = {
      H,
      W,
      C: filters,
      O: cin,
      groups: 1,
      OH: inH,
      OW: inW,
      kh: w.kernel[0],
      kw: w.kernel[1],
      sh: w.strides[0],
      sw: w.strides[1],
      dh: w.dilation[0],
      dw: w.dilation[1],
      padT: rows.before,
      padL: cols.before,
    };
    const z = ctx.emit({ kind: 'conv', W: K, b: b ?? null, geom, transposed: true }, dims === 1 ? [W, filters] : [H, W, filters], [input]);
    return emitActivation(ctx, restore(z), ':activation');
  };

export const conv1dTransposeLayer = convTranspose(1);
export const conv2dTransposeLayer = convTranspose(2);
