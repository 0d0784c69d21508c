import { imageGeometry, type ImageGeometry } from './input-files.js';
import type { ColormapName } from './viz/colormaps.js';
import { heatmap } from './viz/heatmap.js';
import type { RGBAImage } from './viz/image.js';
import { overlay } from './viz/overlay.js';

/**
 * Relevance as the pictures the CLI writes and the server answers with: one heatmap per sample,
 * optionally blended over its input, enlarged so that small inputs stay visible.
 */

export interface PictureOptions {
  colormap: ColormapName;
  /** Blend each heatmap over its input (only for image inputs). */
  overlay: boolean;
}

/** Small inputs are enlarged (nearest neighbour, whole factors) to about this many pixels a side. */
const DISPLAY_SIZE = 224;

/** The shape one sample's relevance is drawn in: an image's, or the input's own (a strip for vectors). */
const drawnShape = (g: ImageGeometry | undefined, inputShape: readonly number[]): number[] =>
  !g ? [...inputShape] : g.channelsLast ? [g.height, g.width, g.channels] : [g.channels, g.height, g.width];

/** The sample's own value range, for showing it under an overlay; a constant sample shows as black. */
function valueRange(data: Float32Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const v of data) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  return high > low ? [low, high] : [low, low + 1];
}

/** One picture per sample of `inputs` (N samples of `inputShape`, flat) and its `relevance`. */
export function explanationPictures(inputShape: readonly number[], inputs: readonly Float32Array[], relevance: Float32Array, options: PictureOptions): RGBAImage[] {
  const g = imageGeometry(inputShape);
  const shape = drawnShape(g, inputShape);
  const zoom = g ? Math.max(1, Math.floor(DISPLAY_SIZE / Math.max(g.height, g.width))) : 1;
  const maps = heatmap({ shape: [inputs.length, ...shape], data: relevance }, {
    colormap: options.colormap, scale: zoom, channelsLast: g?.channelsLast ?? true,
  });
  if (!options.overlay || !g) return maps;
  return maps.map((map, i) => overlay({ shape, data: inputs[i] }, map, { alpha: 0.65, inputRange: valueRange(inputs[i]), channelsLast: g.channelsLast }));
}
