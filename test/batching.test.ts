// Large batches run in chunks with results identical to one pass, per-sample options sliced along.
import { fixedShape } from '../src/tensor.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, loadModel } from '../src/node.js';
import { fixturePath } from './fixtures.js';

const batch = (n: number, size: number) => ({
  shape: [n],
  data: Float32Array.from({ length: n * size }, (_, i) => ((i * 7919) % 1000) / 1000),
});

test('analyze in chunks equals one pass, with per-sample targets, bounds and layer reports', async () => {
  const model = await loadModel(fixturePath('models/cnn_small.h5'));
  const size = fixedShape(model.inputShape, 'model.inputShape').reduce((a, b) => a * b, 1);
  const x = { ...batch(7, size), shape: [7, ...fixedShape(model.inputShape, 'model.inputShape')] };
  const target = [0, 1, 2, 3, 4, 5, 6];
  const low = { shape: x.shape, data: new Float32Array(x.data.length).fill(-0.5) };
  for (const options of [
    { method: 'epsilon-gamma-box', target, low, high: 2, returnLayers: true },
    { method: 'integrated-gradients', target, steps: 3, baseline: { shape: x.shape, data: x.data.map((v) => v / 2) } },
    { method: 'gradient' },
  ]) {
    const whole = analyze(model, x, options);
    const chunked = analyze(model, x, { ...options, batchSize: 3 });
    assert.equal(chunked.shape, whole.shape);
    assert.equal(Array.from(chunked.data), Array.from(whole.data), options.method);
    if (whole.layers) {
      assert.equal(Object.keys(chunked.layers!), Object.keys(whole.layers));
      for (const k of Object.keys(whole.layers)) assert.equal(Array.from(chunked.layers![k].data), Array.from(whole.layers[k].data));
      assert.equal(chunked.conservation, whole.conservation);
    }
  }
});

test('a batch of 5,000 MNIST samples is explained and predicted in bounded memory', async () => {
  const model = await loadModel(fixturePath('models/mlp.h5'));
  const size = fixedShape(model.inputShape, 'model.inputShape').reduce((a, b) => a * b, 1);
  const n = 5000;
  const x = { shape: [n, ...fixedShape(model.inputShape, 'model.inputShape')], data: batch(n, size).data };
  const before = process.memoryUsage().rss;
  const R = analyze(model, x, { method: 'epsilon', batchSize: 512 });
  const probs = model.predict(x);
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.equal(R.shape, x.shape);
  assert.equal(probs.shape, [n, 10]);
  // Input and relevance are 15 MiB each; chunks of 512 add a few tens of MiB at most.
  assert.ok(grown < 200, `RSS grew by ${grown.toFixed(0)} MiB`);
  const single = analyze(
    model,
    { shape: [1, ...fixedShape(model.inputShape, 'model.inputShape')], data: x.data.subarray(4999 * size) },
    { method: 'epsilon' },
  );
  assert.equal(Array.from(R.data.subarray(4999 * size)), Array.from(single.data));
});

test('batchSize must be a positive integer', async () => {
  const model = await loadModel(fixturePath('models/mlp.h5'));
  const x = {
    shape: [1, ...fixedShape(model.inputShape, 'model.inputShape')],
    data: new Float32Array(fixedShape(model.inputShape, 'model.inputShape').reduce((a, b) => a * b, 1)),
  };
  assert.throws(() => analyze(model, x, { method: 'epsilon', batchSize: 0 }), /batchSize/);
});

test.run();
