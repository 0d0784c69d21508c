/** Visualisation: relevance → heatmaps → overlays and labelled grids → PNG bytes. */
export { colormaps, colorAt, resolveColormap, type Colormap, type ColormapName } from './colormaps.js';
export { solidImage, upscaleNearest, type RGBA, type RGBAImage } from './image.js';
export {
  heatmap, normalizeRelevance, relevanceMaps,
  type ChannelReduction, type HeatmapOptions, type LayoutOptions, type Normalization,
} from './heatmap.js';
export { overlay, type OverlayOptions } from './overlay.js';
export { drawText, textWidth } from './font.js';
export { grid, scoreLabel, type GridCell, type GridOptions } from './grid.js';
export { decodeImage, toPNG, type DecodedImage } from './png.js';
