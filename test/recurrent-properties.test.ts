// Recurrent layers by their defining properties (CONVENTIONS-RECURRENT.md), on small models built here
// from seeded weights: LRP conserves the target logit without biases as ε → 0 and is linear in the seed;
// a post-padded mask_zero sequence gives the unpadded sequence's logits and relevance (padding 0);
// gradients match central finite differences; go_backwards and Bidirectional equal explicit reversed runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uniformGenerator as prng } from '../src/attribution/random.js';
import { analyze, METHODS } from '../src/index.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { namedActivation } from '../src/kernels/activations.js';
import { recurrentBackward, type RecurrentSpec } from '../src/kernels/recurrent.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';

type LayerJson = { class_name: string; config: Record<string, unknown> };
const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** A Sequential model; `weights`: layer → [weight name, shape] in Keras' order, filled with U(−0.5, 0.5)·scale. */
function sequential(
  inputShape: (number | null)[],
  layers: LayerJson[],
  weights: Record<string, [string, number[]][]>,
  seed: number,
  kerasVersion = '2.15.0',
): Model {
  const rand = prng(seed);
  const groups = new Map<string, WeightTensor[]>();
  for (const [layer, list] of Object.entries(weights)) {
    groups.set(
      layer,
      list.map(([name, shape]) => ({
        name: `${layer}/${name}`,
        shape,
        data: Float32Array.from({ length: prod(shape) }, () => rand() - 0.5),
      })),
    );
  }
  const input = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape] } };
  return modelFromArchive(
    {
      fileName: 'rnn.h5',
      config: { class_name: 'Sequential', config: { name: 'rnn', layers: [input, ...layers] } },
      kerasVersion,
      backend: 'tensorflow',
      groups,
    },
    {},
  );
}

const CELLS = { LSTM: 4, GRU: 3, SimpleRNN: 1 } as const;
type Cell = keyof typeof CELLS;

/** The weights of one cell: kernel, recurrent kernel and (optionally) bias, GRU reset_after as a (2, 3u) bias. */
function cellWeights(cell: Cell, features: number, units: number, bias: boolean, prefix = 'cell', resetAfter = true): [string, number[]][] {
  const ku = CELLS[cell] * units;
  const b: [string, number[]][] = bias ? [[`${prefix}/bias:0`, cell === 'GRU' && resetAfter ? [2, ku] : [ku]]] : [];
  return [[`${prefix}/kernel:0`, [features, ku]], [`${prefix}/recurrent_kernel:0`, [units, ku]], ...b];
}

const rnn = (cell: Cell, name: string, units: number, extra: Record<string, unknown> = {}): LayerJson => ({
  class_name: cell,
  config: { name, units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, ...extra },
});
const dense = (name: string, units: number, useBias = true): LayerJson => ({
  class_name: 'Dense',
  config: { name, units, activation: 'linear', use_bias: useBias },
});

function tensor(shape: number[], seed: number, lo = -1, hi = 1): { shape: number[]; data: Float32Array } {
  const rand = prng(seed);
  return { shape, data: Float32Array.from({ length: prod(shape) }, () => lo + (hi - lo) * rand()) };
}

const sum = (a: ArrayLike<number>, from = 0, to = a.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
};
const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err / Math.max(maxAbs(b), 1e-30);
};

const T = 6;
const F = 3;
const U = 4;

/** Every cell and wrapper on float sequences (T, F): no biases anywhere, for conservation. */
const BIAS_FREE: [string, Model][] = [
  ...(['LSTM', 'GRU', 'SimpleRNN'] as Cell[])
    .flatMap((cell) =>
      [false, true].map((resetAfter): [string, Model] => [
        `${cell}${cell === 'GRU' ? ` reset_after=${resetAfter}` : ''}`,
        sequential(
          [T, F],
          [rnn(cell, 'r', U, { use_bias: false, reset_after: resetAfter }), dense('d', 2, false)],
          { r: cellWeights(cell, F, U, false), d: [['kernel:0', [U, 2]]] },
          11,
        ),
      ]),
    )
    .filter(([name], k, all) => all.findIndex(([other]) => other === name) === k),
  [
    'stacked LSTM → GRU (return_sequences)',
    sequential(
      [T, F],
      [
        rnn('LSTM', 'r1', U, { use_bias: false, return_sequences: true }),
        rnn('GRU', 'r2', U, { use_bias: false, reset_after: false }),
        dense('d', 2, false),
      ],
      { r1: cellWeights('LSTM', F, U, false), r2: cellWeights('GRU', U, U, false), d: [['kernel:0', [U, 2]]] },
      12,
    ),
  ],
  ...(['concat', 'sum', 'ave', 'mul'] as const).map((merge): [string, Model] => [
    `Bidirectional LSTM ${merge}`,
    sequential(
      [T, F],
      [
        { class_name: 'Bidirectional', config: { name: 'bi', merge_mode: merge, layer: rnn('LSTM', 'l', U, { use_bias: false }) } },
        dense('d', 2, false),
      ],
      {
        bi: [...cellWeights('LSTM', F, U, false, 'forward_l'), ...cellWeights('LSTM', F, U, false, 'backward_l')],
        d: [['kernel:0', [merge === 'concat' ? 2 * U : U, 2]]],
      },
      13,
    ),
  ]),
];

for (const [name, model] of BIAS_FREE) {
  test(`${name}: LRP conserves the target logit without biases as ε → 0 (|ΣR − logit| ≤ 1e-4·|logit| at ε = 1e-9)`, () => {
    const x = tensor([2, T, F], 3);
    const logits = model.logits(x) as { data: Float32Array };
    const R = analyze(model, x, { method: 'epsilon', epsilon: 1e-9, target: 0 }) as { data: Float32Array };
    for (let s = 0; s < 2; s++) {
      const z = logits.data[s * 2];
      const total = sum(R.data, s * T * F, (s + 1) * T * F);
      // Bidirectional mul splits its product equally: conserved too; only the ε terms remain.
      assert.ok(Math.abs(total - z) <= 1e-4 * Math.abs(z) + 1e-7, `sample ${s}: ΣR = ${total}, logit ${z}`);
    }
  });
}

test('LRP of an LSTM/GRU/SimpleRNN step is linear in the seed: R(2a + 3b) = 2R(a) + 3R(b) (1e-5)', () => {
  for (const cell of ['lstm', 'gru', 'simple'] as const) {
    for (const resetAfter of cell === 'gru' ? [true, false] : [false]) {
      const k = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
      const r = prng(5);
      const w = (len: number): Float32Array => Float32Array.from({ length: len }, () => r() - 0.5);
      const spec: RecurrentSpec = {
        cell,
        units: U,
        features: F,
        W: w(F * k * U),
        U: w(U * k * U),
        bIn: w(k * U),
        bRec: resetAfter ? w(k * U) : null,
        resetAfter,
        act: namedActivation('tanh', true)!,
        recAct: namedActivation('sigmoid', true)!,
        returnSequences: true,
        returnState: true,
        goBackwards: false,
        reverseOutput: false,
        zeroOutputForMask: false,
        hasMask: false,
        hasInitialState: false,
      };
      const x = tensor([2, T, F], 7).data;
      const size = T * U + (cell === 'lstm' ? 2 : 1) * U;
      const a = tensor([2, size], 8).data;
      const b = tensor([2, size], 9).data;
      const mix = a.map((v, i) => 2 * v + 3 * b[i]);
      const lrp = (seed: Float32Array): Float32Array => recurrentBackward(spec, [x], 2, T, seed, { kind: 'lrp', epsilon: 1e-3 })[0];
      const [ra, rb, rm] = [lrp(a), lrp(b), lrp(mix)];
      const expected = ra.map((v, i) => 2 * v + 3 * rb[i]);
      assert.ok(relErr(rm, expected) < 1e-5, `${cell}${resetAfter ? ' reset_after' : ''}: ${relErr(rm, expected)}`);
    }
  }
});

/** Embedding(mask_zero) → recurrent layer → Dense: token models for the masking properties. */
function tokenModel(layer: LayerJson, weights: [string, number[]][], outIn: number, seed: number): Model {
  return sequential(
    [null],
    [{ class_name: 'Embedding', config: { name: 'emb', input_dim: 20, output_dim: F, mask_zero: true } }, layer, dense('d', 3)],
    {
      emb: [['embeddings:0', [20, F]]],
      [layer.config.name as string]: weights,
      d: [
        ['kernel:0', [outIn, 3]],
        ['bias:0', [3]],
      ],
    },
    seed,
  );
}

const MASKED: [string, Model][] = [
  ['LSTM', tokenModel(rnn('LSTM', 'r', U), cellWeights('LSTM', F, U, true), U, 21)],
  ['GRU reset_after', tokenModel(rnn('GRU', 'r', U, { reset_after: true }), cellWeights('GRU', F, U, true), U, 22)],
  ['GRU', tokenModel(rnn('GRU', 'r', U, { reset_after: false }), cellWeights('GRU', F, U, true, 'cell', false), U, 23)],
  ['SimpleRNN', tokenModel(rnn('SimpleRNN', 'r', U), cellWeights('SimpleRNN', F, U, true), U, 24)],
  [
    'Bidirectional LSTM concat',
    tokenModel(
      { class_name: 'Bidirectional', config: { name: 'r', merge_mode: 'concat', layer: rnn('LSTM', 'l', U) } },
      [...cellWeights('LSTM', F, U, true, 'forward_l'), ...cellWeights('LSTM', F, U, true, 'backward_l')],
      2 * U,
      25,
    ),
  ],
  [
    'Bidirectional GRU sum',
    tokenModel(
      { class_name: 'Bidirectional', config: { name: 'r', merge_mode: 'sum', layer: rnn('GRU', 'l', U, { reset_after: true }) } },
      [...cellWeights('GRU', F, U, true, 'forward_l'), ...cellWeights('GRU', F, U, true, 'backward_l')],
      U,
      26,
    ),
  ],
];

for (const [name, model] of MASKED) {
  test(`${name} after Embedding(mask_zero): a post-padded sequence gives the unpadded one's logits and relevance, padding 0`, () => {
    const tokens = [5, 17, 3, 9];
    const short = { shape: [1, 4], data: Float32Array.from(tokens) };
    const padded = { shape: [1, 7], data: Float32Array.from([...tokens, 0, 0, 0]) };
    const a = model.logits(short) as { data: Float32Array };
    const b = model.logits(padded) as { data: Float32Array };
    assert.ok(relErr(b.data, a.data) < 1e-6, `logits ${Array.from(a.data)} vs ${Array.from(b.data)}`);
    for (const method of ['epsilon', 'gradient', 'gradient-x-input', 'integrated-gradients']) {
      const ra = analyze(model, short, { method, epsilon: 1e-3, target: 1 }) as { data: Float32Array };
      const rb = analyze(model, padded, { method, epsilon: 1e-3, target: 1 }) as { data: Float32Array };
      assert.ok(relErr(rb.data.slice(0, 4), ra.data) < 1e-6, `${method}: ${Array.from(ra.data)} vs ${Array.from(rb.data)}`);
      assert.equal(Array.from(rb.data.slice(4)), [0, 0, 0], `${method}: padding`);
    }
  });
}

const FLOAT_MODELS: [string, Model][] = [
  [
    'LSTM',
    sequential(
      [T, F],
      [rnn('LSTM', 'r', U), dense('d', 2)],
      {
        r: cellWeights('LSTM', F, U, true),
        d: [
          ['kernel:0', [U, 2]],
          ['bias:0', [2]],
        ],
      },
      31,
    ),
  ],
  [
    'GRU reset_after',
    sequential(
      [T, F],
      [rnn('GRU', 'r', U, { reset_after: true }), dense('d', 2)],
      {
        r: cellWeights('GRU', F, U, true),
        d: [
          ['kernel:0', [U, 2]],
          ['bias:0', [2]],
        ],
      },
      32,
    ),
  ],
  [
    'GRU',
    sequential(
      [T, F],
      [rnn('GRU', 'r', U, { reset_after: false }), dense('d', 2)],
      {
        r: cellWeights('GRU', F, U, true, 'cell', false),
        d: [
          ['kernel:0', [U, 2]],
          ['bias:0', [2]],
        ],
      },
      33,
    ),
  ],
  [
    'SimpleRNN',
    sequential(
      [T, F],
      [rnn('SimpleRNN', 'r', U), dense('d', 2)],
      {
        r: cellWeights('SimpleRNN', F, U, true),
        d: [
          ['kernel:0', [U, 2]],
          ['bias:0', [2]],
        ],
      },
      34,
    ),
  ],
  [
    'LSTM hard_sigmoid (Keras 2)',
    sequential(
      [T, F],
      [rnn('LSTM', 'r', U, { recurrent_activation: 'hard_sigmoid' }), dense('d', 2)],
      {
        r: cellWeights('LSTM', F, U, true),
        d: [
          ['kernel:0', [U, 2]],
          ['bias:0', [2]],
        ],
      },
      35,
    ),
  ],
  [
    'Bidirectional GRU mul, return_sequences → Dense on 3-D → GlobalAveragePooling1D',
    sequential(
      [T, F],
      [
        { class_name: 'Bidirectional', config: { name: 'bi', merge_mode: 'mul', layer: rnn('GRU', 'g', U, { return_sequences: true }) } },
        dense('td', 3),
        { class_name: 'GlobalAveragePooling1D', config: { name: 'gap' } },
        dense('d', 2),
      ],
      {
        bi: [...cellWeights('GRU', F, U, true, 'forward_g'), ...cellWeights('GRU', F, U, true, 'backward_g')],
        td: [
          ['kernel:0', [U, 3]],
          ['bias:0', [3]],
        ],
        d: [
          ['kernel:0', [3, 2]],
          ['bias:0', [2]],
        ],
      },
      36,
    ),
  ],
];

for (const [name, model] of FLOAT_MODELS) {
  test(`${name}: the gradient matches central finite differences (h = 1e-2, ≤ 2e-3 of max|g|)`, () => {
    const x = tensor([1, T, F], 41);
    const g = analyze(model, x, { method: 'gradient', target: 1 }) as { data: Float32Array };
    const fd = new Float32Array(x.data.length);
    const h = 1e-2;
    for (let i = 0; i < x.data.length; i++) {
      const at = (d: number): number => {
        const y = x.data.slice();
        y[i] += d;
        return (model.logits({ shape: x.shape, data: y }) as { data: Float32Array }).data[1];
      };
      fd[i] = (at(h) - at(-h)) / (2 * h);
    }
    assert.ok(relErr(g.data, fd) < 2e-3, `${relErr(g.data, fd)}: ${Array.from(g.data.slice(0, 4))} vs ${Array.from(fd.slice(0, 4))}`);
  });
}

/** The time-reversed copy of a (n, T, F) batch. */
function reversed(x: { shape: number[]; data: Float32Array }): { shape: number[]; data: Float32Array } {
  const [n, t, f] = x.shape;
  const data = new Float32Array(x.data.length);
  for (let s = 0; s < n; s++)
    for (let k = 0; k < t; k++) data.set(x.data.subarray((s * t + k) * f, (s * t + k + 1) * f), (s * t + t - 1 - k) * f);
  return { shape: x.shape, data };
}

for (const cell of ['LSTM', 'GRU', 'SimpleRNN'] as Cell[]) {
  test(`${cell} go_backwards equals the same layer on the explicitly reversed input (logits, gradient, LRP)`, () => {
    const weights = {
      r: cellWeights(cell, F, U, true),
      d: [
        ['kernel:0', [U, 2]],
        ['bias:0', [2]],
      ] as [string, number[]][],
    };
    const back = sequential([T, F], [rnn(cell, 'r', U, { go_backwards: true }), dense('d', 2)], weights, 51);
    const plain = sequential([T, F], [rnn(cell, 'r', U), dense('d', 2)], weights, 51);
    const x = tensor([2, T, F], 52);
    assert.ok(relErr((back.logits(x) as { data: Float32Array }).data, (plain.logits(reversed(x)) as { data: Float32Array }).data) < 1e-6);
    for (const method of ['gradient', 'epsilon']) {
      const a = analyze(back, x, { method, target: 0 }) as { shape: number[]; data: Float32Array };
      const b = analyze(plain, reversed(x), { method, target: 0 }) as { shape: number[]; data: Float32Array };
      assert.ok(relErr(a.data, reversed(b).data) < 1e-6, method);
    }
  });
}

test('Bidirectional LSTM (concat, return_sequences) equals a forward LSTM and a go_backwards LSTM flipped back, side by side', () => {
  const fw = cellWeights('LSTM', F, U, true, 'forward_l');
  const bw = cellWeights('LSTM', F, U, true, 'backward_l');
  const bi = sequential(
    [T, F],
    [{ class_name: 'Bidirectional', config: { name: 'bi', merge_mode: 'concat', layer: rnn('LSTM', 'l', U, { return_sequences: true }) } }],
    { bi: [...fw, ...bw] },
    61,
  );
  // The same seeded draw: the forward weights come first, so a model of the forward layer alone draws them.
  const forward = sequential([T, F], [rnn('LSTM', 'l', U, { return_sequences: true })], { l: fw }, 61);
  const x = tensor([2, T, F], 62);
  const y = (bi.logits(x) as { data: Float32Array }).data;
  const yf = (forward.logits(x) as { data: Float32Array }).data;
  for (let s = 0; s < 2; s++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < U; j++) assert.ok(Math.abs(y[(s * T + t) * 2 * U + j] - yf[(s * T + t) * U + j]) < 1e-6);
    }
  }
  // The backward half at step t is the reversed run's output at T − 1 − t.
  const rand = prng(61);
  for (const [, shape] of fw) for (let i = 0; i < prod(shape); i++) rand();
  const groups = new Map<string, WeightTensor[]>([
    ['l', bw.map(([name, shape]) => ({ name: `l/${name}`, shape, data: Float32Array.from({ length: prod(shape) }, () => rand() - 0.5) }))],
  ]);
  const backward = modelFromArchive(
    {
      fileName: 'b.h5',
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups,
      config: {
        class_name: 'Sequential',
        config: {
          name: 'b',
          layers: [
            { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, T, F] } },
            rnn('LSTM', 'l', U, { return_sequences: true }),
          ],
        },
      },
    },
    {},
  );
  const yb = (backward.logits(reversed(x)) as { data: Float32Array }).data;
  for (let s = 0; s < 2; s++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < U; j++)
        assert.ok(Math.abs(y[(s * T + t) * 2 * U + U + j] - yb[(s * T + T - 1 - t) * U + j]) < 1e-6, `s${s} t${t} j${j}`);
    }
  }
});

test('every method runs on a Bidirectional text model: one finite value per token, padding 0 (grad-cam needs spatial axes and says so)', () => {
  const model = MASKED[4][1];
  const x = { shape: [2, 6], data: Float32Array.from([5, 17, 3, 9, 0, 0, 1, 2, 3, 4, 5, 6]) };
  for (const method of Object.keys(METHODS)) {
    if (method === 'grad-cam' || method === 'guided-grad-cam') {
      assert.throws(() => analyze(model, x, { method, target: 0 }), /spatial axes/);
      continue;
    }
    const R = analyze(model, x, { method, target: 0 }) as { shape: number[]; data: Float32Array };
    assert.equal(R.shape, [2, 6], method);
    assert.ok(R.data.every(Number.isFinite), `${method}: finite`);
    if (method !== 'occlusion') assert.equal([R.data[4], R.data[5]], [0, 0], `${method}: padding`);
  }
});

test('token inputs: integrated gradients with steps = 1 equal gradient × input, their sum tends to logit(x) − logit(zero embeddings); SmoothGrad with noise 0 is the gradient, seeded, and noisy otherwise', () => {
  // Token 0's embedding row is zero and mask_zero is off, so a sequence of 0s is the zero-embedding baseline.
  const rand = prng(71);
  const draw = (shape: number[]): Float32Array => Float32Array.from({ length: prod(shape) }, () => rand() - 0.5);
  const E = draw([20, F]);
  E.fill(0, 0, F);
  const weight = (layer: string, name: string, data: Float32Array, shape: number[]): WeightTensor => ({
    name: `${layer}/${name}`,
    shape,
    data,
  });
  const groups = new Map<string, WeightTensor[]>([
    ['emb', [weight('emb', 'embeddings:0', E, [20, F])]],
    ['r', cellWeights('GRU', F, U, true).map(([name, shape]) => weight('r', name, draw(shape), shape))],
    ['d', [weight('d', 'kernel:0', draw([U, 3]), [U, 3]), weight('d', 'bias:0', draw([3]), [3])]],
  ]);
  const layers = [
    { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 6] } },
    { class_name: 'Embedding', config: { name: 'emb', input_dim: 20, output_dim: F } },
    rnn('GRU', 'r', U, { reset_after: true }),
    dense('d', 3),
  ];
  const model = modelFromArchive(
    {
      fileName: 'ig.h5',
      config: { class_name: 'Sequential', config: { name: 'ig', layers } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups,
    },
    {},
  );
  const x = { shape: [1, 6], data: Float32Array.from([3, 8, 1, 15, 6, 2]) };
  const gxi = analyze(model, x, { method: 'gradient-x-input', target: 2 }) as { data: Float32Array };
  const ig1 = analyze(model, x, { method: 'integrated-gradients', steps: 1, target: 2 }) as { data: Float32Array };
  assert.ok(relErr(ig1.data, gxi.data) < 1e-6, `steps 1: ${relErr(ig1.data, gxi.data)}`);
  const ig = analyze(model, x, { method: 'integrated-gradients', steps: 400, target: 2 }) as { data: Float32Array };
  const gap =
    (model.logits(x) as { data: Float32Array }).data[2] -
    (model.logits({ shape: [1, 6], data: new Float32Array(6) }) as { data: Float32Array }).data[2];
  assert.ok(Math.abs(sum(ig.data) - gap) <= 1e-3 * Math.abs(gap), `completeness: ΣIG = ${sum(ig.data)}, logit gap ${gap}`);
  const g = analyze(model, x, { method: 'gradient', target: 2 }) as { data: Float32Array };
  const sg0 = analyze(model, x, { method: 'smoothgrad', noise: 0, samples: 3, target: 2 }) as { data: Float32Array };
  assert.ok(relErr(sg0.data, g.data) < 1e-6);
  const sgA = analyze(model, x, { method: 'smoothgrad', seed: 4, target: 2 }) as { data: Float32Array };
  const sgB = analyze(model, x, { method: 'smoothgrad', seed: 4, target: 2 }) as { data: Float32Array };
  assert.equal(Array.from(sgA.data), Array.from(sgB.data));
  assert.ok(relErr(sgA.data, g.data) > 1e-4, 'the noise on the embeddings changes the gradient');
});

test('composites: a recurrent layer counts as the first layer, so no Dense behind it gets the flat rule (epsilon-plus-flat = epsilon-plus)', () => {
  const model = sequential(
    [T, F],
    [rnn('LSTM', 'r', U), { class_name: 'Dense', config: { name: 'h', units: 5, activation: 'relu' } }, dense('d', 2)],
    {
      r: cellWeights('LSTM', F, U, true),
      h: [
        ['kernel:0', [U, 5]],
        ['bias:0', [5]],
      ],
      d: [
        ['kernel:0', [5, 2]],
        ['bias:0', [2]],
      ],
    },
    81,
  );
  const x = tensor([2, T, F], 82);
  const plus = analyze(model, x, { method: 'epsilon-plus' }) as { data: Float32Array };
  const flat = analyze(model, x, { method: 'epsilon-plus-flat' }) as { data: Float32Array };
  assert.equal(Array.from(flat.data), Array.from(plus.data));
  const rules = model.layers.find((l) => l.name === 'h')!.rules;
  assert.match(rules['epsilon-plus-flat'], /^epsilon/);
  assert.match(model.layers.find((l) => l.name === 'r')!.rules['epsilon-plus'], /LRP-all/);
});

test('an id outside the vocabulary is refused naming the layer, the id and the vocabulary size', () => {
  const model = MASKED[0][1];
  assert.throws(
    () => model.logits({ shape: [1, 3], data: Float32Array.from([1, 20, 2]) }),
    (e: Error) => /'emb' \(Embedding\): token id 20 .*vocabulary of 20/.test(e.message),
  );
});

test.run();
