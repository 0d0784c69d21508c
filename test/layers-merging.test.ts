// Subtract, Multiply, Maximum, Minimum (issue 15): forward with Keras' broadcasting against values
// computed here, the gradient against finite differences, and their LRP rules (CONVENTIONS.md: z-rule,
// gate-signal, winner-take-all) against hand-computed relevance and conservation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze } from '../src/analyze/index.js';
import type { Tensor } from '../src/tensor.js';
import { explain, finiteDifferences, functionalModel, relativeError, sum, uniform } from './layers-models.js';

const A = uniform([2, 2, 3], 1, -1, 1);
const B = uniform([2, 3], 2, -1, 1);

test('merges broadcast (2, 3) with (3,) as Keras does and fold several inputs left to right', () => {
  const model = functionalModel(
    [
      ['a', [2, 3]],
      ['b', [3]],
    ],
    [
      { cls: 'Subtract', name: 'sub', inbound: ['a', 'b'] },
      { cls: 'Multiply', name: 'mul', inbound: ['a', 'b', 'a'] },
      { cls: 'Maximum', name: 'max', inbound: ['a', 'b'] },
      { cls: 'Minimum', name: 'min', inbound: ['b', 'a'] },
    ],
    ['sub', 'mul', 'max', 'min'],
  );
  const outs = model.predict([A, B]) as Tensor[];
  const ops = [(a: number, b: number) => a - b, (a: number, b: number) => a * b * a, Math.max, Math.min];
  outs.forEach((out, k) => {
    assert.equal(out.shape, [2, 2, 3]);
    for (let s = 0; s < 2; s++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          const want = Math.fround(ops[k](A.data[s * 6 + i * 3 + j], B.data[s * 3 + j]));
          assert.ok(Math.abs(out.data[s * 6 + i * 3 + j] - want) <= 1e-7 * Math.abs(want) + 1e-7, `output ${k} at ${s},${i},${j}`);
        }
      }
    }
  });
});

test('Keras 1 Merge modes mul and max are Multiply and Maximum', () => {
  for (const [mode, f] of [
    ['mul', (a: number, b: number) => a * b],
    ['max', Math.max],
  ] as const) {
    const model = functionalModel(
      [
        ['a', [3]],
        ['b', [3]],
      ],
      [{ cls: 'Merge', name: 'm', inbound: ['a', 'b'], config: { mode } }],
      ['m'],
      1,
      '1.2.2',
    );
    const a = uniform([2, 3], 3, -1, 1);
    const b = uniform([2, 3], 4, -1, 1);
    assert.equal(
      Array.from((model.predict([a, b]) as Tensor).data),
      Array.from(a.data, (v, i) => Math.fround(f(v, b.data[i]))),
      mode,
    );
  }
});

test('merges refuse shapes that do not broadcast, Subtract more than two inputs', () => {
  assert.throws(
    () =>
      functionalModel(
        [
          ['a', [2, 3]],
          ['b', [2]],
        ],
        [{ cls: 'Multiply', name: 'm', inbound: ['a', 'b'] }],
        ['m'],
      ),
    /do not broadcast/,
  );
  assert.throws(
    () =>
      functionalModel(
        [
          ['a', [3]],
          ['b', [3]],
        ],
        [{ cls: 'Subtract', name: 's', inbound: ['a', 'b', 'a'] }],
        ['s'],
      ),
    /exactly two inputs/,
  );
});

/** x(6) → relu Dense, linear Dense, sigmoid Dense (a gate) → the four merges → Concatenate → Dense(3); no biases. */
const NET = functionalModel(
  [['x', [6]]],
  [
    { cls: 'Dense', name: 'd1', inbound: ['x'], config: { units: 4, activation: 'relu', use_bias: false }, weights: [[6, 4]] },
    { cls: 'Dense', name: 'd2', inbound: ['x'], config: { units: 4, activation: 'linear', use_bias: false }, weights: [[6, 4]] },
    { cls: 'Dense', name: 'g', inbound: ['x'], config: { units: 4, activation: 'sigmoid', use_bias: false }, weights: [[6, 4]] },
    { cls: 'Subtract', name: 'sub', inbound: ['d1', 'd2'] },
    { cls: 'Maximum', name: 'max', inbound: ['d1', 'd2'] },
    { cls: 'Minimum', name: 'min', inbound: ['d2', 'd1'] },
    { cls: 'Multiply', name: 'mul', inbound: ['d2', 'g'] },
    { cls: 'Concatenate', name: 'cat', inbound: ['sub', 'max', 'min', 'mul'] },
    { cls: 'Dense', name: 'out', inbound: ['cat'], config: { units: 3, activation: 'linear', use_bias: false }, weights: [[16, 3]] },
  ],
  ['out'],
  3,
);

test('gradient through the merges equals finite differences', () => {
  for (const seed of [4, 5, 6]) {
    const x = uniform([1, 6], seed, -1, 1);
    const g = explain(NET, x, { method: 'gradient', target: 1 });
    const fd = finiteDifferences(NET, x, 1);
    assert.ok(relativeError(g.data, fd) < 2e-3, `seed ${seed}: ${relativeError(g.data, fd)}`);
  }
});

test('LRP-0 through Subtract, Maximum, Minimum and a gated Multiply conserves the target logit (no biases)', () => {
  const x = uniform([2, 6], 7, -1, 1);
  const logits = NET.logits(x) as Tensor;
  const R = explain(NET, x, { method: 'lrp-0', target: [0, 2] });
  for (const [s, t] of [
    [0, 0],
    [1, 2],
  ]) {
    const total = sum(R.data.subarray(s * 6, s * 6 + 6));
    assert.ok(
      Math.abs(total - logits.data[s * 3 + t]) < 1e-4 * Math.abs(logits.data[s * 3 + t]),
      `sample ${s}: ${total} vs ${logits.data[s * 3 + t]}`,
    );
  }
});

const WS = uniform([5, 4], 20, -1, 1).data;
const WG = uniform([5, 4], 21, -1, 1).data;
const BG = uniform([4], 22, -1, 1).data;
const WO = uniform([4, 2], 23, -1, 1).data;

/** x(5) → Dense s (tanh, the signal) and Dense g (the `gate` activation, with bias); Multiply; Dense(2); s and out without bias. */
function gated(gate: string, order: 'signal-gate' | 'gate-signal') {
  return functionalModel(
    [['x', [5]]],
    [
      {
        cls: 'Dense',
        name: 's',
        inbound: ['x'],
        config: { units: 4, activation: 'tanh', use_bias: false },
        weights: [{ shape: [5, 4], data: WS }],
      },
      {
        cls: 'Dense',
        name: 'g',
        inbound: ['x'],
        config: { units: 4, activation: gate },
        weights: [
          { shape: [5, 4], data: WG },
          { shape: [4], data: BG },
        ],
      },
      { cls: 'Multiply', name: 'mul', inbound: order === 'signal-gate' ? ['s', 'g'] : ['g', 's'] },
      { cls: 'Dense', name: 'out', inbound: ['mul'], config: { units: 2, use_bias: false }, weights: [{ shape: [4, 2], data: WO }] },
    ],
    ['out'],
  );
}

const GATES: Record<string, (z: number[]) => number[]> = {
  sigmoid: (z) => z.map((v) => 1 / (1 + Math.exp(-v))),
  hard_sigmoid: (z) => z.map((v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))),
  softmax: (z) => {
    const e = z.map((v) => Math.exp(v));
    return e.map((v) => v / e.reduce((a, b) => a + b, 0));
  },
};

/** LRP-0 at x in float64 when the signal takes all of the Multiply's relevance (CONVENTIONS.md). */
function signalTakesAll(x: Float32Array, gate: string, t: number): number[] {
  const a = [0, 1, 2, 3].map((j) => [0, 1, 2, 3, 4].reduce((acc, i) => acc + x[i] * WS[i * 4 + j], 0));
  const g = GATES[gate]([0, 1, 2, 3].map((j) => BG[j] + [0, 1, 2, 3, 4].reduce((acc, i) => acc + x[i] * WG[i * 4 + j], 0)));
  const m = a.map((v, j) => Math.tanh(v) * g[j]);
  const Rm = m.map((v, j) => v * WO[j * 2 + t]);
  return [0, 1, 2, 3, 4].map((i) => [0, 1, 2, 3].reduce((acc, j) => acc + (x[i] * WS[i * 4 + j] * Rm[j]) / a[j], 0));
}

test('Multiply: a sigmoid, hard_sigmoid or softmax gate gets no relevance, the signal all of it (either input order)', () => {
  for (const gate of Object.keys(GATES)) {
    for (const order of ['signal-gate', 'gate-signal'] as const) {
      const model = gated(gate, order);
      const x = uniform([1, 5], 9, -1, 1);
      const R = explain(model, x, { method: 'lrp-0', target: 1 });
      const want = signalTakesAll(x.data, gate, 1);
      assert.ok(relativeError(R.data, want) < 1e-5, `${gate} ${order}: ${relativeError(R.data, want)}`);
      const g = explain(model, x, { method: 'gradient', target: 1 });
      assert.ok(relativeError(g.data, finiteDifferences(model, x, 1)) < 2e-3, `${gate} ${order} gradient`);
    }
  }
});

test('Multiply of two signals, or of two gates, splits relevance equally', () => {
  const model = functionalModel(
    [['x', [5]]],
    [
      { cls: 'Dense', name: 'a', inbound: ['x'], config: { units: 4, use_bias: false }, weights: [[5, 4]] },
      { cls: 'Dense', name: 'b', inbound: ['x'], config: { units: 4, use_bias: false }, weights: [[5, 4]] },
      { cls: 'Multiply', name: 'mul', inbound: ['a', 'b'] },
      { cls: 'Dense', name: 'out', inbound: ['mul'], config: { units: 2, use_bias: false }, weights: [[4, 2]] },
    ],
    ['out'],
    10,
  );
  const x = uniform([1, 5], 11, -1, 1);
  const logit = (model.logits(x) as Tensor).data[0];
  const R = explain(model, x, { method: 'lrp-0', target: 0 });
  assert.ok(Math.abs(sum(R.data) - logit) < 1e-4 * Math.abs(logit));
});

test('a softmax used only as a gate, through Flatten, RepeatVector and Permute (attention pooling), gets no relevance', () => {
  // x (4 steps, 3 features) → Dense(1) scores (with bias) → Flatten → softmax over steps → RepeatVector(3)
  // → Permute → Multiply with x → GlobalAveragePooling1D → Dense(2), no bias: all relevance reaches x
  // through the signal, so LRP-0 conserves the logit (a share for the gate would end partly in its bias).
  const model = functionalModel(
    [['x', [4, 3]]],
    [
      { cls: 'Dense', name: 'score', inbound: ['x'], config: { units: 1 }, weights: [[3, 1], { shape: [1], data: [0.7] }] },
      { cls: 'Flatten', name: 'flat', inbound: ['score'] },
      { cls: 'Activation', name: 'att', inbound: ['flat'], config: { activation: 'softmax' } },
      { cls: 'RepeatVector', name: 'rep', inbound: ['att'], config: { n: 3 } },
      { cls: 'Permute', name: 'perm', inbound: ['rep'], config: { dims: [2, 1] } },
      { cls: 'Multiply', name: 'mul', inbound: ['x', 'perm'] },
      { cls: 'GlobalAveragePooling1D', name: 'pool', inbound: ['mul'] },
      { cls: 'Dense', name: 'out', inbound: ['pool'], config: { units: 2, use_bias: false }, weights: [[3, 2]] },
    ],
    ['out'],
    14,
  );
  const x = uniform([2, 4, 3], 15, 0.1, 1);
  const logits = model.logits(x) as Tensor;
  const R = explain(model, x, { method: 'lrp-0', target: [1, 0] });
  for (const [s, t] of [
    [0, 1],
    [1, 0],
  ]) {
    const total = sum(R.data.subarray(s * 12, s * 12 + 12));
    assert.ok(
      Math.abs(total - logits.data[s * 2 + t]) < 1e-4 * Math.abs(logits.data[s * 2 + t]),
      `sample ${s}: ${total} vs ${logits.data[s * 2 + t]}`,
    );
  }
  const one = { shape: [1, 4, 3], data: x.data.slice(0, 12) };
  const g = explain(model, one, { method: 'gradient', target: 1 });
  assert.ok(relativeError(g.data, finiteDifferences(model, one, 1, 1e-3)) < 5e-3);
});

test('a softmax inside the model that is not only a gate still has no LRP rule (named), gradients work', () => {
  const model = functionalModel(
    [['x', [5]]],
    [
      { cls: 'Dense', name: 'att', inbound: ['x'], config: { units: 5, activation: 'softmax' }, weights: [[5, 5], [5]] },
      { cls: 'Dense', name: 'out', inbound: ['att'], config: { units: 2 }, weights: [[5, 2], [2]] },
    ],
    ['out'],
    12,
  );
  const x = uniform([1, 5], 13);
  assert.throws(() => analyze(model, x, { method: 'lrp-0' }), /att.*softmax/);
  const g = explain(model, x, { method: 'gradient', target: 0 });
  assert.ok(relativeError(g.data, finiteDifferences(model, x, 0)) < 2e-3);
});

test.run();
