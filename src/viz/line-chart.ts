import { LrpKerasError } from '../errors.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import { solidImage, type RGBA, type RGBAImage } from './image.js';

/**
 * A line chart as an RGBA image, with nothing but the bitmap font: axes with "nice" ticks (1, 2 or 5
 * times a power of ten) and light grid lines, one coloured polyline per series, a legend under the
 * chart (never over the lines). Made for pixel-flipping curves (score against perturbation step), so point i of a
 * series is drawn at x = i.
 */

export interface LineSeries {
  label: string;
  values: readonly number[];
  /** Default: the next colour of matplotlib's tab10 cycle. */
  color?: RGBA;
}

export interface LineChartOptions {
  /** Image size in pixels; default 720 × 450. */
  width?: number;
  height?: number;
  title?: string;
  /** Drawn under the x axis, and above the y axis (the font cannot be turned). */
  xLabel?: string;
  yLabel?: string;
  /** Size of a font pixel; default 2. */
  textScale?: number;
}

/** matplotlib's tab10: distinct colours that stay apart for the colour-blind, in its order. */
const TAB10: readonly RGBA[] = [
  [31, 119, 180, 255],
  [255, 127, 14, 255],
  [44, 160, 44, 255],
  [214, 39, 40, 255],
  [148, 103, 189, 255],
  [140, 86, 75, 255],
  [227, 119, 194, 255],
  [127, 127, 127, 255],
  [188, 189, 34, 255],
  [23, 190, 207, 255],
];
const BLACK: RGBA = [0, 0, 0, 255];
const GRID: RGBA = [225, 225, 225, 255];
const WHITE: RGBA = [255, 255, 255, 255];

/** Ticks covering [low, high] at a step of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(low: number, high: number, count = 5): { ticks: number[]; decimals: number } {
  const span = high > low ? high - low : Math.abs(high) || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const first = Math.floor(low / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(high / step - 1e-9));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  // Rounded to the step's decimals, so that 0.1 + 0.2 prints as 0.3.
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(decimals)));
  return { ticks, decimals };
}

function fillRect(image: RGBAImage, x0: number, y0: number, w: number, h: number, color: RGBA): void {
  for (let y = Math.max(0, y0); y < Math.min(image.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(image.width, x0 + w); x++) {
      const o = (y * image.width + x) * 4;
      image.data[o] = color[0];
      image.data[o + 1] = color[1];
      image.data[o + 2] = color[2];
      image.data[o + 3] = color[3];
    }
  }
}

/** A straight line `thickness` pixels wide: a square brush stepped along the longer axis. */
function drawLine(image: RGBAImage, x0: number, y0: number, x1: number, y1: number, color: RGBA, thickness: number): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const half = Math.floor(thickness / 2);
  for (let i = 0; i <= steps; i++) {
    const x = Math.round(x0 + ((x1 - x0) * i) / steps);
    const y = Math.round(y0 + ((y1 - y0) * i) / steps);
    fillRect(image, x - half, y - half, thickness, thickness, color);
  }
}

function integerAtLeast(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new LrpKerasError(`lineChart: ${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/** Draws the series over a shared x axis (point index) and y axis (the range of all values). */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): RGBAImage {
  if (series.length === 0 || series.every((s) => s.values.length === 0))
    throw new LrpKerasError('lineChart needs at least one series with values');
  for (const s of series) {
    if (s.values.some((v) => !Number.isFinite(v))) throw new LrpKerasError(`lineChart: series '${s.label}' has a non-finite value`);
  }
  const width = integerAtLeast(options.width ?? 720, 'width', 200);
  const height = integerAtLeast(options.height ?? 450, 'height', 150);
  const scale = integerAtLeast(options.textScale ?? 2, 'textScale', 1);
  const line = (GLYPH_HEIGHT + 4) * scale;
  const image = solidImage(width, height, WHITE);

  const all = series.flatMap((s) => s.values);
  const y = niceTicks(Math.min(...all), Math.max(...all));
  const x = niceTicks(0, Math.max(1, ...series.map((s) => s.values.length - 1)), 8);
  const yLabels = y.ticks.map((t) => t.toFixed(y.decimals));

  // Plot area: room for the title and y label above, tick labels left and below, x label below.
  const left = 2 * scale + Math.max(...yLabels.map((l) => textWidth(l, scale))) + 3 * scale;
  const top = (options.title ? line : 0) + (options.yLabel ? line : 0) + line;
  const right = width - 4 * scale - textWidth(x.ticks[x.ticks.length - 1].toFixed(0), scale) / 2;
  const legend = legendRows(series, width - 8 * scale, scale);
  const legendTop = height - legend.length * line - 2 * scale;
  // Half a line between the x label (or tick labels) and the legend.
  const bottom = legendTop - line / 2 - line - (options.xLabel ? line : 0);
  if (right - left < 50 || bottom - top < 50)
    throw new LrpKerasError(`lineChart: ${width}×${height} leaves no room to plot at text scale ${scale}`);
  const [y0, y1] = [y.ticks[0], y.ticks[y.ticks.length - 1]];
  const [x0, x1] = [x.ticks[0], x.ticks[x.ticks.length - 1]];
  const px = (v: number): number => left + ((v - x0) / (x1 - x0)) * (right - left);
  const py = (v: number): number => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);

  y.ticks.forEach((t, i) => {
    const at = Math.round(py(t));
    drawLine(image, left, at, right, at, GRID, 1);
    drawText(image, yLabels[i], left - 3 * scale - textWidth(yLabels[i], scale), at - Math.floor((GLYPH_HEIGHT * scale) / 2), BLACK, scale);
  });
  for (const t of x.ticks) {
    const at = Math.round(px(t));
    drawLine(image, at, top, at, bottom, GRID, 1);
    const label = t.toFixed(0);
    drawText(image, label, at - Math.floor(textWidth(label, scale) / 2), bottom + 3 * scale, BLACK, scale);
  }
  drawLine(image, left, bottom, right, bottom, BLACK, 1);
  drawLine(image, left, top, left, bottom, BLACK, 1);

  series.forEach((s, i) => {
    const color = s.color ?? TAB10[i % TAB10.length];
    for (let k = 1; k < s.values.length; k++) drawLine(image, px(k - 1), py(s.values[k - 1]), px(k), py(s.values[k]), color, 2);
    if (s.values.length === 1) fillRect(image, Math.round(px(0)) - 2, Math.round(py(s.values[0])) - 2, 5, 5, color);
  });

  const centred = (text: string, row: number): void =>
    drawText(image, text, Math.floor((width - textWidth(text, scale)) / 2), row, BLACK, scale);
  if (options.title) centred(options.title, 2 * scale);
  if (options.yLabel) drawText(image, options.yLabel, 2 * scale, top - line, BLACK, scale);
  if (options.xLabel) centred(options.xLabel, bottom + line + 2 * scale);
  drawLegend(image, series, legend, legendTop, scale);
  return image;
}

/** A legend entry: a short line in the series' colour (8 font pixels), a 3-pixel gap, the label. */
const SWATCH = 8;
const entryWidth = (label: string, scale: number): number => (SWATCH + 3) * scale + textWidth(label, scale);
/** Font pixels between legend entries in a row. */
const ENTRY_GAP = 8;

/** Legend entries in rows that fit `width`, each row a list of series indices. */
function legendRows(series: readonly LineSeries[], width: number, scale: number): number[][] {
  const rows: number[][] = [];
  let used = 0;
  series.forEach((s, i) => {
    const w = entryWidth(s.label, scale);
    if (rows.length > 0 && used + ENTRY_GAP * scale + w <= width) {
      rows[rows.length - 1].push(i);
      used += ENTRY_GAP * scale + w;
    } else {
      rows.push([i]);
      used = w;
    }
  });
  return rows;
}

/** Draws the legend rows from `top` down, each row centred. */
function drawLegend(image: RGBAImage, series: readonly LineSeries[], rows: number[][], top: number, scale: number): void {
  rows.forEach((row, r) => {
    const total = row.reduce((acc, i) => acc + entryWidth(series[i].label, scale), 0) + ENTRY_GAP * scale * (row.length - 1);
    let x = Math.floor((image.width - total) / 2);
    const y = top + r * (GLYPH_HEIGHT + 4) * scale;
    const mid = y + Math.floor((GLYPH_HEIGHT * scale) / 2);
    for (const i of row) {
      drawLine(image, x, mid, x + SWATCH * scale, mid, series[i].color ?? TAB10[i % TAB10.length], 2 * scale);
      drawText(image, series[i].label, x + (SWATCH + 3) * scale, y, BLACK, scale);
      x += entryWidth(series[i].label, scale) + ENTRY_GAP * scale;
    }
  });
}
