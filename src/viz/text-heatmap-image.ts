import { colorAt } from './colormaps.js';
import { drawText, TEXT_HEIGHT, textWidth } from './font.js';
import { solidImage, type RGBA, type RGBAImage } from './image.js';
import { tokenColours, type TextHeatmapOptions } from './text-heatmap.js';

/**
 * The text heatmap as a picture (PNG with `toPNG`): tokens on their colours, wrapped to `width`, with
 * an optional title and the colour legend, drawn with the library's bitmap font (no fonts, no canvas,
 * the same bytes in every runtime). Colours as `textHeatmapHTML`; empty tokens (padding) are not drawn.
 */
export interface TextImageOptions extends TextHeatmapOptions {
  /** Image width in pixels (default 720). */
  width?: number;
  /** Font pixel size (default 2). */
  fontScale?: number;
}

const INK: RGBA = [0, 0, 0, 255];
const PAPER: RGBA = [255, 255, 255, 255];
const ascii = (v: number): string => (v >= 0 ? '+' : '-') + Math.abs(v).toPrecision(3);

export function textHeatmapImage(tokens: readonly string[], relevance: ArrayLike<number>, options: TextImageOptions = {}): RGBAImage {
  const s = options.fontScale ?? 2;
  const width = options.width ?? 720;
  const colours = tokenColours(tokens, relevance, options).filter((c) => c.token !== '');
  const pad = 6 * s;
  const boxPad = 2 * s;
  const gap = 3 * s;
  const boxHeight = TEXT_HEIGHT * s + 2 * boxPad;
  const line = boxHeight + gap;
  // Lay the tokens out first: where each box goes.
  const boxes: { x: number; y: number; w: number }[] = [];
  let x = pad;
  let y = pad + (options.title ? (TEXT_HEIGHT + 4) * s : 0);
  for (const c of colours) {
    const w = textWidth(c.token, s) + 2 * boxPad;
    if (x > pad && x + w > width - pad) {
      x = pad;
      y += line;
    }
    boxes.push({ x, y, w });
    x += w + gap;
  }
  const legendTop = y + line + 2 * s;
  const barHeight = 6 * s;
  const height = options.legend === false ? y + line + pad : legendTop + barHeight + (TEXT_HEIGHT + 2) * s + pad;
  const image = solidImage(width, height, PAPER);
  if (options.title) drawText(image, options.title, pad, pad, INK, s);
  colours.forEach((c, i) => {
    const b = boxes[i];
    fill(image, b.x, b.y, Math.min(b.w, width - b.x), boxHeight, [...c.background, 255]);
    drawText(image, c.token, b.x + boxPad, b.y + boxPad, [...c.foreground, 255], s);
  });
  if (options.legend !== false) {
    const barWidth = Math.min(width - 2 * pad, 160 * s);
    const map = options.colormap ?? 'bwr';
    for (let i = 0; i < barWidth; i++) fill(image, pad + i, legendTop, 1, barHeight, [...colorAt(map, i / (barWidth - 1)), 255]);
    const scale = colours.reduce((m, c) => Math.max(m, Math.abs(c.relevance)), 0);
    const top = options.scale ?? scale;
    const labelY = legendTop + barHeight + 2 * s;
    drawText(image, ascii(-top), pad, labelY, INK, s);
    drawText(image, '0', pad + Math.floor((barWidth - textWidth('0', s)) / 2), labelY, INK, s);
    drawText(image, ascii(top), pad + barWidth - textWidth(ascii(top), s), labelY, INK, s);
  }
  return image;
}

function fill(image: RGBAImage, x: number, y: number, w: number, h: number, color: RGBA): void {
  for (let row = Math.max(0, y); row < Math.min(image.height, y + h); row++) {
    for (let col = Math.max(0, x); col < Math.min(image.width, x + w); col++) image.data.set(color, (row * image.width + col) * 4);
  }
}
