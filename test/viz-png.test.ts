import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { decodeImage, grid, heatmap, toPNG } from '../src/viz/index.js';
import { LrpKerasError } from '../src/errors.js';

function throwsLrp(fn: () => unknown, ...fragments: string[]): void {
  try {
    fn();
    assert.unreachable('expected an LrpKerasError');
  } catch (e) {
    assert.instance(e, LrpKerasError);
    for (const f of fragments) assert.ok((e as Error).message.includes(f), `"${(e as Error).message}" lacks "${f}"`);
  }
}

test('toPNG → decodeImage round-trips every RGBA byte', () => {
  const relevance = { shape: [2, 5, 7, 3], data: Float32Array.from({ length: 210 }, (_, i) => Math.sin(i) * i) };
  const image = grid(heatmap(relevance, { colormap: 'jet', scale: 2 }).map((h, i) => ({ image: h, label: `${i}` })));
  const png = toPNG(image);
  assert.equal(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const back = decodeImage(png);
  assert.equal([back.width, back.height, back.channels], [image.width, image.height, 4]);
  assert.equal(Array.from(back.data), Array.from(image.data));
  // Transparency survives too, and an ArrayBuffer is accepted.
  const clear = { width: 2, height: 1, data: Uint8ClampedArray.from([1, 2, 3, 0, 250, 251, 252, 128]) };
  const bytes = toPNG(clear);
  assert.equal(Array.from(decodeImage(bytes.slice().buffer).data), [1, 2, 3, 0, 250, 251, 252, 128]);
});

test('toPNG refuses data that does not fit the size', () => {
  throwsLrp(() => toPNG({ width: 2, height: 2, data: new Uint8ClampedArray(12) }), 'needs 16 RGBA bytes, has 12');
});

test('decodes gray, 16-bit, 1-bit and indexed PNGs to 8-bit samples', () => {
  const gray = decodeImage(encodePng({ width: 3, height: 1, data: Uint8Array.from([0, 100, 255]), channels: 1, depth: 8 }));
  assert.equal([gray.channels, ...gray.data], [1, 0, 100, 255]);

  const samples16 = Uint16Array.from([0, 128 * 257, 65535, 1000, 30000, 65280]);
  const deep = encodePng({ width: 2, height: 1, data: samples16, channels: 3, depth: 16 });
  const eight = decodeImage(deep);
  assert.equal([eight.channels, ...eight.data], [3, 0, 128, 255, 4, 117, 254]);

  // 1 bit a pixel, rows padded to whole bytes: 10 pixels → 2 bytes a row.
  const packed = Uint8Array.from([0b10110000, 0b01000000, 0b00000001, 0b11000000]);
  const bits = encodePng({ width: 10, height: 2, data: packed, channels: 1, depth: 1 });
  const unpacked = decodeImage(bits);
  assert.equal([unpacked.width, unpacked.height, unpacked.channels], [10, 2, 1]);
  assert.equal(
    Array.from(unpacked.data).map((v) => (v === 255 ? 1 : v)),
    [1, 0, 1, 1, 0, 0, 0, 0, 0, 1, /* row 2 */ 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
  );

  const palette = [
    [255, 0, 0],
    [0, 0, 255],
  ];
  const indexed = encodePng({ width: 3, height: 1, data: Uint8Array.from([1, 0, 1]), channels: 1, depth: 8, palette });
  const rgb = decodeImage(indexed);
  assert.equal([rgb.channels, ...rgb.data], [3, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
});

test("decodes a JPEG (made with jpeg-js' encoder) to RGB", () => {
  // 16×8: the left 8×8 block one colour, the right another, so block-wise compression keeps them flat.
  const [width, height] = [16, 8];
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set(x < 8 ? [200, 40, 30, 255] : [20, 60, 220, 255], (y * width + x) * 4);
  }
  const jpeg = encodeJpeg({ width, height, data: rgba }, 95).data;
  assert.equal(Array.from(jpeg.subarray(0, 3)), [0xff, 0xd8, 0xff]);
  const image = decodeImage(new Uint8Array(jpeg));
  assert.equal([image.width, image.height, image.channels, image.data.length], [16, 8, 3, 16 * 8 * 3]);
  const near = (at: number, rgb: number[]): void => {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(image.data[at + c] - rgb[c]) <= 4, `${image.data[at + c]} ≉ ${rgb[c]}`);
  };
  near((3 * width + 2) * 3, [200, 40, 30]);
  near((5 * width + 12) * 3, [20, 60, 220]);
});

test('unknown formats and corrupt files are LrpKerasErrors', () => {
  const gif = Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 2, 3]);
  throwsLrp(() => decodeImage(gif), 'unknown image format', '47 49 46 38 39 61 01 02', 'PNG or JPEG');
  throwsLrp(() => decodeImage(new Uint8Array(0)), 'unknown image format', 'nothing');
  const truncated = toPNG({ width: 4, height: 4, data: new Uint8ClampedArray(64).fill(7) }).subarray(0, 40);
  throwsLrp(() => decodeImage(truncated), 'corrupt PNG');
  throwsLrp(() => decodeImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 1])), 'corrupt JPEG');
});

test.run();
