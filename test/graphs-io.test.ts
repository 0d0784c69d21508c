// Several inputs and outputs, a nested model called twice (a siamese encoder), and free input
// dimensions, on small models written in Keras' own layouts and checked against hand computation
// and LRP's properties.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, loadModel, LrpKerasError, type Explanation, type Tensor } from '../src/index.js';
import type { ModelInput } from '../src/model/model.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';
import { legacyH5, type StoredWeight } from './keras-writer.js';

const weight = (name: string, shape: number[], seed: number): StoredWeight => ({
  name,
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 5.31 + i * 0.77) * 0.6),
});
const call = (...refs: [string, number][]) => [refs.map(([layer, node]) => [layer, node, 0, {}])];
const layer = (className: string, name: string, config: object, nodes: unknown[] = []) => ({
  class_name: className,
  name,
  config: { name, ...config },
  inbound_nodes: nodes,
});
const tensor = (shape: number[], seed: number): Tensor => ({
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(seed + i * 1.3)),
});

/** A Dense layer by hand over one sample. */
const dense = (v: number[], [K, b]: StoredWeight[], f = (t: number) => t): number[] =>
  Array.from({ length: K.shape[1] }, (_, j) => f(v.reduce((s, vi, i) => s + vi * K.data[i * K.shape[1] + j], b ? b.data[j] : 0)));
const close = (got: ArrayLike<number>, want: number[], what: string, tol = 1e-5): void =>
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) < tol * Math.max(1, Math.abs(w)), `${what}[${i}]: ${got[i]} vs ${w}`));
const sum = (a: ArrayLike<number>, from = 0, to = a.length): number =>
  Array.from(a)
    .slice(from, to)
    .reduce((s, v) => s + v, 0);

// a (4) → da (Dense 3, relu); b (2) → db (Dense 3, relu); concat → y1 (Dense 2), y2 (Dense 1 on db only). No biases.
const twoByTwo = {
  class_name: 'Functional',
  config: {
    name: 'two_by_two',
    input_layers: [
      ['a', 0, 0],
      ['b', 0, 0],
    ],
    output_layers: [
      ['y1', 0, 0],
      ['y2', 0, 0],
    ],
    layers: [
      layer('InputLayer', 'a', { batch_input_shape: [null, 4] }),
      layer('InputLayer', 'b', { batch_input_shape: [null, 2] }),
      layer('Dense', 'da', { units: 3, activation: 'relu', use_bias: false }, call(['a', 0])),
      layer('Dense', 'db', { units: 3, activation: 'relu', use_bias: false }, call(['b', 0])),
      layer('Concatenate', 'cat', { axis: -1 }, call(['da', 0], ['db', 0])),
      layer('Dense', 'y1', { units: 2, use_bias: false }, call(['cat', 0])),
      layer('Dense', 'y2', { units: 1, use_bias: false }, call(['db', 0])),
    ],
  },
};
const w2 = {
  a: [],
  b: [],
  cat: [],
  da: [weight('da/kernel:0', [4, 3], 1)],
  db: [weight('db/kernel:0', [2, 3], 2)],
  y1: [weight('y1/kernel:0', [6, 2], 3)],
  y2: [weight('y2/kernel:0', [3, 1], 4)],
};

test('two inputs, two outputs: names, shapes, predictions by hand, inputs by array or by name', async () => {
  const model = await loadModel(await legacyH5(twoByTwo, w2));
  assert.equal(
    [model.inputNames, model.outputNames],
    [
      ['a', 'b'],
      ['y1', 'y2'],
    ],
  );
  assert.equal(
    [model.inputShapes, model.outputShapes],
    [
      [[4], [2]],
      [[2], [1]],
    ],
  );
  assert.match(model.summary(), "Outputs: 0 'y1' (None, 2), 1 'y2' (None, 1)");
  const a = tensor([3, 4], 1);
  const b = tensor([3, 2], 2);
  const out = model.predict([a, b]) as Tensor[];
  assert.equal(
    out.map((t) => t.shape),
    [
      [3, 2],
      [3, 1],
    ],
  );
  const relu = (t: number) => Math.max(t, 0);
  for (let s = 0; s < 3; s++) {
    const ha = dense(Array.from(a.data.subarray(s * 4, s * 4 + 4)), w2.da, relu);
    const hb = dense(Array.from(b.data.subarray(s * 2, s * 2 + 2)), w2.db, relu);
    close(out[0].data.subarray(s * 2, s * 2 + 2), dense([...ha, ...hb], w2.y1), `y1 sample ${s}`);
    close(out[1].data.subarray(s, s + 1), dense(hb, w2.y2), `y2 sample ${s}`);
  }
  const byName = model.predict({ b, a }) as Tensor[];
  assert.equal(Array.from(byName[0].data), Array.from(out[0].data));
  for (const bad of [[a], { a }, a, { a, b, c: b }]) {
    assert.throws(
      () => model.predict(bad as never),
      (e: unknown) => e instanceof LrpKerasError,
      JSON.stringify(Object.keys(bad)),
    );
  }
});

test('two inputs: relevance per input conserves the target logit of the chosen output (no biases, ε → 0)', async () => {
  const model = await loadModel(await legacyH5(twoByTwo, w2));
  const x = [tensor([2, 4], 5), tensor([2, 2], 6)];
  for (const output of [0, 'y1', 1, 'y2']) {
    const R = analyze(model, x, { method: 'epsilon', epsilon: 1e-9, output }) as Explanation[];
    assert.equal(
      R.map((r) => r.shape),
      [
        [2, 4],
        [2, 2],
      ],
    );
    const logits = (model.logits(x) as Tensor[])[typeof output === 'number' ? output : output === 'y1' ? 0 : 1];
    const classes = logits.data.length / 2;
    for (let s = 0; s < 2; s++) {
      let target = 0;
      for (let k = 1; k < classes; k++) if (logits.data[s * classes + k] > logits.data[s * classes + target]) target = k;
      const total = sum(R[0].data, s * 4, s * 4 + 4) + sum(R[1].data, s * 2, s * 2 + 2);
      assert.ok(
        Math.abs(total - logits.data[s * classes + target]) < 1e-5,
        `output ${output} sample ${s}: ${total} vs ${logits.data[s * classes + target]}`,
      );
    }
    // y2 reads only b: input a gets nothing.
    if (output === 1 || output === 'y2') assert.equal(sum(R[0].data.map(Math.abs)), 0);
  }
  // Gradient × input equals LRP-0 on a bias-free ReLU net, on every input.
  const gxi = analyze(model, x, { method: 'gradient-x-input', output: 'y1' }) as Explanation[];
  const lrp0 = analyze(model, x, { method: 'lrp-0', output: 'y1' }) as Explanation[];
  gxi.forEach((g, k) => close(g.data, Array.from(lrp0[k].data), `input ${k}`, 1e-5));
  assert.throws(() => analyze(model, x, { method: 'gradient', output: 'y3' }), /output: "y3" is not an output.*0 'y1', 1 'y2'/);
});

// A siamese pair: one nested encoder (Dense 3 tanh → Dense 2) called on two inputs; out = Dense 1 on |concat|.
const encoder = {
  class_name: 'Functional',
  config: {
    name: 'encoder',
    input_layers: [['e_in', 0, 0]],
    output_layers: [['e2', 0, 0]],
    layers: [
      layer('InputLayer', 'e_in', { batch_input_shape: [null, 3] }),
      layer('Dense', 'e1', { units: 3, activation: 'tanh' }, call(['e_in', 0])),
      layer('Dense', 'e2', { units: 2 }, call(['e1', 0])),
    ],
  },
};
const siamese = {
  class_name: 'Functional',
  config: {
    name: 'siamese',
    input_layers: [
      ['left', 0, 0],
      ['right', 0, 0],
    ],
    output_layers: [['score', 0, 0]],
    layers: [
      layer('InputLayer', 'left', { batch_input_shape: [null, 3] }),
      layer('InputLayer', 'right', { batch_input_shape: [null, 3] }),
      { ...encoder, name: 'encoder', inbound_nodes: [...call(['left', 0]), ...call(['right', 0])] },
      layer('Subtract', 'diff', {}, call(['encoder', 0], ['encoder', 1])),
      layer('Dense', 'score', { units: 1 }, call(['diff', 0])),
    ],
  },
};
const encoderWeights = [
  weight('e1/kernel:0', [3, 3], 7),
  weight('e1/bias:0', [3], 8),
  weight('e2/kernel:0', [3, 2], 9),
  weight('e2/bias:0', [2], 10),
];
const ws = {
  left: [],
  right: [],
  diff: [],
  encoder: encoderWeights,
  score: [weight('score/kernel:0', [2, 1], 11), weight('score/bias:0', [1], 12)],
};

test('a nested model called twice shares its weights (a siamese pair, by hand); both calls send relevance back', async () => {
  const model = await loadModel(await legacyH5(siamese, ws));
  const left = tensor([2, 3], 3);
  const right = tensor([2, 3], 4);
  const got = model.predict([left, right]) as Tensor;
  const enc = (v: number[]) => dense(dense(v, encoderWeights.slice(0, 2), Math.tanh), encoderWeights.slice(2));
  for (let s = 0; s < 2; s++) {
    const l = enc(Array.from(left.data.subarray(s * 3, s * 3 + 3)));
    const r = enc(Array.from(right.data.subarray(s * 3, s * 3 + 3)));
    close(
      got.data.subarray(s, s + 1),
      dense(
        l.map((v, i) => v - r[i]),
        ws.score,
      ),
      `sample ${s}`,
    );
  }
  const [gl, gr] = analyze(model, [left, right], { method: 'gradient' }) as Explanation[];
  // The same inputs on both sides: the score is a constant (its bias), so gradients cancel.
  const same = analyze(model, [left, left], { method: 'gradient' }) as Explanation[];
  close(
    same[0].data,
    Array.from(same[1].data, (v) => -v),
    'antisymmetric gradients',
    1e-6,
  );
  assert.ok(sum(gl.data.map(Math.abs)) > 0 && sum(gr.data.map(Math.abs)) > 0);
});

// Conv1D (k=3, 2 filters, relu) over a free time axis → GlobalAveragePooling1D → Dense 2.
const freeTime = (steps: number | null) => ({
  class_name: 'Sequential',
  config: {
    name: 'free',
    layers: [
      { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, steps, 3] } },
      { class_name: 'Conv1D', config: { name: 'c', filters: 2, kernel_size: 3, activation: 'relu', padding: 'valid' } },
      { class_name: 'GlobalAveragePooling1D', config: { name: 'g' } },
      { class_name: 'Dense', config: { name: 'd', units: 2 } },
    ],
  },
});
const wf = {
  c: [weight('c/kernel:0', [3, 3, 2], 13), weight('c/bias:0', [2], 14)],
  d: [weight('d/kernel:0', [2, 2], 15), weight('d/bias:0', [2], 16)],
};

test('a free time axis is resolved per call: every length equals a fixed-length model with the same weights; summary shows None', async () => {
  const free = await loadModel(await legacyH5(freeTime(null), wf));
  assert.equal(free.inputShape, [null, 3]);
  assert.match(free.summary(), '(None, None, 2)');
  for (const steps of [5, 9, 3]) {
    const fixed = await loadModel(await legacyH5(freeTime(steps), wf));
    const x = tensor([2, steps, 3], steps);
    assert.equal(Array.from((free.logits(x) as Tensor).data), Array.from((fixed.logits(x) as Tensor).data), `logits, ${steps} steps`);
    for (const method of ['epsilon-plus', 'gradient', 'integrated-gradients']) {
      assert.equal(
        Array.from((analyze(free, x, { method }) as Explanation).data),
        Array.from((analyze(fixed, x, { method }) as Explanation).data),
        `${method}, ${steps} steps`,
      );
    }
  }
  // Too short for the kernel: the error names the layer.
  assert.throws(() => free.predict(tensor([1, 2, 3], 1)), /layer 'c' \(Conv1D\)/);
});

test('Flatten before Dense with a free axis: the error names the Dense layer and the size it needs', async () => {
  const config = {
    class_name: 'Sequential',
    config: {
      name: 'flat',
      layers: [
        { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, null, 2] } },
        { class_name: 'Flatten', config: { name: 'f' } },
        { class_name: 'Dense', config: { name: 'd', units: 2 } },
      ],
    },
  };
  const model = await loadModel(await legacyH5(config, { d: [weight('d/kernel:0', [8, 2], 17), weight('d/bias:0', [2], 18)] }));
  assert.equal((model.predict(tensor([1, 4, 2], 1)) as Tensor).shape, [1, 2]);
  assert.throws(() => model.predict(tensor([1, 5, 2], 1)), /layer 'd' \(Dense\).*\(8, 2\)/);
});

test('layers without an LRP rule block only the LRP methods, and all are named at once', async () => {
  const config = {
    class_name: 'Sequential',
    config: {
      name: 'inner_softmax',
      layers: [
        { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3] } },
        { class_name: 'Dense', config: { name: 'd1', units: 4, activation: 'softmax' } },
        { class_name: 'Dense', config: { name: 'd2', units: 4 } },
        { class_name: 'Softmax', config: { name: 's2' } },
        { class_name: 'Dense', config: { name: 'd3', units: 2 } },
      ],
    },
  };
  const w = {
    d1: [weight('d1/kernel:0', [3, 4], 31), weight('d1/bias:0', [4], 32)],
    d2: [weight('d2/kernel:0', [4, 4], 33), weight('d2/bias:0', [4], 34)],
    d3: [weight('d3/kernel:0', [4, 2], 35), weight('d3/bias:0', [2], 36)],
  };
  const model = await loadModel(await legacyH5(config, w));
  const x = tensor([2, 3], 2);
  assert.equal((model.predict(x) as Tensor).shape, [2, 2]);
  assert.ok(sum((analyze(model, x, { method: 'gradient' }) as Explanation).data.map(Math.abs)) > 0);
  assert.throws(
    () => analyze(model, x, { method: 'epsilon-plus' }),
    /2 layers have no LRP rule: 'd1' \(Dense\): a softmax.*; 's2' \(Softmax\): a softmax/,
  );
});

test('the CLI explains the output --output names (a name or an index) and refuses one the model lacks', async () => {
  // One input (4), two heads: y1 (Dense 2) and y2 (Dense 3).
  const config = {
    class_name: 'Functional',
    config: {
      name: 'heads',
      input_layers: [['a', 0, 0]],
      output_layers: [
        ['y1', 0, 0],
        ['y2', 0, 0],
      ],
      layers: [
        layer('InputLayer', 'a', { batch_input_shape: [null, 4] }),
        layer('Dense', 'y1', { units: 2 }, call(['a', 0])),
        layer('Dense', 'y2', { units: 3 }, call(['a', 0])),
      ],
    },
  };
  const w = {
    a: [],
    y1: [weight('y1/kernel:0', [4, 2], 21), weight('y1/bias:0', [2], 22)],
    y2: [weight('y2/kernel:0', [4, 3], 23), weight('y2/bias:0', [3], 24)],
  };
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-heads-'));
  const file = join(dir, 'heads.h5');
  writeFileSync(file, await legacyH5(config, w));
  const x = tensor([1, 4], 9);
  writeFileSync(join(dir, 'x.json'), JSON.stringify(Array.from(x.data)));
  // A Node Buffer, whose slice() shares memory: the pure reader read float32 weights wrongly from one (fixed).
  const model = await loadModel(readFileSync(file));
  const heads = model.predict(x as ModelInput) as Tensor[];
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [join(repoRoot, 'build/src/cli/main.js'), 'explain', file, join(dir, 'x.json'), '--out', dir, '--json', ...args],
      { encoding: 'utf8' },
    );
  for (const [given, k] of [
    ['y2', 1],
    ['1', 1],
    ['0', 0],
  ] as const) {
    const r = cli('--output', given, '--method', 'gradient');
    assert.is(r.status, 0, r.stderr);
    const row = JSON.parse(r.stdout).results[0];
    const scores = Array.from(heads[k].data);
    assert.is(row.predicted, scores.indexOf(Math.max(...scores)), `--output ${given}`);
    assert.ok(Math.abs(row.score - Math.max(...scores)) < 1e-6);
    const R = analyze(model, x, { method: 'gradient', output: k }) as Explanation;
    assert.ok(Math.abs(row.relevanceSum - sum(R.data)) < 1e-5, `--output ${given}: relevance`);
  }
  const bad = cli('--output', 'y3');
  assert.is(bad.status, 2);
  assert.match(bad.stderr, "--output y3: the model's outputs are 0 'y1', 1 'y2'");
});

test.run();
