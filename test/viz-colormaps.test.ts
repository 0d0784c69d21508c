import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colorAt, colormaps, resolveColormap, type Colormap, type ColormapName } from '../src/viz/index.js';
import { LrpKerasError } from '../src/errors.js';

type Point = [t: number, rgb: [number, number, number]];

function checkPoints(name: ColormapName, points: Point[]): void {
  for (const [t, rgb] of points) assert.equal(colorAt(name, t), rgb, `${name}(${t})`);
}

test("bwr is matplotlib's blue–white–red, white exactly at the centre", () => {
  checkPoints('bwr', [
    [0, [0, 0, 255]],
    [0.25, [128, 128, 255]],
    [0.5, [255, 255, 255]],
    [0.75, [255, 128, 128]],
    [1, [255, 0, 0]],
  ]);
});

test('seismic runs dark blue, blue, white, red, dark red at quarters', () => {
  // matplotlib: (0, 0, 0.3), (0, 0, 1), (1, 1, 1), (1, 0, 0), (0.5, 0, 0) evenly spaced.
  checkPoints('seismic', [
    [0, [0, 0, 77]],
    [0.25, [0, 0, 255]],
    [0.5, [255, 255, 255]],
    [0.75, [255, 0, 0]],
    [1, [128, 0, 0]],
  ]);
});

test("hot follows matplotlib's segment data: black-red, red-yellow, yellow-white", () => {
  checkPoints('hot', [
    [0, [11, 0, 0]], // red starts at 0.0416
    [0.365079, [255, 0, 0]],
    [0.5, [255, 90, 0]], // green (0.5 − 0.365079) / (0.746032 − 0.365079) = 0.3542
    [0.746032, [255, 255, 0]],
    [1, [255, 255, 255]],
  ]);
});

test('gray is linear from black to white', () => {
  checkPoints('gray', [
    [0, [0, 0, 0]],
    [0.2, [51, 51, 51]],
    [0.5, [128, 128, 128]],
    [1, [255, 255, 255]],
  ]);
});

test('jet runs dark blue to dark red through cyan, green and yellow', () => {
  checkPoints('jet', [
    [0, [0, 0, 128]],
    [0.11, [0, 0, 255]], // blue saturates at 0.11, green starts at 0.125
    [0.375, [21, 255, 226]], // red (0.375 − 0.35) / 0.31, blue 1 − (0.375 − 0.34) / 0.31
    [0.5, [123, 255, 123]],
    [0.89, [255, 19, 0]], // green 1 − (0.89 − 0.64) / 0.27
    [1, [128, 0, 0]],
  ]);
});

test("at matplotlib's own sample points i/255 the colours are matplotlib's, rounded", () => {
  // matplotlib: jet(0.5) = entry 128 = (0.490196, 1, 0.477546); bwr(0.5) = (1, 0.996078, 0.996078).
  assert.equal(colorAt('jet', 128 / 255), [125, 255, 122]);
  assert.equal(colorAt('bwr', 128 / 255), [255, 254, 254]);
});

test("viridis is matplotlib's 256-entry table, looked up at entry ⌊256·t⌋", () => {
  checkPoints('viridis', [
    [0, [68, 1, 84]],
    [0.5, [33, 145, 140]], // entry 128: (0.127568, 0.566949, 0.550556)
    [1, [253, 231, 37]], // entry 255: (0.993248, 0.906157, 0.143936)
    [1 / 256 - 1e-9, [68, 1, 84]],
    [1 / 256, [68, 2, 86]], // entry 1: (0.268510, 0.009605, 0.335427)
    [0.25, [59, 82, 139]], // entry 64: (0.229739, 0.322361, 0.545706)
    [0.75, [94, 201, 98]], // entry 192: (0.369214, 0.788888, 0.382914)
  ]);
});

test("coldnhot is Zennit's '0ff,00f,80:000,f00,ff0,fff' with its node positions", () => {
  checkPoints('coldnhot', [
    [0, [0, 255, 255]],
    [32 / 255, [0, 128, 255]], // half way cyan → blue
    [64 / 255, [0, 0, 255]],
    [128 / 255, [0, 0, 0]],
    [170 / 255, [255, 0, 0]],
    [212 / 255, [255, 255, 0]],
    [1, [255, 255, 255]],
  ]);
  // Zennit's black node sits at index 0x80 = 128, just above t = 0.5.
  assert.equal(colorAt('coldnhot', 0.5), [0, 0, 2]);
});

test("wred is Zennit's white to red", () => {
  checkPoints('wred', [
    [0, [255, 255, 255]],
    [0.5, [255, 128, 128]],
    [1, [255, 0, 0]],
  ]);
});

test('values outside [0, 1] clamp to the ends', () => {
  for (const name of Object.keys(colormaps) as ColormapName[]) {
    assert.equal(colorAt(name, -3), colorAt(name, 0), `${name} below`);
    assert.equal(colorAt(name, 7), colorAt(name, 1), `${name} above`);
  }
});

test('a colour map writes three bytes at the offset and nothing else', () => {
  const out = new Uint8ClampedArray(8).fill(9);
  colormaps.bwr(1, out, 4);
  assert.equal(Array.from(out), [9, 9, 9, 9, 255, 0, 0, 9]);
});

test('unknown names are LrpKerasErrors listing the known maps; functions pass through', () => {
  for (const name of ['nope', 'toString']) {
    try {
      resolveColormap(name as ColormapName);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, LrpKerasError);
      assert.match((e as Error).message, `unknown colormap '${name}'`);
      assert.match((e as Error).message, 'bwr, seismic, coldnhot, wred, hot, gray, jet, viridis');
    }
  }
  const mine: Colormap = (t, out, at) => out.set([t * 100, 1, 2], at);
  assert.is(resolveColormap(mine), mine);
  assert.equal(colorAt(mine, 0.5), [50, 1, 2]);
});

test.run();
