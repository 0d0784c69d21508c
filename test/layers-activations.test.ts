// The activations Keras 2 and 3 ship (issue 15): values against Keras' formulas (hard_sigmoid per
// version), derivatives against finite differences, and a final log_softmax removed like a softmax.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { namedActivation } from '../src/kernels/activations.js';
import type { Tensor } from '../src/tensor.js';
import { explain, finiteDifferences, functionalModel, relativeError, singleLayer, uniform } from './layers-models.js';

const softplus = (x: number) => Math.log1p(Math.exp(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Keras' definitions (keras.activations, default parameters), with the Keras version they hold for. */
const KERAS: [string, (x: number) => number, 2 | 3 | 'both'][] = [
  ['hard_sigmoid', (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)), 2],
  ['hard_sigmoid', (x) => Math.min(6, Math.max(0, x + 3)) / 6, 3],
  ['hard_silu', (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6, 'both'],
  ['hard_swish', (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6, 'both'],
  ['mish', (x) => x * Math.tanh(softplus(x)), 'both'],
  ['exponential', Math.exp, 'both'],
  ['celu', (x) => Math.max(x, 0) + Math.min(0, Math.exp(x) - 1), 3],
  ['squareplus', (x) => (x + Math.sqrt(x * x + 4)) / 2, 3],
  ['soft_shrink', (x) => (x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0), 3],
  ['hard_shrink', (x) => (Math.abs(x) > 0.5 ? x : 0), 3],
  ['tanh_shrink', (x) => x - Math.tanh(x), 3],
  ['sparse_plus', (x) => (x <= -1 ? 0 : x >= 1 ? x : 0.25 * (x + 1) ** 2), 3],
  ['sparse_sigmoid', (x) => (x <= -1 ? 0 : x >= 1 ? 1 : 0.5 * (x + 1)), 3],
  ['hard_tanh', (x) => Math.min(1, Math.max(-1, x)), 3],
  ['log_sigmoid', (x) => Math.log(sigmoid(x)), 3],
];

// Points away from every kink (±3, ±1, ±0.5, 0), so that finite differences apply.
const POINTS = [-4.2, -2.7, -1.6, -0.8, -0.3, 0.2, 0.7, 1.3, 2.4, 3.9];

test('activations: values as Keras defines them, derivatives = finite differences', () => {
  for (const [name, f, version] of KERAS) {
    for (const keras3 of version === 'both' ? [false, true] : [version === 3]) {
      const act = namedActivation(name, keras3);
      assert.ok(act, `${name} is known`);
      for (const x of POINTS) {
        assert.ok(
          Math.abs(act.f(x) - f(x)) <= 1e-12 * Math.max(1, Math.abs(f(x))),
          `${name}(${x}) keras ${keras3 ? 3 : 2}: ${act.f(x)} vs ${f(x)}`,
        );
        const h = 1e-6;
        const fd = (f(x + h) - f(x - h)) / (2 * h);
        assert.ok(Math.abs(act.df(x) - fd) < 1e-6 * Math.max(1, Math.abs(fd)), `${name}'(${x}): ${act.df(x)} vs ${fd}`);
      }
    }
  }
  assert.is(namedActivation('no_such_activation', true), undefined);
});

test('a fused activation by name in a layer (Keras 3 file): forward and gradient', () => {
  const model = functionalModel(
    [['x', [4]]],
    [
      { cls: 'Dense', name: 'd', inbound: ['x'], config: { units: 3, activation: 'squareplus' }, weights: [[4, 3], [3]] },
      { cls: 'Dense', name: 'out', inbound: ['d'], config: { units: 2 }, weights: [[3, 2], [2]] },
    ],
    ['out'],
    1,
    '3.5.0',
  );
  const x = uniform([1, 4], 2, -1, 1);
  assert.ok(relativeError(explain(model, x, { method: 'gradient', target: 0 }).data, finiteDifferences(model, x, 0, 1e-3)) < 2e-3);
});

test("a final log_softmax: predict gives Keras' log-probabilities, logits and explanations the values before it", () => {
  const W = uniform([4, 3], 3, -1, 1).data;
  const dense = (activation: string) =>
    singleLayer([4], {
      cls: 'Dense',
      config: { units: 3, activation },
      weights: [
        { shape: [4, 3], data: W },
        { shape: [3], data: [0.1, 0, -0.1] },
      ],
    });
  const logSoftmax = dense('log_softmax');
  const linear = dense('linear');
  const x = uniform([2, 4], 4, -1, 1);
  const z = (linear.predict(x) as Tensor).data;
  const want = Array.from(z, (v, i) => {
    const row = z.subarray(i - (i % 3), i - (i % 3) + 3);
    return v - Math.log(row.reduce((s, u) => s + Math.exp(u), 0));
  });
  assert.ok(relativeError((logSoftmax.predict(x) as Tensor).data, want) < 1e-6);
  assert.equal(Array.from((logSoftmax.logits(x) as Tensor).data), Array.from(z));
  assert.equal(Array.from(explain(logSoftmax, x, { method: 'epsilon' }).data), Array.from(explain(linear, x, { method: 'epsilon' }).data));
});

test('log_softmax inside a model: its gradient is the exact adjoint; LRP names it', () => {
  const model = functionalModel(
    [['x', [4]]],
    [
      { cls: 'Dense', name: 'd', inbound: ['x'], config: { units: 3, activation: 'log_softmax' }, weights: [[4, 3], [3]] },
      { cls: 'Dense', name: 'out', inbound: ['d'], config: { units: 2 }, weights: [[3, 2], [2]] },
    ],
    ['out'],
    5,
  );
  const x = uniform([1, 4], 6, -1, 1);
  assert.ok(relativeError(explain(model, x, { method: 'gradient', target: 1 }).data, finiteDifferences(model, x, 1, 1e-3)) < 2e-3);
  assert.throws(() => explain(model, x, { method: 'lrp-0' }), /'d'/);
});

test.run();
