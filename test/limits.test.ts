// Resource limits and hostile configs: refused before allocating, with the layer and field named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { zipSync, strToU8 } from 'fflate';
import { loadModel, LrpKerasError } from '../src/index.js';
import { legacyH5, type StoredWeight } from './keras-writer.js';

async function refused(promise: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<void> {
  const e = await promise.then(
    () => undefined,
    (err) => err,
  );
  assert.instance(e, LrpKerasError, `expected LrpKerasError, got ${e}`);
  for (const part of parts) assert.match((e as Error).message, part);
}

const dense = (name: string, units: number, extra: object = {}) => ({ class_name: 'Dense', config: { name, units, ...extra } });
const sequential = (layers: object[], shape: (number | null)[] = [null, 4]) => ({
  class_name: 'Sequential',
  config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: shape } }, ...layers] },
});
const w = (name: string, shape: number[]): StoredWeight => ({
  name,
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1),
});

test('absurd field values are refused naming the layer and field', async () => {
  for (const units of [0, -3, 1e9, NaN, 2.5, '7']) {
    await refused(loadModel(await legacyH5(sequential([dense('d', units as number)]), { d: [] })), "'d' (Dense)", 'units');
  }
  const conv = (config: object) =>
    sequential([{ class_name: 'Conv2D', config: { name: 'c', filters: 2, kernel_size: [3, 3], ...config } }], [null, 8, 8, 1]);
  await refused(loadModel(await legacyH5(conv({ kernel_size: [0, 3] }), { c: [] })), "'c' (Conv2D)", 'kernel_size');
  await refused(loadModel(await legacyH5(conv({ strides: [-1, 1] }), { c: [] })), 'strides');
  await refused(loadModel(await legacyH5(conv({ padding: 'full' }), { c: [] })), 'padding');
  await refused(
    loadModel(await legacyH5(conv({ kernel_size: [30, 30] }), { c: [w('c/kernel:0', [30, 30, 1, 2]), w('c/bias:0', [2])] })),
    'does not fit',
  );
});

test('wrong weight shapes or counts name the layer, the weight and both shapes', async () => {
  await refused(
    loadModel(await legacyH5(sequential([dense('d', 3)]), { d: [w('d/kernel:0', [4, 2]), w('d/bias:0', [3])] })),
    "'d' (Dense)",
    'kernel',
    '(4, 2)',
    '(4, 3)',
  );
  await refused(loadModel(await legacyH5(sequential([dense('d', 3)]), { d: [w('d/kernel:0', [4, 3])] })), 'expected 2 weight(s)');
  const nan = w('d/kernel:0', [4, 3]);
  nan.data[5] = NaN;
  await refused(loadModel(await legacyH5(sequential([dense('d', 3)]), { d: [nan, w('d/bias:0', [3])] })), 'non-finite', 'index 5');
});

test('layer names like __proto__ and constructor are plain names', async () => {
  const config = sequential([dense('__proto__', 3), dense('constructor', 2), dense('toString', 2)]);
  const model = await loadModel(
    await legacyH5(config, {
      ['__proto__']: [w('__proto__/kernel:0', [4, 3]), w('__proto__/bias:0', [3])],
      constructor: [w('constructor/kernel:0', [3, 2]), w('constructor/bias:0', [2])],
      toString: [w('toString/kernel:0', [2, 2]), w('toString/bias:0', [2])],
    }),
  );
  assert.equal(
    model.layers.map((l) => l.name),
    ['in', '__proto__', 'constructor', 'toString'],
  );
  const y = model.logits({ shape: [1, 4], data: Float32Array.of(1, 2, 3, 4) }).data;
  // Every weight is 0.1: h = 10·0.1 + 0.1 = 1.1 (×3), then 0.33 + 0.1 = 0.43 (×2), then 0.086 + 0.1 = 0.186.
  assert.ok(Math.abs(y[0] - 0.186) < 1e-6 && Math.abs(y[1] - 0.186) < 1e-6, String(y));
  assert.equal(({} as Record<string, unknown>).units, undefined);
});

test('duplicate names, a config that is not JSON, and weights for no layer are refused', async () => {
  await refused(loadModel(await legacyH5(sequential([dense('d', 3), dense('d', 2)]), { d: [] })), "'d'", 'used twice');
  await refused(loadModel(new Uint8Array(0), { config: '{not json' }), /empty/);
  await refused(
    loadModel(
      await legacyH5(sequential([dense('d', 3)]), { d: [w('d/kernel:0', [4, 3]), w('d/bias:0', [3])], ghost: [w('ghost/k', [1])] }),
    ),
    "'ghost'",
  );
});

test("a pooling window far larger than its input gives TensorFlow's result without costing its size", async () => {
  // TensorFlow's same padding: ⌈n/s⌉ outputs; window o covers [o·s − before, o·s − before + k) ∩ [0, n).
  const reference = (x: number[][], k: [number, number], s: [number, number], avg: boolean): number[] => {
    const axis = (n: number, kk: number, ss: number) => {
      const out = Math.ceil(n / ss);
      const before = Math.floor(Math.max((out - 1) * ss + kk - n, 0) / 2);
      return Array.from({ length: out }, (_, o) => [Math.max(0, o * ss - before), Math.min(n, o * ss - before + kk)]);
    };
    const out: number[] = [];
    for (const [r0, r1] of axis(x.length, k[0], s[0])) {
      for (const [c0, c1] of axis(x[0].length, k[1], s[1])) {
        const cells = x.slice(r0, r1).flatMap((row) => row.slice(c0, c1));
        out.push(avg ? cells.reduce((a, b) => a + b, 0) / cells.length : Math.max(...cells));
      }
    }
    return out;
  };
  const x = Array.from({ length: 5 }, (_, r) => Array.from({ length: 7 }, (_, c) => Math.fround(Math.sin(r * 7 + c))));
  for (const className of ['MaxPooling2D', 'AveragePooling2D']) {
    for (const [k, st] of [
      [
        [2 ** 24, 3],
        [2, 2],
      ],
      [
        [9, 2 ** 24],
        [1, 3],
      ],
      [
        [6, 8],
        [2, 5],
      ],
      [
        [2 ** 24, 2 ** 24],
        [4, 1],
      ],
    ] as [number, number][][]) {
      const config = sequential(
        [{ class_name: className, config: { name: 'p', pool_size: k, strides: st, padding: 'same' } }],
        [null, 5, 7, 1],
      );
      const model = await loadModel(await legacyH5(config, { p: [] }), { reader: 'pure' });
      const start = performance.now();
      const y = model.predict({ shape: [1, 5, 7, 1], data: Float32Array.from(x.flat()) });
      const want = reference(x, k as [number, number], st as [number, number], className === 'AveragePooling2D');
      assert.equal(
        Array.from(y.data, (v) => v.toFixed(5)),
        want.map((v) => v.toFixed(5)),
        `${className} ${k} / ${st}`,
      );
      assert.ok(performance.now() - start < 100, `${className} ${k}: ${(performance.now() - start).toFixed(0)} ms`);
    }
  }
});

test('a tensor over the element limit is refused before it is allocated; the limit can be raised', async () => {
  const big = sequential([{ class_name: 'UpSampling2D', config: { name: 'up', size: [64, 64] } }], [null, 64, 64, 8]);
  await refused(
    loadModel(await legacyH5(big, { up: [] }), { limits: { maxTensorElements: 1 << 20 } }),
    "'up' (UpSampling2D)",
    'limits.maxTensorElements',
  );
  const model = await loadModel(await legacyH5(big, { up: [] }), { limits: { maxTensorElements: 1 << 30 } });
  assert.equal(model.outputShape, [4096, 4096, 8]);
});

test('.keras zips: entries escaping the archive and zip bombs are refused before inflating', async () => {
  const escaping = zipSync({ '../evil.json': strToU8('{}'), 'config.json': strToU8('{}') });
  await refused(loadModel(escaping), 'outside the archive');
  // A forged central-directory size: 2^30 − 1 bytes from a few hundred compressed ones.
  const bomb = zipSync({ 'config.json': new Uint8Array(1 << 16) }, { level: 9 });
  const view = new DataView(bomb.buffer, bomb.byteOffset);
  for (let at = bomb.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) === 0x02014b50) {
      view.setUint32(at + 24, 2 ** 30 - 1, true);
      break;
    }
  }
  await refused(loadModel(bomb), 'limits.maxZipRatio');
  await refused(loadModel(zipSync({ 'config.json': strToU8('{}') }), { limits: { maxZipEntryBytes: 1 } }), 'limits.maxZipEntryBytes');
});

test.run();
