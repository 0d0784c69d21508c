// lrp-keras/viz as a user calls it: images into a model's layout, colour maps that start or centre
// zero relevance by their kind, overlays that stay visible, grids with a title, true labels and a
// colour legend, a font with descenders, JPEG out in runtimes without Node's Buffer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { build } from 'esbuild';
import { encode as encodePng } from 'fast-png';
import { explanationPictures } from '../src/explanation-image.js';
import { LrpKerasError } from '../src/errors.js';
import { repoRoot } from './fixtures.js';
import {
  colorAt,
  COLORMAP_KINDS,
  colormaps,
  decodeImage,
  drawText,
  grid,
  heatmap,
  imageToTensor,
  solidImage,
  textWidth,
  toJPEG,
  toPNG,
  type ColormapName,
  type RGBAImage,
} from '../src/viz/index.js';

const pixel = (image: RGBAImage, x: number, y: number): number[] =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

const grayPng = (width: number, height: number, values: number[]): Uint8Array =>
  encodePng({ width, height, data: Uint8Array.from(values), channels: 1, depth: 8 });

function throwsLrp(fn: () => unknown, fragment: string): void {
  try {
    fn();
    assert.unreachable('expected an LrpKerasError');
  } catch (e) {
    assert.instance(e, LrpKerasError);
    assert.ok((e as Error).message.includes(fragment), `"${(e as Error).message}" lacks "${fragment}"`);
  }
}

// --- images into a model's layout ---------------------------------------------------------------

test('imageToTensor: PNG bytes to (1, H, W, 1) pixels / 255; a batch of two; channels first for (C, H, W) models', () => {
  const png = grayPng(2, 2, [0, 51, 102, 255]);
  const x = imageToTensor(png, { inputShape: [2, 2, 1] });
  assert.equal(x.shape, [1, 2, 2, 1]);
  assert.equal(
    Array.from(x.data),
    [0, 51, 102, 255].map((v) => Math.fround(v * (1 / 255))),
  );
  const batch = imageToTensor([png, png.buffer as ArrayBuffer], { inputShape: [2, 2, 1] }, { scale: 1 });
  assert.equal(batch.shape, [2, 2, 2, 1]);
  assert.equal(Array.from(batch.data.subarray(4)), [0, 51, 102, 255]);
  // An RGB image for a (3, H, W) model: planes of red, green and blue.
  const rgba = { width: 2, height: 1, data: Uint8ClampedArray.from([10, 20, 30, 255, 40, 50, 60, 255]) };
  const first = imageToTensor(toPNG(rgba), { inputShape: [3, 1, 2] }, { scale: 1 });
  assert.equal(Array.from(first.data), [10, 40, 20, 50, 30, 60]);
  // Gray models read colour images by luma, as PIL's convert('L').
  const gray = imageToTensor(toPNG(rgba), { inputShape: [1, 2] }, { scale: 1 });
  assert.ok(Math.abs(gray.data[0] - (0.299 * 10 + 0.587 * 20 + 0.114 * 30)) < 1e-4);
});

test("imageToTensor: resizes by default (bilinear, aligned centres), refuses with resize: false; free sizes keep the image's", () => {
  const png = grayPng(2, 1, [0, 255]);
  const x = imageToTensor(png, { inputShape: [1, 4, 1] }, { scale: 1 });
  // Output x samples the input at (x + 0.5)·2/4 − 0.5: −0.25 → 0 (clamped), 0.25, 0.75, 1.25 → 1.
  assert.equal(Array.from(x.data), [0, 63.75, 191.25, 255]);
  throwsLrp(
    () => imageToTensor(png, { inputShape: [1, 4, 1] }, { resize: false }),
    'the image is 2×1, the model expects 4×1; pass --resize',
  );
  const free = imageToTensor(png, { inputShape: [null, null, 1] });
  assert.equal(free.shape, [1, 1, 2, 1]);
  throwsLrp(() => imageToTensor([png, grayPng(1, 1, [0])], { inputShape: [null, null, 1] }), 'cannot share a batch');
  throwsLrp(() => imageToTensor(png, { inputShape: [10] }), 'is not an image');
  throwsLrp(() => imageToTensor(png, { inputShape: [1, 2, 1] }, { scale: Number.NaN }), 'option scale');
});

// --- colour maps: zero relevance at the start of sequential maps, the centre of diverging ones ---

test('sequential maps paint zero relevance with their first colour, diverging maps with their centre', () => {
  const zeros = { shape: [1, 2, 2, 1], data: new Float32Array(4) };
  for (const name of Object.keys(colormaps) as ColormapName[]) {
    const t = COLORMAP_KINDS[name] === 'sequential' ? 0 : 0.5;
    assert.equal(pixel(heatmap(zeros, { colormap: name })[0], 0, 0), [...colorAt(name, t), 255], name);
  }
  // hot, gray and viridis start dark: zero relevance is no longer an orange, grey or green background.
  assert.equal(pixel(heatmap(zeros, { colormap: 'hot' })[0], 0, 0), [11, 0, 0, 255]);
  assert.equal(pixel(heatmap(zeros, { colormap: 'gray' })[0], 0, 0), [0, 0, 0, 255]);
  assert.equal(pixel(heatmap(zeros, { colormap: 'viridis' })[0], 0, 0), [68, 1, 84, 255]);
});

test('sequential maps: R / max|R| clipped to [0, 1], negative relevance at zero; the option overrides the kind', () => {
  const r = { shape: [1, 1, 4], data: Float32Array.from([-2, 0, 1, 2]) };
  const hot = heatmap(r, { colormap: 'gray' })[0];
  assert.equal(
    [0, 1, 2, 3].map((x) => pixel(hot, x, 0)[0]),
    [0, 0, 128, 255],
  );
  const centred = heatmap(r, { colormap: 'gray', sequential: false })[0];
  assert.equal(
    [0, 1, 2, 3].map((x) => pixel(centred, x, 0)[0]),
    [0, 128, 191, 255],
  );
  // A function has no kind: centred unless told.
  const fn = colormaps.gray;
  assert.equal(pixel(heatmap(r, { colormap: fn })[0], 1, 0)[0], 128);
  assert.equal(pixel(heatmap(r, { colormap: fn, sequential: true })[0], 1, 0)[0], 0);
});

test('a gray overlay keeps relevance visible: the most relevant pixel stands out from irrelevant ones by more than half the range', () => {
  // A flat gray input: only the heatmap can tell pixels apart.
  const input = new Float32Array(16).fill(0.5);
  const relevance = new Float32Array(16);
  relevance[5] = 1;
  const [picture] = explanationPictures([4, 4, 1], [input], relevance, { colormap: 'gray', overlay: true });
  const zoom = picture.width / 4;
  const hot = pixel(picture, 1 * zoom, 1 * zoom)[0];
  const cold = pixel(picture, 3 * zoom, 3 * zoom)[0];
  assert.ok(hot - cold >= 150, `relevant ${hot} vs irrelevant ${cold}`);
});

// --- font ------------------------------------------------------------------------------------------

/** Rows of an image (black on white) that hold a lit pixel. */
const litRows = (image: RGBAImage): number[] =>
  Array.from({ length: image.height }, (_, y) => y).filter((y) =>
    Array.from({ length: image.width }, (_, x) => pixel(image, x, y)[0]).some((v) => v === 0),
  );

test('g, j, p, q and y descend below the baseline; "g" is not "9" and "p" not "P"', () => {
  const draw = (text: string): RGBAImage => {
    const image = solidImage(textWidth(text), 9, [255, 255, 255, 255]);
    drawText(image, text, 0, 0, [0, 0, 0, 255]);
    return image;
  };
  for (const ch of 'gjpqy')
    assert.ok(
      litRows(draw(ch)).some((y) => y >= 7),
      `${ch} has no descender`,
    );
  for (const ch of 'abcxz')
    assert.ok(
      litRows(draw(ch)).every((y) => y < 7),
      `${ch} reaches below the baseline`,
    );
  assert.not.equal(Array.from(draw('g').data), Array.from(draw('9').data));
  assert.not.equal(Array.from(draw('p').data), Array.from(draw('P').data));
  assert.ok(litRows(draw('flipping')).includes(8), 'flipping: its p, p and g descend');
});

// --- grid -----------------------------------------------------------------------------------------

test('grid: a title above the cells, true labels under the captions, a colour legend below', () => {
  const image = solidImage(40, 40, [0, 128, 0, 255]);
  const plain = grid([{ image, label: '7 (0.98)' }], { padding: 4 });
  const out = grid([{ image, label: '7 (0.98)', trueLabel: 3 }], {
    padding: 4,
    title: 'epsilon-plus',
    legend: { colormap: 'bwr', sequential: false },
  });
  // Title band (9 + 2 + 2 rows), one more caption line (11 rows), legend (4 + 8 + 2·11 rows).
  assert.is(out.height, plain.height + 13 + 11 + 4 + 8 + 22);
  assert.ok(out.width >= textWidth('relevance / largest |R| of each image') + 8);
  const black = (y0: number, y1: number): number => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = 0; x < out.width; x++) if (pixel(out, x, y).join() === '0,0,0,255') n++;
    return n;
  };
  assert.ok(black(4, 13) > 0, 'the title is drawn');
  const imageTop = 4 + 13;
  const trueLine = imageTop + 40 + 2 + 11;
  assert.ok(black(trueLine, trueLine + 9) > 0, 'the true label is drawn');
  // The bar runs the colour map from end to end: blue at its left, white in the middle, red at its right.
  const barTop = out.height - 4 - 22 - 8;
  const row = Array.from({ length: out.width }, (_, x) => pixel(out, x, barTop + 1));
  const bar = row.map((p) => p.join());
  const left = bar.indexOf('0,0,255,255');
  const right = bar.lastIndexOf('255,0,0,255');
  assert.ok(left >= 0 && right > left, 'blue … red along the bar');
  assert.equal(
    pixel(out, Math.round((left + right) / 2), barTop + 1)
      .slice(0, 3)
      .map((v) => v >= 250),
    [true, true, true],
  );
  assert.ok(black(barTop + 8, out.height) > 0, 'tick labels and caption are drawn');
  // A sequential legend runs the map from its first colour to its last.
  const seq = grid([image], { padding: 4, legend: { colormap: 'viridis', sequential: true } });
  const seqRow = Array.from({ length: seq.width }, (_, x) => pixel(seq, x, seq.height - 4 - 22 - 7).join());
  assert.ok(seqRow.includes('68,1,84,255') && seqRow.includes('253,231,37,255'), 'viridis from end to end');
});

// --- JPEG -----------------------------------------------------------------------------------------

test("toJPEG encodes without Node's Buffer (as in browsers and Workers); the JPEG decodes back close to the image", () => {
  const image = solidImage(16, 16, [200, 40, 40, 255]);
  const global = globalThis as { Buffer?: unknown };
  const saved = global.Buffer;
  delete global.Buffer;
  let jpeg: Uint8Array;
  try {
    jpeg = toJPEG(image, 95);
  } finally {
    global.Buffer = saved;
  }
  assert.equal(Array.from(jpeg.subarray(0, 3)), [0xff, 0xd8, 0xff]);
  const back = decodeImage(jpeg);
  assert.equal([back.width, back.height, back.channels], [16, 16, 3]);
  for (let i = 0; i < back.data.length; i += 3) {
    assert.ok(
      Math.abs(back.data[i] - 200) <= 4 && Math.abs(back.data[i + 1] - 40) <= 4 && Math.abs(back.data[i + 2] - 40) <= 4,
      `pixel ${i / 3}`,
    );
  }
  throwsLrp(() => toJPEG(image, 0), 'quality');
});

// --- edge-safe -----------------------------------------------------------------------------------

test('lrp-keras/viz bundled for the edge generates no code and imports no Node module', async () => {
  const result = await build({
    entryPoints: [join(repoRoot, 'dist/viz/index.js')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    minify: true,
    external: ['node:*'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  for (const pattern of [/new Function\b/, /\bFunction\(/, /\beval\(/, /["'`]node:/, /\brequire\(/])
    assert.is(code.search(pattern), -1, String(pattern));
});

test.run();
