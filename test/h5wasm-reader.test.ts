import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { h5wasmReader } from '../src/io/h5wasm-reader.js';
import { LrpKerasError } from '../src/errors.js';
import { fixturePath } from './fixtures.js';

test('reads attributes, groups and datasets of a Keras 2 file', async () => {
  const file = await h5wasmReader.open(readFileSync(fixturePath('models/cnn_small.h5')), 'cnn_small.h5');
  const weights = file.root.get('model_weights');
  assert.ok(weights && weights.kind === 'group');
  if (weights?.kind !== 'group') return;
  assert.equal((weights.attr('layer_names') as string[])[0], 'conv2d');
  assert.equal(weights.get('max_pooling2d')?.kind, 'group');
  const kernel = weights.get('conv2d/conv2d/kernel:0');
  assert.equal(kernel?.kind, 'dataset');
  if (kernel?.kind !== 'dataset') return;
  assert.equal(kernel.shape, [3, 3, 1, 8]);
  assert.equal(kernel.dtype, 'float32');
  assert.equal(kernel.readFloat32().length, 72);
  assert.equal(weights.get('conv2d/nope'), undefined);
  file.close();
  file.close();
});

test('a file that is not HDF5 is an LrpKerasError naming it', async () => {
  try {
    await h5wasmReader.open(new Uint8Array([1, 2, 3, 4]), 'junk.h5');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LrpKerasError);
    assert.match((e as Error).message, 'junk.h5');
  }
});

test.run();
