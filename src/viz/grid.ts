import { LrpKerasError } from '../errors.js';
import { resolveColormap, type Colormap, type ColormapName } from './colormaps.js';
import { drawText, TEXT_HEIGHT, textWidth } from './font.js';
import { blit, solidImage, type RGBA, type RGBAImage } from './image.js';

/** An image with optional captions drawn under it: its label (e.g. the prediction) and the true label. */
export interface GridCell {
  image: RGBAImage;
  label?: string;
  /** Drawn as "true <trueLabel>" on a second line. */
  trueLabel?: string | number;
}

/** A colour bar under the grid that says what the heatmaps' colours mean. */
export interface LegendOptions {
  /** The heatmaps' colour map. */
  colormap: ColormapName | Colormap;
  /** As the heatmaps were drawn (`HeatmapOptions.sequential`): ticks 0 … max instead of -max … +max. */
  sequential: boolean;
  /** The caption; default "relevance / largest |R| of each image". */
  caption?: string;
}

export interface GridOptions {
  /** Cells per row; default ⌈√count⌉. */
  columns?: number;
  /** Pixels between cells and around the grid; default 4. */
  padding?: number;
  /** Default opaque white. */
  background?: RGBA;
  /** Default opaque black. */
  labelColor?: RGBA;
  /** Size of a font pixel in image pixels (the font is 5×7); default 1. */
  labelScale?: number;
  /** A line above the cells, such as the method's name. */
  title?: string;
  /** A colour bar below the cells. */
  legend?: LegendOptions;
}

/** A caption such as "7 (0.98)": the class and its score. */
export function scoreLabel(label: string | number, score: number, digits = 2): string {
  return `${label} (${score.toFixed(digits)})`;
}

function integerAtLeast(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new LrpKerasError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

/** Font pixels between an image and its caption, and between lines. */
const GAP = 2;
/** The colour bar: height in font pixels, and its width in image pixels before scaling. */
const BAR_HEIGHT = 8;
const BAR_WIDTH = 160;

const captionLines = (cell: GridCell): string[] =>
  [cell.label ?? '', cell.trueLabel === undefined ? '' : `true ${cell.trueLabel}`].filter((line, i) => i === 0 || line !== '');

/** The legend's tick labels at t = 0, 0.5, 1 (diverging) or t = 0, 1 (sequential). */
const legendTicks = (legend: LegendOptions): [number, string][] =>
  legend.sequential
    ? [
        [0, '0'],
        [1, 'max'],
      ]
    : [
        [0, '-max'],
        [0.5, '0'],
        [1, '+max'],
      ];

/** Draws the legend with its top-left corner at (x, y), `width` wide. */
function drawLegend(out: RGBAImage, legend: LegendOptions, x: number, y: number, width: number, scale: number, color: RGBA): void {
  const colormap = resolveColormap(legend.colormap);
  const rgb = new Uint8Array(3);
  for (let i = 0; i < width; i++) {
    colormap(width === 1 ? 0 : i / (width - 1), rgb, 0);
    for (let row = y; row < y + BAR_HEIGHT * scale; row++) {
      out.data.set([rgb[0], rgb[1], rgb[2], 255], (row * out.width + x + i) * 4);
    }
  }
  const labelTop = y + (BAR_HEIGHT + GAP) * scale;
  for (const [t, text] of legendTicks(legend)) {
    const at = x + Math.round(t * (width - 1));
    const left = Math.min(Math.max(x, at - Math.floor(textWidth(text, scale) / 2)), x + width - textWidth(text, scale));
    drawText(out, text, left, labelTop, color, scale);
  }
  const caption = legend.caption ?? 'relevance / largest |R| of each image';
  drawText(out, caption, x + Math.floor((width - textWidth(caption, scale)) / 2), labelTop + (TEXT_HEIGHT + GAP) * scale, color, scale);
}

/**
 * Lays images out row by row in equal cells, each as wide as the widest image or caption and as tall
 * as the tallest image plus its caption lines; images are centred horizontally, captions centred
 * below. An optional title goes above the cells, an optional colour legend below them.
 */
export function grid(cells: readonly (RGBAImage | GridCell)[], options: GridOptions = {}): RGBAImage {
  if (cells.length === 0) throw new LrpKerasError('grid needs at least one image');
  const items = cells.map((cell): GridCell => ('image' in cell ? cell : { image: cell }));
  const columns = integerAtLeast(options.columns ?? Math.ceil(Math.sqrt(items.length)), 'columns', 1);
  const padding = integerAtLeast(options.padding ?? 4, 'padding', 0);
  const scale = integerAtLeast(options.labelScale ?? 1, 'labelScale', 1);
  const rows = Math.ceil(items.length / columns);
  const line = (TEXT_HEIGHT + GAP) * scale;

  const captions = items.map(captionLines);
  const lines = Math.max(...captions.map((c) => (c.length === 1 && c[0] === '' ? 0 : c.length)));
  const imageHeight = Math.max(...items.map((c) => c.image.height));
  const cellWidth = Math.max(...items.map((c, i) => Math.max(c.image.width, ...captions[i].map((t) => textWidth(t, scale)))));
  const cellHeight = imageHeight + lines * line;
  const blockWidth = columns * cellWidth + (columns - 1) * padding;

  const title = options.title ?? '';
  const titleBand = title ? line + GAP * scale : 0;
  const legend = options.legend;
  const legendWidth = legend ? Math.min(Math.max(blockWidth, BAR_WIDTH * scale), 2 * BAR_WIDTH * scale) : 0;
  const caption = legend?.caption ?? 'relevance / largest |R| of each image';
  const legendBand = legend ? padding + BAR_HEIGHT * scale + 2 * line : 0;
  const width = 2 * padding + Math.max(blockWidth, textWidth(title, scale), legendWidth, legend ? textWidth(caption, scale) : 0);
  const out = solidImage(
    width,
    2 * padding + titleBand + rows * cellHeight + (rows - 1) * padding + legendBand,
    options.background ?? [255, 255, 255, 255],
  );
  const labelColor = options.labelColor ?? [0, 0, 0, 255];

  if (title) drawText(out, title, Math.floor((width - textWidth(title, scale)) / 2), padding, labelColor, scale);
  const blockLeft = Math.floor((width - blockWidth) / 2);
  items.forEach(({ image }, i) => {
    const left = blockLeft + (i % columns) * (cellWidth + padding);
    const top = padding + titleBand + Math.floor(i / columns) * (cellHeight + padding);
    blit(out, image, left + Math.floor((cellWidth - image.width) / 2), top);
    captions[i].forEach((text, k) => {
      const x = left + Math.floor((cellWidth - textWidth(text, scale)) / 2);
      drawText(out, text, x, top + imageHeight + GAP * scale + k * line, labelColor, scale);
    });
  });
  if (legend) {
    const top = out.height - padding - legendBand + padding;
    drawLegend(out, legend, Math.floor((width - legendWidth) / 2), top, legendWidth, scale, labelColor);
  }
  return out;
}
