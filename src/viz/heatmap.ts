import { LrpKerasError } from '../errors.js';
import { formatShape, toTensor, type Tensor, type TensorLike } from '../tensor.js';
import { COLORMAP_KINDS, resolveColormap, type Colormap, type ColormapName } from './colormaps.js';
import { upscaleNearest, type RGBAImage } from './image.js';
import { pixelLayout, type PixelLayout } from './layout.js';

/**
 * Relevance → picture, in three steps that are each exported: `relevanceMaps` reduces channels to one
 * map per sample, `normalizeRelevance` maps it to [0, 1] (zero at 0.5 for diverging colour maps, at 0
 * for sequential ones), and a colour map paints it.
 */

/**
 * How a pixel's channels become one value: `sum` (signed total, the usual LRP view: relevance is
 * conserved), `absmax` (the channel value of largest magnitude, sign kept, as iNNvestigate's
 * `reduce_op='absmax'`) or `l2` (Euclidean norm, unsigned).
 */
export type ChannelReduction = 'sum' | 'absmax' | 'l2';

/**
 * `symmetric` divides by the sample's largest |R| (Zennit's and iNNvestigate's default); `{percentile}`
 * divides by that percentile of |R| and clips beyond it, so a few extreme pixels cannot wash out the rest.
 */
export type Normalization = 'symmetric' | { percentile: number };

export interface LayoutOptions {
  /** Channel reduction; default 'sum'. */
  reduce?: ChannelReduction;
  /** For rank-4 relevance: (N, H, W, C) when true (default, Keras' layout), (N, C, H, W) when false. */
  channelsLast?: boolean;
  /** For (N, F) relevance: lay the F features out in rows of this width (default F, one strip). */
  width?: number;
}

export interface HeatmapOptions extends LayoutOptions {
  /** Default 'symmetric'. */
  normalize?: Normalization;
  /** Default 'bwr'. */
  colormap?: ColormapName | Colormap;
  /**
   * Paint zero relevance at the map's start (t = 0) and only positive relevance above it, instead of
   * at its centre. Default: true for the sequential maps (wred, hot, gray, jet, viridis), false for
   * the diverging ones (bwr, seismic, coldnhot) and for colour-map functions.
   */
  sequential?: boolean;
  /** Integer upscaling, nearest neighbour; default 1. */
  scale?: number;
}

/** One sample's pixels (see `pixelLayout`) and how many samples there are. */
interface Layout extends PixelLayout {
  samples: number;
}

function layoutOf(shape: readonly number[], options: LayoutOptions): Layout {
  if (shape.length < 2 || shape.length > 4) {
    throw new LrpKerasError(`relevance of shape ${formatShape(shape)}: expected (N, H, W, C), (N, C, H, W), (N, H, W) or (N, F)`);
  }
  return { samples: shape[0], ...pixelLayout(shape.slice(1), options.channelsLast ?? true, 'relevance', options.width) };
}

type Reducer = (data: Float32Array, at: number, stride: number, count: number) => number;

const reducers: Record<ChannelReduction, Reducer> = {
  sum: (data, at, stride, count) => {
    let s = 0;
    for (let c = 0; c < count; c++) s += data[at + c * stride];
    return s;
  },
  absmax: (data, at, stride, count) => {
    let best = 0;
    for (let c = 0; c < count; c++) {
      const v = data[at + c * stride];
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    return best;
  },
  l2: (data, at, stride, count) => {
    let s = 0;
    for (let c = 0; c < count; c++) s += data[at + c * stride] ** 2;
    return Math.sqrt(s);
  },
};

/** Refuses NaN and ±Infinity: they would silently become one colour, hiding a broken explanation. */
function assertFinite(r: Tensor): void {
  const { data, shape } = r;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    const index: number[] = [];
    for (let d = shape.length - 1, rest = i; d >= 0; d--) {
      index.unshift(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
    throw new LrpKerasError(
      `relevance holds ${data[i]} in sample ${index[0]} at index [${index.join(', ')}] of shape ${formatShape(shape)}`,
    );
  }
}

/** One relevance map per sample, shape (N, H, W): channels reduced, (N, F) laid out in rows. */
export function relevanceMaps(relevance: TensorLike, options: LayoutOptions = {}): Tensor {
  const r = toTensor(relevance, 'relevance');
  const layout = layoutOf(r.shape, options);
  assertFinite(r);
  const reduction = options.reduce ?? 'sum';
  if (!Object.hasOwn(reducers, reduction)) {
    throw new LrpKerasError(`unknown reduce '${String(reduction)}'; known: ${Object.keys(reducers).join(', ')}`);
  }
  const reduce = reducers[reduction];
  const { samples, height, width, channels, pixelStride, channelStride } = layout;
  const pixels = height * width;
  const out = new Float32Array(samples * pixels);
  for (let n = 0; n < samples; n++) {
    const base = n * pixels * channels;
    for (let p = 0; p < pixels; p++) {
      out[n * pixels + p] = reduce(r.data, base + p * pixelStride, channelStride, channels);
    }
  }
  return { shape: [samples, height, width], data: out };
}

/** The q-th percentile (0–100) of sorted values, interpolating linearly between ranks as NumPy does. */
function percentileOfSorted(sorted: Float32Array, q: number): number {
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  return lo + 1 < sorted.length ? sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (rank - lo) : sorted[lo];
}

/**
 * Maps each sample of (N, …) relevance to [0, 1] by its bound: t = (R / bound + 1) / 2, clipped, so
 * zero lies at 0.5 (for diverging colour maps); or, `sequential`, t = R / bound clipped to [0, 1],
 * so zero lies at 0 and negative relevance shows as zero (for sequential maps, which have no middle).
 * A zero bound (an all-zero sample, or a percentile that falls on zeros) sends 0 to zero's place and
 * any non-zero value to an end by its sign, the limit of the formula as the bound shrinks to zero.
 */
export function normalizeRelevance(maps: Tensor, normalization: Normalization = 'symmetric', sequential = false): Tensor {
  const percentile = normalization === 'symmetric' ? 100 : normalization?.percentile;
  if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 100)) {
    throw new LrpKerasError(`normalize must be 'symmetric' or {percentile} with 0 ≤ percentile ≤ 100`);
  }
  const samples = maps.shape[0] ?? 0;
  const size = samples === 0 ? 0 : maps.data.length / samples;
  const out = new Float32Array(maps.data.length);
  const magnitudes = new Float32Array(size);
  for (let n = 0; n < samples; n++) {
    const values = maps.data.subarray(n * size, (n + 1) * size);
    let bound = 0;
    if (percentile === 100) {
      // The maximum needs no sort.
      for (let i = 0; i < size; i++) bound = Math.max(bound, Math.abs(values[i]));
    } else {
      for (let i = 0; i < size; i++) magnitudes[i] = Math.abs(values[i]);
      bound = size === 0 ? 0 : percentileOfSorted(magnitudes.sort(), percentile);
    }
    for (let i = 0; i < size; i++) {
      const v = bound > 0 ? values[i] / bound : Math.sign(values[i]);
      const clipped = v < -1 ? -1 : v > 1 ? 1 : v;
      out[n * size + i] = sequential ? Math.max(0, clipped) : 0.5 + 0.5 * clipped;
    }
  }
  return { shape: [...maps.shape], data: out };
}

/** Paints values in [0, 1] through a colour map into an opaque image. */
function paint(values: Float32Array, width: number, height: number, colormap: Colormap): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < values.length; i++) {
    colormap(values[i], data, i * 4);
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Whether zero relevance is painted at the colour map's start: the option, else the named map's kind. */
export function isSequential(options: Pick<HeatmapOptions, 'colormap' | 'sequential'>): boolean {
  const colormap = options.colormap ?? 'bwr';
  return options.sequential ?? (typeof colormap === 'string' && COLORMAP_KINDS[colormap] === 'sequential');
}

/** One RGBA heatmap per sample of the relevance (see `HeatmapOptions` for layouts and defaults). */
export function heatmap(relevance: TensorLike, options: HeatmapOptions = {}): RGBAImage[] {
  const colormap = resolveColormap(options.colormap ?? 'bwr');
  const maps = normalizeRelevance(relevanceMaps(relevance, options), options.normalize ?? 'symmetric', isSequential(options));
  const [samples, height, width] = maps.shape;
  const size = height * width;
  return Array.from({ length: samples }, (_, n) =>
    upscaleNearest(paint(maps.data.subarray(n * size, (n + 1) * size), width, height, colormap), options.scale ?? 1),
  );
}
