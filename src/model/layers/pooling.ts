import { windowAxis, type Padding, type WindowGeometry } from '../../kernels/geometry.js';
import { boolField, dataFormat, field, layerFail, requireRank, stringField, tupleField, type LayerBuilder } from './context.js';
import { channelsLast } from './layout.js';

const pool =
  (kind: 'maxpool' | 'avgpool', dims: 1 | 2): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const { input, shape, restore } = channelsLast(ctx, dataFormat(ctx) === 'channels_first');
    const size = tupleField(ctx, dims === 1 ? ['pool_size', 'pool_length'] : ['pool_size'], dims, 2);
    const strides =
      field(ctx, dims === 1 ? ['strides', 'stride'] : ['strides']) === undefined
        ? size
        : tupleField(ctx, dims === 1 ? ['strides', 'stride'] : ['strides'], dims);
    const padding = stringField<Padding>(ctx, ['padding', 'border_mode'], ['valid', 'same'], 'valid');
    const [H, W, C] = dims === 1 ? [1, shape[0], shape[1]] : shape;
    const [kh, kw] = dims === 1 ? [1, size[0]] : size;
    const [sh, sw] = dims === 1 ? [1, strides[0]] : strides;
    const rows = trimmed(windowAxis(H, kh, sh, 1, padding), H, kh, sh);
    const cols = trimmed(windowAxis(W, kw, sw, 1, padding), W, kw, sw);
    if (rows.out < 1 || cols.out < 1) layerFail(ctx, `the ${kh}×${kw} window does not fit the input (${H}×${W})`);
    const geom: WindowGeometry = {
      H,
      W,
      C,
      OH: rows.out,
      OW: cols.out,
      kh: rows.k,
      kw: cols.k,
      sh,
      sw,
      dh: 1,
      dw: 1,
      padT: rows.before,
      padL: cols.before,
    };
    const z = ctx.emit({ kind, geom }, dims === 1 ? [cols.out, C] : [rows.out, cols.out, C], [input]);
    return restore(z);
  };

/**
 * A `same` window larger than its input, with the cells that lie in padding for every output cut
 * off both ends: each window meets the input in the same cells, so the results are identical, but
 * a window of 2^24 cells no longer costs 2^24 steps per output (a config can ask for any size).
 */
function trimmed(axis: { out: number; before: number }, n: number, k: number, s: number): { out: number; before: number; k: number } {
  // Windows start at o·s − before and end at o·s − before + k; cutting t cells from both ends changes
  // none of them while every start stays ≤ 0 and every end ≥ n.
  const t = Math.max(0, Math.min(axis.before - (axis.out - 1) * s, k - axis.before - n));
  return { out: axis.out, before: axis.before - t, k: k - 2 * t };
}

export const maxPool1dLayer = pool('maxpool', 1);
export const maxPool2dLayer = pool('maxpool', 2);
export const avgPool1dLayer = pool('avgpool', 1);
export const avgPool2dLayer = pool('avgpool', 2);

/** Global pooling is pooling with one window over all positions; keepdims keeps the spatial axes at 1. */
const globalPool =
  (kind: 'maxpool' | 'avgpool', dims: 1 | 2): LayerBuilder =>
  (ctx) => {
    requireRank(ctx, dims + 1, dims === 1 ? '(steps, channels)' : '(rows, cols, channels)');
    const first = dataFormat(ctx) === 'channels_first';
    const { input, shape } = channelsLast(ctx, first);
    const [H, W, C] = dims === 1 ? [1, shape[0], shape[1]] : shape;
    const geom: WindowGeometry = { H, W, C, OH: 1, OW: 1, kh: H, kw: W, sh: 1, sw: 1, dh: 1, dw: 1, padT: 0, padL: 0 };
    const keep = boolField(ctx, ['keepdims'], false);
    const ones = new Array<number>(dims).fill(1);
    return ctx.emit({ kind, geom }, keep ? (first ? [C, ...ones] : [...ones, C]) : [C], [input]);
  };

export const globalMaxPool1dLayer = globalPool('maxpool', 1);
export const globalMaxPool2dLayer = globalPool('maxpool', 2);
export const globalAvgPool1dLayer = globalPool('avgpool', 1);
export const globalAvgPool2dLayer = globalPool('avgpool', 2);
