// Graph structure: execution order, nested models, .keras name mapping, refused topologies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, loadModel, LrpKerasError } from '../src/index.js';
import { kerasZip, legacyH5, type StoredWeight } from './keras-writer.js';

const weight = (name: string, shape: number[], seed: number): StoredWeight => ({
  name,
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.13 + i * 1.37) * 0.5),
});

const node = (_name: string, inputs: string[]) => (inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : []);
const layer = (className: string, name: string, inputs: string[], config: object = {}) => ({
  class_name: className,
  name,
  config: { name, ...config },
  inbound_nodes: node(name, inputs),
});

/** in → a (Dense 4 relu) → b (Dense 3) and in → c (Dense 3); Add(b, c) → out (Dense 2). */
function functional(order: number[]) {
  const layers = [
    layer('InputLayer', 'in', [], { batch_input_shape: [null, 5] }),
    layer('Dense', 'a', ['in'], { units: 4, activation: 'relu' }),
    layer('Dense', 'b', ['a'], { units: 3 }),
    layer('Dense', 'c', ['in'], { units: 3, activation: 'tanh' }),
    layer('Add', 'sum', ['b', 'c']),
    layer('Dense', 'out', ['sum'], { units: 2 }),
  ];
  return {
    class_name: 'Functional',
    config: { name: 'm', layers: order.map((i) => layers[i]), input_layers: [['in', 0, 0]], output_layers: [['out', 0, 0]] },
  };
}

const weights = {
  a: [weight('a/kernel:0', [5, 4], 1), weight('a/bias:0', [4], 2)],
  b: [weight('b/kernel:0', [4, 3], 3), weight('b/bias:0', [3], 4)],
  c: [weight('c/kernel:0', [5, 3], 5), weight('c/bias:0', [3], 6)],
  out: [weight('out/kernel:0', [3, 2], 7), weight('out/bias:0', [2], 8)],
  in: [],
  sum: [],
};

const x = { shape: [2, 5], data: Float32Array.from({ length: 10 }, (_, i) => Math.cos(i) + 0.2) };

/** The same network computed by hand. */
function byHand(xs: Float32Array): number[] {
  const dense = (v: number[], w: StoredWeight[], f = (t: number) => t) => {
    const [K, b] = w;
    const m = K.shape[1];
    return Array.from({ length: m }, (_, j) => f(v.reduce((s, vi, i) => s + vi * K.data[i * m + j], b.data[j])));
  };
  const out: number[] = [];
  for (let s = 0; s < 2; s++) {
    const v = Array.from(xs.subarray(s * 5, s * 5 + 5));
    const a = dense(v, weights.a, (t) => Math.max(t, 0));
    const b = dense(a, weights.b);
    const c = dense(v, weights.c, Math.tanh);
    out.push(
      ...dense(
        b.map((bi, i) => bi + c[i]),
        weights.out,
      ),
    );
  }
  return out;
}

test('a Functional config listing layers out of execution order runs in graph order', async () => {
  const inOrder = await loadModel(await legacyH5(functional([0, 1, 2, 3, 4, 5]), weights));
  const shuffled = await loadModel(await legacyH5(functional([5, 4, 2, 0, 3, 1]), weights));
  const expected = byHand(x.data);
  const got = Array.from(shuffled.logits(x).data);
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `logit ${i}: ${v} vs ${expected[i]}`));
  assert.equal(got, Array.from(inOrder.logits(x).data));
  for (const method of ['epsilon-plus', 'gradient', 'alpha-beta']) {
    assert.equal(Array.from(analyze(shuffled, x, { method }).data), Array.from(analyze(inOrder, x, { method }).data), method);
  }
  // Each layer moves behind its inputs, config order otherwise (CONVENTIONS.md).
  assert.equal(
    shuffled.layers.map((l) => l.name),
    ['in', 'c', 'a', 'b', 'sum', 'out'],
  );
});

test('relevance from several readers of one tensor is summed (conservation through a fork)', async () => {
  const model = await loadModel(await legacyH5(functional([0, 1, 2, 3, 4, 5]), weights));
  const R = analyze(model, x, { method: 'epsilon', epsilon: 1e-9, returnLayers: true });
  const rows = Object.fromEntries(R.conservation!.map((r) => [r.layer, r]));
  // 'in' is read by a and c: what reaches the input is what a and c send back, together.
  for (let s = 0; s < 2; s++) {
    const input = Array.from(R.data.subarray(s * 5, s * 5 + 5)).reduce((p, v) => p + v, 0);
    assert.ok(Math.abs(input - (rows.a.relevanceIn[s] + rows.c.relevanceIn[s])) < 1e-5);
  }
});

test('a cycle or a missing inbound layer is an error naming the layer', async () => {
  const cyclic = functional([0, 1, 2, 3, 4, 5]);
  (cyclic.config.layers[1] as { inbound_nodes: unknown }).inbound_nodes = node('a', ['out']);
  const e1 = await loadModel(await legacyH5(cyclic, weights)).catch((e) => e);
  assert.instance(e1, LrpKerasError);
  assert.match(e1.message, /cycle/);
  const missing = functional([0, 1, 2, 3, 4, 5]);
  (missing.config.layers[2] as { inbound_nodes: unknown }).inbound_nodes = node('b', ['ghost']);
  const e2 = await loadModel(await legacyH5(missing, weights)).catch((e) => e);
  assert.instance(e2, LrpKerasError);
  assert.match(e2.message, "'b' (Dense) reads 'ghost'");
});

test('a layer called twice runs once per call with shared weights (hand-computed); unsupported layers are named together', async () => {
  // in → d → d (the same Dense, called again on its own output) → out.
  const shared = {
    class_name: 'Functional',
    config: {
      name: 'twice',
      input_layers: [['in', 0, 0]],
      output_layers: [['out', 0, 0]],
      layers: [
        layer('InputLayer', 'in', [], { batch_input_shape: [null, 5] }),
        { ...layer('Dense', 'd', [], { units: 5, activation: 'tanh' }), inbound_nodes: [[['in', 0, 0, {}]], [['d', 0, 0, {}]]] },
        { ...layer('Dense', 'out', [], { units: 2 }), inbound_nodes: [[['d', 1, 0, {}]]] },
      ],
    },
  };
  const w = {
    d: [weight('d/kernel:0', [5, 5], 11), weight('d/bias:0', [5], 12)],
    out: [weight('out/kernel:0', [5, 2], 13), weight('out/bias:0', [2], 14)],
    in: [],
  };
  const model = await loadModel(await legacyH5(shared, w));
  const dense = (v: number[], [K, b]: StoredWeight[], f = (t: number) => t) =>
    Array.from({ length: K.shape[1] }, (_, j) => f(v.reduce((acc, vi, i) => acc + vi * K.data[i * K.shape[1] + j], b.data[j])));
  const got = Array.from(model.logits(x).data);
  for (let s = 0; s < 2; s++) {
    const expected = dense(dense(dense(Array.from(x.data.subarray(s * 5, s * 5 + 5)), w.d, Math.tanh), w.d, Math.tanh), w.out);
    expected.forEach((v, j) => assert.ok(Math.abs(got[s * 2 + j] - v) < 1e-5, `sample ${s} logit ${j}: ${got[s * 2 + j]} vs ${v}`));
  }
  // Conservation through both calls with ε → 0 and no biases is checked in lrp-properties; here both calls send relevance back.
  const R = analyze(model, x, { method: 'epsilon', epsilon: 1e-9, returnLayers: true });
  assert.equal(
    R.conservation!.map((r) => r.layer),
    ['d', 'd', 'out'].filter((l, i, a) => a.indexOf(l) === i),
  );

  const unsupported = functional([0, 1, 2, 3, 4, 5]);
  (unsupported.config.layers[4] as { class_name: string }).class_name = 'MyMerge';
  (unsupported.config.layers[1] as { class_name: string }).class_name = 'Lambda';
  const e = await loadModel(await legacyH5(unsupported, weights)).catch((err) => err);
  assert.instance(e, LrpKerasError);
  assert.match(e.message, '2 layers are not supported');
  assert.match(e.message, "'a' (Lambda): a Python lambda");
  assert.match(e.message, "'sum' (MyMerge): a custom or unknown layer class");
});

/** A Sequential holding a nested Sequential, as Keras 3 writes it to `.keras`. */
const nestedConfig = {
  module: 'keras',
  class_name: 'Sequential',
  config: {
    name: 'outer',
    layers: [
      { class_name: 'InputLayer', config: { name: 'input', batch_shape: [null, 5] } },
      {
        class_name: 'Sequential',
        config: {
          name: 'inner',
          layers: [
            { class_name: 'InputLayer', config: { name: 'inner_in', batch_shape: [null, 5] } },
            { class_name: 'Dense', config: { name: 'd1', units: 4, activation: 'relu' } },
            { class_name: 'Dense', config: { name: 'd2', units: 3 } },
          ],
        },
      },
      { class_name: 'Dense', config: { name: 'head', units: 2 } },
    ],
  },
};

test('.keras: nested models map to layers/<model>/layers/<class>; names decide when written', async () => {
  const d1 = [weight('k', [5, 4], 11), weight('b', [4], 12)];
  const d2 = [weight('k', [4, 3], 13), weight('b', [3], 14)];
  const head = [weight('k', [3, 2], 15), weight('b', [2], 16)];
  const withNames = await loadModel(
    await kerasZip(nestedConfig, {
      'layers/sequential/layers/dense': { name: 'd1', weights: d1 },
      'layers/sequential/layers/dense_1': { name: 'd2', weights: d2 },
      'layers/dense': { name: 'head', weights: head },
    }),
  );
  const byOrder = await loadModel(
    await kerasZip(
      nestedConfig,
      {
        'layers/sequential/layers/dense': { weights: d1 },
        'layers/sequential/layers/dense_1': { weights: d2 },
        'layers/dense': { weights: head },
      },
      '3.5.0',
    ),
  );
  const xs = { shape: [1, 5], data: Float32Array.from([0.1, -0.4, 0.7, 0.2, 1]) };
  const hidden = [0, 1, 2, 3].map((j) =>
    Math.max(
      0,
      [0, 1, 2, 3, 4].reduce((s, i) => s + xs.data[i] * d1[0].data[i * 4 + j], d1[1].data[j]),
    ),
  );
  const mid = [0, 1, 2].map((j) => hidden.reduce((s, h, i) => s + h * d2[0].data[i * 3 + j], d2[1].data[j]));
  const expected = [0, 1].map((j) => mid.reduce((s, h, i) => s + h * head[0].data[i * 2 + j], head[1].data[j]));
  for (const model of [withNames, byOrder]) {
    const got = Array.from(model.logits(xs).data);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `${v} vs ${expected[i]}`));
  }
});

test('.keras: weights that match no layer are an error naming where they are', async () => {
  const e = await loadModel(
    await kerasZip(nestedConfig, {
      'layers/sequential/layers/dense': { weights: [weight('k', [5, 4], 1), weight('b', [4], 2)] },
      'layers/sequential/layers/dense_1': { weights: [weight('k', [4, 3], 1), weight('b', [3], 2)] },
      'layers/dense': { weights: [weight('k', [3, 2], 1), weight('b', [2], 2)] },
      'layers/conv2d': { weights: [weight('k', [3, 3, 1, 1], 1)] },
    }),
  ).catch((err) => err);
  assert.instance(e, LrpKerasError);
  assert.match(e.message, 'layers/conv2d');
});

test.run();
