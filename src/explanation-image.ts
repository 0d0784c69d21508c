import type { ColormapName } from './viz/colormaps.js';
import { heatmap } from './viz/heatmap.js';
import type { RGBAImage } from './viz/image.js';
import { drawnShape, imageGeometry } from './viz/layout.js';
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

/**
 * One picture per sample of `inputs` (N samples of `sampleShape`, flat: the model's input shape,
 * free dimensions as the samples have them) and its `relevance`.
 */
export function explanationPictures(
  sampleShape: readonly number[],
  inputs: readonly Float32Array[],
  relevance: Float32Array,
  options: PictureOptions,
): RGBAImage[] {
  const shape = drawnShape(sampleShape);
  const g = imageGeometry(shape);
  const side = g ? Math.max(g.height ?? 1, g.width ?? 1) : 1;
  const zoom = Math.max(1, Math.floor(DISPLAY_SIZE / side));
  const channelsLast = g?.channelsLast ?? true;
  const maps = heatmap(
    { shape: [inputs.length, ...shape], data: relevance },
    { colormap: options.colormap, scale: g ? zoom : 1, channelsLast },
  );
  if (!options.overlay || !g) return maps;
  return maps.map((map, i) => overlay({ shape, data: inputs[i] }, map, { alpha: 0.65, inputRange: valueRange(inputs[i]), channelsLast }));
}
