// The Node entry reads HDF5 with the pure-TypeScript reader by default, as every other runtime does,
// and hands a file to h5wasm only when it uses what the pure reader lacks (here: gzip-compressed
// weights) or when asked. Results are the same whichever reader read the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LrpKerasError } from '../src/errors.js';
import { loadModel, lrp } from '../src/node.js';
import { fixturePath, repoRoot } from './fixtures.js';
import { writeH5 } from './keras-writer.js';

const CONFIG = {
  class_name: 'Sequential',
  config: {
    name: 's',
    layers: [
      { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4], dtype: 'float32' } },
      { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'relu', use_bias: true } },
      { class_name: 'Dense', config: { name: 'out', units: 2, activation: 'linear', use_bias: true } },
    ],
  },
};

const WEIGHTS: Record<string, [string, number[], number[]][]> = {
  d: [
    ['d/kernel:0', [4, 3], [0.5, -0.2, 0.1, 0.3, 0.8, -0.5, -0.4, 0.2, 0.6, 0.1, -0.3, 0.9]],
    ['d/bias:0', [3], [0.1, 0, -0.1]],
  ],
  out: [
    ['out/kernel:0', [3, 2], [1, -1, 0.5, 0.25, -0.75, 2]],
    ['out/bias:0', [2], [0, 0.5]],
  ],
};

/** Keras' legacy .h5 layout, the weights stored gzip-compressed in chunks (h5py's compression='gzip') or plainly. */
const modelFile = (compressed: boolean): Promise<Uint8Array> =>
  writeH5((root) => {
    root.create_attribute('model_config', JSON.stringify(CONFIG));
    root.create_attribute('keras_version', '2.11.0');
    root.create_attribute('backend', 'tensorflow');
    const weights = root.create_group('model_weights');
    weights.create_attribute('layer_names', Object.keys(WEIGHTS));
    for (const [layer, list] of Object.entries(WEIGHTS)) {
      const group = weights.create_group(layer);
      group.create_attribute(
        'weight_names',
        list.map(([name]) => name),
      );
      const inner = group.create_group(layer);
      for (const [name, shape, values] of list) {
        const data = Float32Array.from(values);
        const leaf = name.split('/')[1];
        if (compressed) inner.create_dataset({ name: leaf, data, shape, dtype: '<f4', chunks: shape, compression: 'gzip' });
        else inner.create_dataset({ name: leaf, data, shape, dtype: '<f4' });
      }
    }
  });

const x = { shape: [2, 4], data: Float32Array.from([1, 2, 3, 4, -1, 0.5, 2, -3]) };

test('a file with compressed weights: the pure reader says so, the default falls back to h5wasm, with the same results', async () => {
  const compressed = await modelFile(true);
  const plain = await modelFile(false);
  try {
    await loadModel(compressed, { reader: 'pure' });
    assert.unreachable('the pure reader read compressed data');
  } catch (e) {
    assert.instance(e, LrpKerasError);
    assert.match((e as Error).message, /filtered .*not supported/);
  }
  const byDefault = await loadModel(compressed);
  const reference = await loadModel(plain, { reader: 'pure' });
  assert.equal(Array.from(byDefault.logits(x).data), Array.from(reference.logits(x).data));
  assert.equal(Array.from(lrp(byDefault, x).data), Array.from(lrp(reference, x).data));
});

test('errors h5wasm cannot fix are reported as the pure reader gave them', async () => {
  const bad = {
    ...CONFIG,
    config: { ...CONFIG.config, layers: [CONFIG.config.layers[0], { class_name: 'FancyCustomLayer', config: { name: 'd', units: 3 } }] },
  };
  const file = await writeH5((root) => {
    root.create_attribute('model_config', JSON.stringify(bad));
    const weights = root.create_group('model_weights');
    weights.create_attribute('layer_names', ['d']);
    weights.create_group('d').create_attribute('weight_names', new Float64Array(0));
  });
  try {
    await loadModel(file);
    assert.unreachable('a custom layer loaded');
  } catch (e) {
    assert.instance(e, LrpKerasError);
    assert.match((e as Error).message, /layer 'd' \(FancyCustomLayer\) is not supported/);
  }
});

test('by default a plain file never starts h5wasm (a fresh process: no HDF5 instance after loading)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-reader-'));
  try {
    const script = join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `
      const { loadModel } = await import(${JSON.stringify(join(repoRoot, 'build/src/node.js'))});
      const { h5wasmHeapBytes } = await import(${JSON.stringify(join(repoRoot, 'build/src/io/h5wasm-reader.js'))});
      await loadModel(${JSON.stringify(fixturePath('models/mlp.h5'))});
      const before = h5wasmHeapBytes();
      await loadModel(${JSON.stringify(fixturePath('models/mlp.h5'))}, { reader: 'h5wasm' });
      console.log(JSON.stringify({ before: before ?? null, after: h5wasmHeapBytes() ?? null }));
    `,
    );
    const out = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim());
    assert.is(out.before, null);
    assert.ok(out.after > 0, 'h5wasm on request');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
