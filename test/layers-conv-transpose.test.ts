// Conv1DTranspose / Conv2DTranspose (issue 15): Keras' output sizes and values (worked by hand for 1-D,
// against a direct scatter for 2-D), the gradient against finite differences, the Conv rules (LRP-0 =
// gradient × input and conservation on a bias-free ReLU net), and BatchNormalization folded into it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tensor } from '../src/tensor.js';
import { explain, finiteDifferences, functionalModel, relativeError, singleLayer, sum, uniform } from './layers-models.js';

const conv1d = (config: Record<string, unknown>, bias = 0) =>
  singleLayer([2, 1], {
    cls: 'Conv1DTranspose',
    config: { filters: 1, kernel_size: 3, strides: 2, ...config },
    weights: [
      { shape: [3, 1, 1], data: [1, 10, 100] },
      { shape: [1], data: [bias] },
    ],
  });
const X1 = { shape: [1, 2, 1], data: Float32Array.from([1, 2]) };

test('Conv1DTranspose: lengths and values of valid, same and output_padding, by hand', () => {
  // Each input cell i adds x[i]·kernel at 2i: [1, 10, 100] + [., ., 2, 20, 200].
  const cases: [Record<string, unknown>, number[]][] = [
    [{ padding: 'valid' }, [1, 10, 102, 20, 200]],
    [{ padding: 'same' }, [1, 10, 102, 20]],
    [{ padding: 'valid', output_padding: 1 }, [1, 10, 102, 20, 200, 0]],
    [{ padding: 'same', output_padding: 1 }, [1, 10, 102, 20]],
    [{ padding: 'same', output_padding: 0 }, [10, 102, 20]],
  ];
  for (const [config, want] of cases) {
    const y = conv1d(config, 0.5).predict(X1) as Tensor;
    assert.equal(y.shape, [1, want.length, 1], JSON.stringify(config));
    assert.equal(
      Array.from(y.data),
      want.map((v) => v + 0.5),
      JSON.stringify(config),
    );
  }
  assert.throws(() => conv1d({ padding: 'same', output_padding: 2 }), /output_padding/);
});

/** Keras' transposed conv by its definition: every input cell scatters x·kernel, then the padding is cut off. */
function scatter(
  x: Float32Array,
  H: number,
  W: number,
  C: number,
  K: Float32Array,
  kh: number,
  kw: number,
  F: number,
  s: number,
  OH: number,
  OW: number,
  padT: number,
  padL: number,
  d = 1,
): Float64Array {
  const y = new Float64Array(OH * OW * F);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const oy = i * s + ky * d - padT;
          const ox = j * s + kx * d - padL;
          if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
          for (let f = 0; f < F; f++)
            for (let c = 0; c < C; c++) y[(oy * OW + ox) * F + f] += x[(i * W + j) * C + c] * K[((ky * kw + kx) * F + f) * C + c];
        }
      }
    }
  }
  return y;
}

test('Conv2DTranspose equals the scatter definition (valid; same with odd and even kernels; channels_first)', () => {
  const K3 = uniform([3, 3, 2, 3], 1, -1, 1).data;
  const K4 = uniform([4, 4, 2, 3], 2, -1, 1).data;
  const x = uniform([1, 3, 4, 3], 3, -1, 1);
  // (kernel, padding, output size, cells cut before: TensorFlow pads ⌊(full − out)/2⌋ before)
  const cases: [Float32Array, number, string, number, number, number, number][] = [
    [K3, 3, 'valid', 7, 9, 0, 0],
    [K3, 3, 'same', 6, 8, 0, 0],
    [K4, 4, 'same', 6, 8, 1, 1],
  ];
  for (const [K, k, padding, OH, OW, padT, padL] of cases) {
    const model = singleLayer([3, 4, 3], {
      cls: 'Conv2DTranspose',
      config: { filters: 2, kernel_size: k, strides: 2, padding, use_bias: false },
      weights: [{ shape: [k, k, 2, 3], data: K }],
    });
    const y = model.predict(x) as Tensor;
    assert.equal(y.shape, [1, OH, OW, 2]);
    const want = scatter(x.data, 3, 4, 3, K, k, k, 2, 2, OH, OW, padT, padL);
    assert.ok(relativeError(y.data, want) < 1e-6, `${k} ${padding}: ${relativeError(y.data, want)}`);
  }
  // dilation 2, stride 1, same: output = input size, the dilated span 5 padded 2 before.
  const dilated = singleLayer([3, 4, 3], {
    cls: 'Conv2DTranspose',
    config: { filters: 2, kernel_size: 3, dilation_rate: 2, padding: 'same', use_bias: false },
    weights: [{ shape: [3, 3, 2, 3], data: K3 }],
  });
  const yd = dilated.predict(x) as Tensor;
  assert.equal(yd.shape, [1, 3, 4, 2]);
  assert.ok(relativeError(yd.data, scatter(x.data, 3, 4, 3, K3, 3, 3, 2, 1, 3, 4, 2, 2, 2)) < 1e-6, 'dilated');
  // TimeDistributed(Conv2DTranspose): the layer on every step.
  const td = singleLayer([2, 3, 4, 3], {
    cls: 'TimeDistributed',
    config: { layer: { class_name: 'Conv2DTranspose', config: { filters: 2, kernel_size: 3, strides: 2, use_bias: false } } },
    weights: [{ shape: [3, 3, 2, 3], data: K3 }],
  });
  const steps = uniform([1, 2, 3, 4, 3], 4, -1, 1);
  const yt = td.predict(steps) as Tensor;
  assert.equal(yt.shape, [1, 2, 7, 9, 2]);
  for (let t = 0; t < 2; t++) {
    const want = scatter(steps.data.subarray(t * 36, (t + 1) * 36), 3, 4, 3, K3, 3, 3, 2, 2, 7, 9, 0, 0);
    assert.ok(relativeError(yt.data.subarray(t * 126, (t + 1) * 126), want) < 1e-6, `step ${t}`);
  }
  // channels_first: the same numbers with the channel axis first.
  const first = singleLayer([3, 3, 4], {
    cls: 'Conv2DTranspose',
    config: { filters: 2, kernel_size: 3, strides: 2, padding: 'valid', use_bias: false, data_format: 'channels_first' },
    weights: [{ shape: [3, 3, 2, 3], data: K3 }],
  });
  const xf = new Float32Array(36);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let c = 0; c < 3; c++) xf[(c * 3 + i) * 4 + j] = x.data[(i * 4 + j) * 3 + c];
  const yf = first.predict({ shape: [1, 3, 3, 4], data: xf }) as Tensor;
  const want = scatter(x.data, 3, 4, 3, K3, 3, 3, 2, 2, 7, 9, 0, 0);
  const wantFirst = new Float64Array(want.length);
  for (let i = 0; i < 7; i++)
    for (let j = 0; j < 9; j++) for (let f = 0; f < 2; f++) wantFirst[(f * 7 + i) * 9 + j] = want[(i * 9 + j) * 2 + f];
  assert.equal(yf.shape, [1, 2, 7, 9]);
  assert.ok(relativeError(yf.data, wantFirst) < 1e-6);
});

/** (4, 4, 2) → Conv2D(3, relu) → Conv2DTranspose(2, stride 2, relu) → Flatten → Dense(3), no biases. */
const NET = functionalModel(
  [['x', [4, 4, 2]]],
  [
    {
      cls: 'Conv2D',
      name: 'c',
      inbound: ['x'],
      config: { filters: 3, kernel_size: 3, padding: 'same', activation: 'relu', use_bias: false },
      weights: [[3, 3, 2, 3]],
    },
    {
      cls: 'Conv2DTranspose',
      name: 't',
      inbound: ['c'],
      config: { filters: 2, kernel_size: 3, strides: 2, padding: 'same', activation: 'relu', use_bias: false },
      weights: [[3, 3, 2, 3]],
    },
    { cls: 'Flatten', name: 'f', inbound: ['t'] },
    { cls: 'Dense', name: 'out', inbound: ['f'], config: { units: 3, use_bias: false }, weights: [[128, 3]] },
  ],
  ['out'],
  5,
);

test('Conv2DTranspose: gradient = finite differences; LRP-0 = gradient × input and conserves (bias-free ReLU net)', () => {
  const x = uniform([1, 4, 4, 2], 6, -1, 1);
  const g = explain(NET, x, { method: 'gradient', target: 2 });
  assert.ok(
    relativeError(g.data, finiteDifferences(NET, x, 2, 1e-3)) < 5e-3,
    `fd ${relativeError(g.data, finiteDifferences(NET, x, 2, 1e-3))}`,
  );
  const gxi = explain(NET, x, { method: 'gradient-x-input', target: 2 });
  const lrp0 = explain(NET, x, { method: 'lrp-0', target: 2 });
  assert.ok(relativeError(lrp0.data, gxi.data) < 1e-5, `lrp-0 vs gxi ${relativeError(lrp0.data, gxi.data)}`);
  const logit = (NET.logits(x) as Tensor).data[2];
  for (const method of ['lrp-0', 'z-plus', 'flat', 'w-square', 'epsilon-plus-flat']) {
    const R = explain(NET, x, { method: method as 'lrp-0', target: 2 });
    if (method === 'lrp-0' || method === 'flat' || method === 'w-square' || method === 'epsilon-plus-flat') {
      assert.ok(Math.abs(sum(R.data) - logit) < 1e-4 * Math.abs(logit), `${method}: ${sum(R.data)} vs ${logit}`);
    }
  }
  const zp = explain(NET, x, { method: 'z-plus', target: 2 });
  const ab = explain(NET, x, { method: 'alpha-beta', alpha: 1, beta: 0, target: 2 });
  assert.equal(Array.from(zp.data), Array.from(ab.data));
});

test('a BatchNormalization after Conv2DTranspose folds into it: relevance as with the fold done by hand', () => {
  const K = uniform([3, 3, 2, 3], 7, -1, 1).data;
  const b = Float32Array.from([0.1, -0.2]);
  const [gamma, beta, mean, variance] = [
    [1.5, 0.5],
    [0.2, -0.1],
    [0.3, -0.4],
    [2, 0.5],
  ].map((v) => Float32Array.from(v));
  const Wd = uniform([7 * 9 * 2, 2], 8, -1, 1).data;
  const head = { cls: 'Flatten', name: 'f', inbound: ['bn'] };
  const withBn = functionalModel(
    [['x', [3, 4, 3]]],
    [
      {
        cls: 'Conv2DTranspose',
        name: 't',
        inbound: ['x'],
        config: { filters: 2, kernel_size: 3, strides: 2 },
        weights: [
          { shape: [3, 3, 2, 3], data: K },
          { shape: [2], data: b },
        ],
      },
      {
        cls: 'BatchNormalization',
        name: 'bn',
        inbound: ['t'],
        config: { epsilon: 1e-3 },
        weights: [gamma, beta, mean, variance].map((v) => ({ shape: [2], data: v })),
      },
      head,
      {
        cls: 'Dense',
        name: 'out',
        inbound: ['f'],
        config: { units: 2 },
        weights: [
          { shape: [126, 2], data: Wd },
          { shape: [2], data: [0, 0] },
        ],
      },
    ],
    ['out'],
  );
  const scale = [0, 1].map((f) => gamma[f] / Math.sqrt(variance[f] + 1e-3));
  const folded = functionalModel(
    [['x', [3, 4, 3]]],
    [
      {
        cls: 'Conv2DTranspose',
        name: 't',
        inbound: ['x'],
        config: { filters: 2, kernel_size: 3, strides: 2 },
        weights: [
          { shape: [3, 3, 2, 3], data: K.map((w, i) => w * scale[Math.floor(i / 3) % 2]) },
          { shape: [2], data: [0, 1].map((f) => (b[f] - mean[f]) * scale[f] + beta[f]) },
        ],
      },
      { ...head, inbound: ['t'] },
      {
        cls: 'Dense',
        name: 'out',
        inbound: ['f'],
        config: { units: 2 },
        weights: [
          { shape: [126, 2], data: Wd },
          { shape: [2], data: [0, 0] },
        ],
      },
    ],
    ['out'],
  );
  const x = uniform([2, 3, 4, 3], 9, -1, 1);
  assert.ok(relativeError((withBn.predict(x) as Tensor).data, (folded.predict(x) as Tensor).data) < 1e-5);
  for (const method of ['epsilon', 'z-plus', 'gamma'] as const) {
    const a = explain(withBn, x, { method, target: [0, 1] });
    const c = explain(folded, x, { method, target: [0, 1] });
    assert.ok(relativeError(a.data, c.data) < 1e-4, `${method}: ${relativeError(a.data, c.data)}`);
  }
});

test.run();
