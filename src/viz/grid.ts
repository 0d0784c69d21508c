import { LrpKerasError } from '../errors.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import { blit, solidImage, type RGBA, type RGBAImage } from './image.js';

/** An image with an optional caption drawn under it. */
export interface GridCell {
  image: RGBAImage;
  label?: string;
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

/**
 * Lays images out row by row in equal cells, each as wide as the widest image or caption and as tall
 * as the tallest image plus a caption line; images are centred horizontally, captions centred below.
 */
export function grid(cells: readonly (RGBAImage | GridCell)[], options: GridOptions = {}): RGBAImage {
  if (cells.length === 0) throw new LrpKerasError('grid needs at least one image');
  const items = cells.map((cell): GridCell => ('image' in cell ? cell : { image: cell }));
  const columns = integerAtLeast(options.columns ?? Math.ceil(Math.sqrt(items.length)), 'columns', 1);
  const padding = integerAtLeast(options.padding ?? 4, 'padding', 0);
  const scale = integerAtLeast(options.labelScale ?? 1, 'labelScale', 1);
  const rows = Math.ceil(items.length / columns);

  const labelled = items.some((c) => c.label !== undefined && c.label !== '');
  // Two font pixels of space between an image and its caption.
  const labelBand = labelled ? (2 + GLYPH_HEIGHT) * scale : 0;
  const imageHeight = Math.max(...items.map((c) => c.image.height));
  const cellWidth = Math.max(...items.map((c) => Math.max(c.image.width, textWidth(c.label ?? '', scale))));
  const cellHeight = imageHeight + labelBand;

  const out = solidImage(
    columns * cellWidth + (columns + 1) * padding,
    rows * cellHeight + (rows + 1) * padding,
    options.background ?? [255, 255, 255, 255],
  );
  const labelColor = options.labelColor ?? [0, 0, 0, 255];
  items.forEach(({ image, label }, i) => {
    const left = padding + (i % columns) * (cellWidth + padding);
    const top = padding + Math.floor(i / columns) * (cellHeight + padding);
    blit(out, image, left + Math.floor((cellWidth - image.width) / 2), top);
    if (label) {
      const x = left + Math.floor((cellWidth - textWidth(label, scale)) / 2);
      drawText(out, label, x, top + imageHeight + 2 * scale, labelColor, scale);
    }
  });
  return out;
}
