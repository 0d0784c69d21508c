import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  colorAt,
  drawText,
  grid,
  heatmap,
  normalizeRelevance,
  overlay,
  relevanceMaps,
  scoreLabel,
  solidImage,
  textWidth,
  type RGBAImage,
} from '../src/viz/index.js';
import { LrpKerasError } from '../src/errors.js';
import type { Tensor } from '../src/tensor.js';

const tensor = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

/** RGBA of pixel (x, y). */
const pixel = (image: RGBAImage, x: number, y: number): number[] =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

/** Every pixel of an image, as RGBA arrays. */
const pixels = (image: RGBAImage): number[][] =>
  Array.from({ length: image.width * image.height }, (_, i) => Array.from(image.data.subarray(4 * i, 4 * i + 4)));

const opaque = (rgb: number[]): number[] => [...rgb, 255];

function throwsLrp(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
    assert.unreachable('expected an LrpKerasError');
  } catch (e) {
    assert.instance(e, LrpKerasError);
    for (const f of fragments) assert.ok((e as Error).message.includes(f), `"${(e as Error).message}" lacks "${f}"`);
  }
}

function closeTo(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void {
  assert.is(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `[${i}] ${actual[i]} ≠ ${expected[i]}`);
  }
}

// --- normalisation -------------------------------------------------------------------------------

test("all-zero relevance is the colour map's centre colour everywhere", () => {
  const zeros = tensor([1, 2, 3, 1], [0, 0, 0, 0, 0, 0]);
  const [white] = heatmap(zeros);
  assert.is(white.width, 3);
  assert.is(white.height, 2);
  for (const p of pixels(white)) assert.equal(p, [255, 255, 255, 255]);
  const [dark] = heatmap(zeros, { colormap: 'coldnhot' });
  for (const p of pixels(dark)) assert.equal(p, opaque(colorAt('coldnhot', 0.5)));
});

test('symmetric: a single non-zero value is the end colour, the rest the centre', () => {
  const [image] = heatmap(tensor([1, 4], [0, 0, 3, 0]));
  assert.equal(pixels(image), [
    [255, 255, 255, 255],
    [255, 255, 255, 255],
    [255, 0, 0, 255],
    [255, 255, 255, 255],
  ]);
  closeTo(normalizeRelevance(tensor([1, 4], [0, 0, -3, 0])).data, [0.5, 0.5, 0, 0.5]);
});

test('symmetric: negative-only relevance uses only the lower half, scaled by max |R|', () => {
  const maps = normalizeRelevance(tensor([1, 4], [-1, -2, 0, -4]));
  closeTo(maps.data, [0.375, 0.25, 0.5, 0]);
  const [image] = heatmap(tensor([1, 4], [-1, -2, 0, -4]));
  assert.equal(pixel(image, 1, 0), [128, 128, 255, 255]);
  assert.equal(pixel(image, 3, 0), [0, 0, 255, 255]);
});

test('normalisation is per sample', () => {
  const maps = normalizeRelevance(tensor([2, 2], [1, 2, 100, -50]));
  closeTo(maps.data, [0.75, 1, 1, 0.25]);
});

test("percentile: divides by that percentile of |R| (NumPy's linear rule) and clips beyond it", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  const maps = normalizeRelevance(tensor([1, 100], values), { percentile: 50 });
  // rank 0.5 · 99 = 49.5 → between 50 and 51.
  const t = (v: number): number => 0.5 + (0.5 * v) / 50.5;
  closeTo([maps.data[24], maps.data[49], maps.data[50], maps.data[99]], [t(25), t(50), 1, 1]);
});

test('percentile 99.5: one outlier no longer washes out the rest', () => {
  const values = [...new Array<number>(199).fill(1), 1000];
  const symmetric = normalizeRelevance(tensor([1, 200], values));
  const clipped = normalizeRelevance(tensor([1, 200], values), { percentile: 99.5 });
  // rank 0.995 · 199 = 198.005: 1 + 0.005 · (1000 − 1) = 5.995.
  closeTo([symmetric.data[0], clipped.data[0], clipped.data[199]], [0.5 + 0.5 / 1000, 0.5 + 0.5 / 5.995, 1]);
  assert.equal(normalizeRelevance(tensor([1, 200], values), { percentile: 100 }).data, symmetric.data);
});

test('percentile landing on zeros saturates non-zero values by sign', () => {
  closeTo(normalizeRelevance(tensor([1, 5], [0, 0, 0, 5, -0.1]), { percentile: 50 }).data, [0.5, 0.5, 0.5, 1, 0]);
});

test('bad normalisations are LrpKerasErrors', () => {
  throwsLrp(() => normalizeRelevance(tensor([1, 2], [1, 2]), { percentile: 150 }), 'percentile');
  throwsLrp(() => heatmap(tensor([1, 2], [1, 2]), { normalize: 'minmax' as 'symmetric' }), 'symmetric');
});

test('NaN and ±Infinity are refused, naming the sample and index', () => {
  const data = new Array<number>(8).fill(0.5);
  data[4 + 1] = NaN; // sample 1, h 0, w 1, c 0 of (2, 2, 2, 1)
  throwsLrp(() => heatmap(tensor([2, 2, 2, 1], data)), 'NaN', 'sample 1', '[1, 0, 1, 0]', '(2, 2, 2, 1)');
  throwsLrp(() => heatmap(tensor([1, 3], [0, 1, -Infinity])), '-Infinity', 'sample 0', '[0, 2]');
  throwsLrp(() => relevanceMaps(tensor([1, 2], [Infinity, 0])), 'Infinity', '[0, 0]');
});

// --- channel reductions and layouts -------------------------------------------------------------

test("reductions over channels: sum keeps sign, absmax keeps the largest magnitude's sign, l2 is the norm", () => {
  // One pixel row of 2 pixels, 3 channels: [1, -3, 2] and [2, -2, 0].
  const r = tensor([1, 1, 2, 3], [1, -3, 2, 2, -2, 0]);
  closeTo(relevanceMaps(r).data, [0, 0]);
  closeTo(relevanceMaps(r, { reduce: 'sum' }).data, [0, 0]);
  closeTo(relevanceMaps(r, { reduce: 'absmax' }).data, [-3, 2]); // ties keep the first channel
  closeTo(relevanceMaps(r, { reduce: 'l2' }).data, [Math.sqrt(14), Math.sqrt(8)], 1e-6);
  throwsLrp(() => relevanceMaps(r, { reduce: 'mean' as 'sum' }), "unknown reduce 'mean'", 'sum, absmax, l2');
});

test('(N, C, H, W) with channelsLast: false gives the same maps as (N, H, W, C)', () => {
  const [N, H, W, C] = [2, 3, 4, 3];
  const nhwc = Array.from({ length: N * H * W * C }, (_, i) => Math.sin(i * 1.7) * (i % 5));
  const nchw = new Array<number>(nhwc.length);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++) {
          nchw[((n * C + c) * H + h) * W + w] = nhwc[((n * H + h) * W + w) * C + c];
        }
  for (const reduce of ['sum', 'absmax', 'l2'] as const) {
    const last = relevanceMaps(tensor([N, H, W, C], nhwc), { reduce });
    const first = relevanceMaps(tensor([N, C, H, W], nchw), { reduce, channelsLast: false });
    assert.equal(last.shape, [N, H, W]);
    assert.equal(first.shape, [N, H, W]);
    closeTo(first.data, Array.from(last.data), 1e-6);
  }
  // Pixel (h 1, w 2) of sample 1 by hand: sum over channels.
  const at = ((1 * H + 1) * W + 2) * C;
  const summed = relevanceMaps(tensor([N, H, W, C], nhwc)).data[(1 * H + 1) * W + 2];
  closeTo([summed], [nhwc[at] + nhwc[at + 1] + nhwc[at + 2]], 1e-5);
});

test('(N, H, W) maps pass through; (N, F) is a 1×F strip or rows of the given width', () => {
  const hw = relevanceMaps(tensor([1, 2, 2], [1, -2, 3, -4]), { reduce: 'absmax' });
  assert.equal(hw.shape, [1, 2, 2]);
  closeTo(hw.data, [1, -2, 3, -4]);
  const strip = heatmap(tensor([2, 6], [1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0]));
  assert.is(strip.length, 2);
  assert.equal([strip[0].width, strip[0].height], [6, 1]);
  const rows = heatmap(tensor([1, 6], [0, 0, 6, 0, 0, 0]), { width: 3 });
  assert.equal([rows[0].width, rows[0].height], [3, 2]);
  assert.equal(pixel(rows[0], 2, 0), [255, 0, 0, 255]);
  throwsLrp(() => heatmap(tensor([1, 6], new Array<number>(6).fill(0)), { width: 4 }), 'width 4', '6 features');
  throwsLrp(() => heatmap(tensor([1, 2, 2, 1], [0, 0, 0, 0]), { width: 2 }), 'width applies to (N, F)');
  throwsLrp(() => heatmap(tensor([1, 1, 1, 1, 1], [0])), 'expected (N, H, W, C)');
});

test('accepts nested arrays and gives one image per sample, in order', () => {
  const images = heatmap([[[1, 0]], [[0, -1]]]);
  assert.is(images.length, 2);
  assert.equal(pixels(images[0]), [
    [255, 0, 0, 255],
    [255, 255, 255, 255],
  ]);
  assert.equal(pixels(images[1]), [
    [255, 255, 255, 255],
    [0, 0, 255, 255],
  ]);
  assert.equal(heatmap(tensor([0, 3], [])), []);
});

test('scale enlarges each value into a block; other colour maps apply', () => {
  const [image] = heatmap(tensor([1, 1, 2], [-1, 1]), { scale: 3, colormap: 'viridis' });
  assert.equal([image.width, image.height], [6, 3]);
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 6; x++) assert.equal(pixel(image, x, y), x < 3 ? [68, 1, 84, 255] : [253, 231, 37, 255]);
  }
  throwsLrp(() => heatmap(tensor([1, 1], [1]), { scale: 1.5 }), 'scale');
  throwsLrp(() => heatmap(tensor([1, 1], [1]), { colormap: 'rainbow' as 'bwr' }), "unknown colormap 'rainbow'");
});

// --- overlay -----------------------------------------------------------------------------------

const heat2x2 = (): RGBAImage => ({ width: 2, height: 1, data: Uint8ClampedArray.from([255, 0, 0, 255, 0, 0, 255, 255]) });

test('overlay: alpha 0 is the input, alpha 1 the heatmap, 0.5 the mean', () => {
  const rgb = tensor([1, 2, 3], [0.2, 0.4, 1, 0, 1, 0.6]);
  assert.equal(pixels(overlay(rgb, heat2x2(), { alpha: 0 })), [
    [51, 102, 255, 255],
    [0, 255, 153, 255],
  ]);
  assert.equal(pixels(overlay(rgb, heat2x2(), { alpha: 1 })), pixels(heat2x2()));
  assert.equal(pixels(overlay(rgb, heat2x2())), [
    [153, 51, 128, 255],
    [0, 128, 204, 255],
  ]);
});

test('overlay: [0, 255] input, grayscale, channels first, batches and scaled heatmaps', () => {
  const asBytes = [
    [51, 102, 255, 255],
    [0, 255, 153, 255],
  ];
  const bytes = tensor([1, 2, 3], [51, 102, 255, 0, 255, 153]);
  assert.equal(pixels(overlay(bytes, heat2x2(), { alpha: 0, inputRange: [0, 255] })), asBytes);
  const gray = tensor([1, 2], [0.2, 1]);
  assert.equal(pixels(overlay(gray, heat2x2(), { alpha: 0 })), [
    [51, 51, 51, 255],
    [255, 255, 255, 255],
  ]);
  const chw = tensor([3, 1, 2], [0.2, 0, 0.4, 1, 1, 0.6]);
  assert.equal(pixels(overlay(chw, heat2x2(), { alpha: 0, channelsLast: false })), asBytes);
  const batch = tensor([2, 1, 2, 1], [0, 0, 0.2, 1]);
  assert.equal(pixels(overlay(batch, heat2x2(), { alpha: 0, sample: 1 })), [
    [51, 51, 51, 255],
    [255, 255, 255, 255],
  ]);
  // A heatmap at scale 2 over a 2×1 input: each input pixel covers a 2×2 block.
  const big = heatmap(tensor([1, 1, 2], [1, -1]), { scale: 2 })[0];
  const blended = overlay(gray, big, { alpha: 0 });
  assert.equal([blended.width, blended.height], [4, 2]);
  assert.equal(pixel(blended, 1, 1), [51, 51, 51, 255]);
  assert.equal(pixel(blended, 2, 0), [255, 255, 255, 255]);
  // Out-of-range input is clipped before blending.
  const black = solidImage(1, 1, [0, 0, 0, 255]);
  assert.equal(pixel(overlay(tensor([1, 1], [2]), black, { alpha: 0 }), 0, 0), [255, 255, 255, 255]);
});

test('overlay refuses mismatched sizes, bad options and odd channel counts', () => {
  const rgb = tensor([1, 2, 3], [0, 0, 0, 0, 0, 0]);
  throwsLrp(() => overlay(rgb, solidImage(3, 1, [0, 0, 0, 255])), 'not an integer multiple');
  throwsLrp(() => overlay(rgb, heat2x2(), { alpha: 2 }), 'alpha');
  throwsLrp(() => overlay(rgb, heat2x2(), { inputRange: [1, 1] }), 'inputRange');
  throwsLrp(() => overlay(tensor([1, 2, 2], [0, 0, 0, 0]), heat2x2()), '2 channels');
  throwsLrp(() => overlay(tensor([1, 1, 2, 1], [0, 0]), heat2x2(), { sample: 1 }), 'sample 1');
});

// --- font and grid -------------------------------------------------------------------------------

/** Lit pixels of an image drawn in black on white, as rows of '#' and '.'. */
const ascii = (image: RGBAImage): string[] =>
  Array.from({ length: image.height }, (_, y) =>
    Array.from({ length: image.width }, (_, x) => (image.data[(y * image.width + x) * 4] === 0 ? '#' : '.')).join(''),
  );

test('the bitmap font draws 5×7 glyphs with a one-pixel gap, scalable', () => {
  const image = solidImage(11, 7, [255, 255, 255, 255]);
  drawText(image, '7(', 0, 0, [0, 0, 0, 255]);
  assert.equal(ascii(image), ['#####....#.', '....#...#..', '...#...#...', '..#....#...', '.#.....#...', '.#......#..', '.#.......#.']);
  assert.is(textWidth('7 (0.98)'), 47);
  assert.is(textWidth('7 (0.98)', 2), 94);
  const big = solidImage(10, 14, [255, 255, 255, 255]);
  drawText(big, '.', 0, 0, [0, 0, 0, 255], 2);
  assert.equal(ascii(big).slice(10), ['..####....', '..####....', '..####....', '..####....']);
  // Characters without a glyph are drawn as '?'; drawing is clipped at the edges.
  const unknown = solidImage(5, 7, [255, 255, 255, 255]);
  const question = solidImage(5, 7, [255, 255, 255, 255]);
  drawText(unknown, 'é', 0, 0, [0, 0, 0, 255]);
  drawText(question, '?', 0, 0, [0, 0, 0, 255]);
  assert.equal(ascii(unknown), ascii(question));
  const clipped = solidImage(3, 3, [255, 255, 255, 255]);
  drawText(clipped, 'M', -1, -1, [0, 0, 0, 255]);
  assert.equal(ascii(clipped), ['#.#', '.#.', '.#.']);
});

test('grid: size from columns, padding and cell size; images placed row by row', () => {
  const red = solidImage(4, 3, [255, 0, 0, 255]);
  const blue = solidImage(4, 3, [0, 0, 255, 255]);
  const out = grid([red, blue, red], { columns: 2, padding: 1, background: [0, 0, 0, 0] });
  assert.equal([out.width, out.height], [2 * 4 + 3 * 1, 2 * 3 + 3 * 1]);
  assert.equal(pixel(out, 0, 0), [0, 0, 0, 0]);
  assert.equal(pixel(out, 1, 1), [255, 0, 0, 255]);
  assert.equal(pixel(out, 5, 1), [0, 0, 0, 0]); // padding between columns
  assert.equal(pixel(out, 6, 3), [0, 0, 255, 255]);
  assert.equal(pixel(out, 1, 5), [255, 0, 0, 255]);
  assert.equal(pixel(out, 6, 5), [0, 0, 0, 0]); // the empty fourth cell
  const square = grid(new Array(5).fill(red));
  assert.equal([square.width, square.height], [3 * 4 + 4 * 4, 2 * 3 + 3 * 4]); // ⌈√5⌉ = 3 columns
  throwsLrp(() => grid([]), 'at least one image');
  throwsLrp(() => grid([red], { columns: 0 }), 'columns');
});

test('grid: labels widen cells, sit under each image and are drawn in the label colour', () => {
  const image = solidImage(10, 10, [0, 128, 0, 255]);
  const label = scoreLabel(7, 0.981);
  assert.is(label, '7 (0.98)');
  const out = grid(
    [
      { image, label },
      { image, label: 'cat' },
    ],
    { padding: 2, labelColor: [255, 0, 255, 255] },
  );
  const cellWidth = textWidth(label); // 47, wider than the image
  // A caption line is the font's 9 rows (descenders included) and 2 rows of gap.
  assert.equal([out.width, out.height], [2 * cellWidth + 3 * 2, 10 + 11 + 2 * 2]);
  const lit = (x0: number, x1: number, y0: number, y1: number): number => {
    let count = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (pixel(out, x, y).join() === '255,0,255,255') count++;
    return count;
  };
  // The label band of each cell has magenta text; the image rows have none.
  const bandTop = 2 + 10 + 2;
  // Lit font pixels: '7' 11, '(' 7, '0' 19, '.' 4, '9' 15, '8' 17, ')' 7; 'c' 10, 'a' 14, 't' 11.
  assert.is(lit(2, 2 + cellWidth, bandTop, bandTop + 7), 80);
  assert.is(lit(4 + cellWidth, 4 + 2 * cellWidth, bandTop, bandTop + 7), 35);
  assert.is(lit(0, out.width, 0, bandTop), 0);
  // '7 (0.98)' spans the full cell: its first column is the '7' glyph's left edge.
  assert.equal(pixel(out, 2, bandTop), [255, 0, 255, 255]);
  // Images are centred in the wider cell.
  assert.equal(pixel(out, 2 + 18, 2), [0, 128, 0, 255]);
  assert.equal(pixel(out, 2 + 17, 2), [255, 255, 255, 255]);
  // Twice the label scale, four times the lit pixels.
  const big = grid([{ image, label }], { padding: 0, labelScale: 2, labelColor: [255, 0, 255, 255] });
  let bigLit = 0;
  for (let i = 0; i < big.data.length; i += 4) if (big.data[i] === 255 && big.data[i + 1] === 0) bigLit++;
  assert.is(bigLit, 4 * 80);
});

test.run();
