/**
 * lrp-keras/viz: images in, pictures out, in every runtime (no Node modules, no code generation).
 * PNG/JPEG → a tensor in the model's layout → relevance → heatmaps, overlays, labelled grids with a
 * colour legend → PNG/JPEG bytes.
 */
export {
  imageToTensor,
  imageToSample,
  resizeImage,
  toChannels,
  type ImageInput,
  type ImageTensorOptions,
  type ImageReadOptions,
  type Interpolation,
} from './image-tensor.js';
export { imageGeometry, pixelLayout, type ImageGeometry, type PixelLayout } from './layout.js';
export { colormaps, COLORMAP_KINDS, colorAt, resolveColormap, type Colormap, type ColormapName } from './colormaps.js';
export { solidImage, upscaleNearest, type RGBA, type RGBAImage } from './image.js';
export {
  heatmap,
  isSequential,
  normalizeRelevance,
  relevanceMaps,
  type ChannelReduction,
  type HeatmapOptions,
  type LayoutOptions,
  type Normalization,
} from './heatmap.js';
export { overlay, type OverlayOptions } from './overlay.js';
export { drawText, textWidth } from './font.js';
export { grid, scoreLabel, type GridCell, type GridOptions, type LegendOptions } from './grid.js';
export { lineChart, type LineChartOptions, type LineSeries } from './line-chart.js';
export { decodeImage, toJPEG, toPNG, type DecodedImage } from './png.js';
export { readableOn, textHeatmapANSI, textHeatmapHTML, tokenColours, type TextHeatmapOptions, type TokenColour } from './text-heatmap.js';
export { encodeText, padSequence, parseVocabulary, textToWords, wordsToIds, type TextOptions, type Vocabulary } from '../text-input.js';
export { textHeatmapImage, type TextImageOptions } from './text-heatmap-image.js';
export { stepHeatmapANSI, stepHeatmapHTML, stepRelevance } from './time-steps.js';
