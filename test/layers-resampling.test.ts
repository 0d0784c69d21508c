// Resizing, CenterCrop, bilinear UpSampling2D, RepeatVector, TimeDistributed, Dense on rank > 2 and the
// random augmentation layers (issue 15): forward against values worked out here (TensorFlow's
// half-pixel bilinear), gradients against finite differences, the z-rule of bilinear interpolation
// (conserving) and re-indexing in LRP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tensor } from '../src/tensor.js';
import { explain, finiteDifferences, functionalModel, relativeError, singleLayer, sum, uniform } from './layers-models.js';

/** Half-pixel bilinear 2 → 4 along one axis: [a, ¾a + ¼b, ¼a + ¾b, b]. */
const up2 = (a: number, b: number): number[] => [a, 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b, b];

test('bilinear UpSampling2D and Resizing: TensorFlow half-pixel weights, by hand', () => {
  const x = { shape: [1, 2, 2, 1], data: Float32Array.from([1, 2, 3, 5]) };
  const rows = [up2(1, 2), up2(3, 5)];
  const want = [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => up2(rows[0][j], rows[1][j])[i]));
  const up = singleLayer([2, 2, 1], { cls: 'UpSampling2D', config: { size: [2, 2], interpolation: 'bilinear' } });
  assert.equal((up.predict(x) as Tensor).shape, [1, 4, 4, 1]);
  assert.ok(relativeError((up.predict(x) as Tensor).data, want) < 1e-7);
  const resize = singleLayer([2, 2, 1], { cls: 'Resizing', config: { height: 4, width: 4 } });
  assert.ok(relativeError((resize.predict(x) as Tensor).data, want) < 1e-7);
  // Down by 2: half-pixel centres fall between cells: means of 2 × 2 blocks.
  const big = uniform([1, 4, 4, 1], 1);
  const down = singleLayer([4, 4, 1], { cls: 'Resizing', config: { height: 2, width: 2 } });
  const d = big.data;
  const means = [
    [0, 0],
    [0, 2],
    [2, 0],
    [2, 2],
  ].map(([r, c]) => (d[r * 4 + c] + d[r * 4 + c + 1] + d[(r + 1) * 4 + c] + d[(r + 1) * 4 + c + 1]) / 4);
  assert.ok(relativeError((down.predict(big) as Tensor).data, means) < 1e-6);
});

test('Resizing nearest and crop_to_aspect_ratio; CenterCrop crops, or resizes an input smaller than its target', () => {
  const x = uniform([1, 4, 6, 2], 2);
  const cell = (r: number, c: number, ch: number) => x.data[(r * 6 + c) * 2 + ch];
  const nearest = singleLayer([4, 6, 2], { cls: 'Resizing', config: { height: 2, width: 3, interpolation: 'nearest' } });
  // Half-pixel nearest: source ⌊(o + ½)·2⌋ = 1, 3, 5.
  const wantNearest = [0, 1].flatMap((i) => [0, 1, 2].flatMap((j) => [0, 1].map((ch) => cell(2 * i + 1, 2 * j + 1, ch))));
  assert.equal(Array.from((nearest.predict(x) as Tensor).data), wantNearest);
  // crop_to_aspect_ratio to a square: the centred 4 × 4 window (columns 1..4), then resized to 4 × 4: itself.
  const square = singleLayer([4, 6, 2], { cls: 'Resizing', config: { height: 4, width: 4, crop_to_aspect_ratio: true } });
  const wantSquare = [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].flatMap((j) => [0, 1].map((ch) => cell(i, j + 1, ch))));
  assert.equal(Array.from((square.predict(x) as Tensor).data), wantSquare);
  const crop = singleLayer([4, 6, 2], { cls: 'CenterCrop', config: { height: 2, width: 3 } });
  const wantCrop = [0, 1].flatMap((i) => [0, 1, 2].flatMap((j) => [0, 1].map((ch) => cell(i + 1, j + 1, ch))));
  assert.equal(Array.from((crop.predict(x) as Tensor).data), wantCrop);
  const grow = singleLayer([4, 6, 2], { cls: 'CenterCrop', config: { height: 8, width: 8 } });
  assert.equal(
    Array.from((grow.predict(x) as Tensor).data),
    Array.from(
      (
        functionalModel(
          [['x', [4, 6, 2]]],
          [
            {
              cls: 'Cropping2D',
              name: 'c',
              inbound: ['x'],
              config: {
                cropping: [
                  [0, 0],
                  [1, 1],
                ],
              },
            },
            { cls: 'Resizing', name: 'r', inbound: ['c'], config: { height: 8, width: 8 } },
          ],
          ['r'],
        ).predict(x) as Tensor
      ).data,
    ),
  );
  assert.throws(
    () => singleLayer([4, 6, 2], { cls: 'Resizing', config: { height: 2, width: 2, interpolation: 'bicubic' } }),
    /interpolation/,
  );
});

/** (3, 3, 2) → Conv2D(2, relu, no bias) → bilinear ×2 or Resizing → Flatten → Dense(2, no bias). */
const throughResize = (layer: { cls: string; config: Record<string, unknown> }, size: number) =>
  functionalModel(
    [['x', [3, 3, 2]]],
    [
      {
        cls: 'Conv2D',
        name: 'c',
        inbound: ['x'],
        config: { filters: 2, kernel_size: 2, padding: 'same', activation: 'relu', use_bias: false },
        weights: [[2, 2, 2, 2]],
      },
      { ...layer, name: 'r', inbound: ['c'] },
      { cls: 'Flatten', name: 'f', inbound: ['r'] },
      { cls: 'Dense', name: 'out', inbound: ['f'], config: { units: 2, use_bias: false }, weights: [[size, 2]] },
    ],
    ['out'],
    3,
  );

test('bilinear resampling: gradient = finite differences, the z-rule conserves, LRP-0 = gradient × input', () => {
  const nets = [
    throughResize({ cls: 'UpSampling2D', config: { size: 2, interpolation: 'bilinear' } }, 72),
    throughResize({ cls: 'Resizing', config: { height: 5, width: 4 } }, 40),
    throughResize({ cls: 'Resizing', config: { height: 2, width: 2 } }, 8),
  ];
  for (const [k, net] of nets.entries()) {
    const x = uniform([1, 3, 3, 2], 4 + k, -1, 1);
    const g = explain(net, x, { method: 'gradient', target: 0 });
    assert.ok(relativeError(g.data, finiteDifferences(net, x, 0, 1e-3)) < 5e-3, `net ${k}: gradient`);
    const logit = (net.logits(x) as Tensor).data[0];
    const R = explain(net, x, { method: 'lrp-0', target: 0 });
    assert.ok(Math.abs(sum(R.data) - logit) < 1e-4 * Math.abs(logit), `net ${k}: ${sum(R.data)} vs ${logit}`);
    const gxi = explain(net, x, { method: 'gradient-x-input', target: 0 });
    assert.ok(relativeError(R.data, gxi.data) < 1e-4, `net ${k}: lrp-0 vs gxi`);
  }
});

test('RepeatVector and TimeDistributed: forward as the layers they repeat, gradient = finite differences', () => {
  const x = uniform([2, 3], 6, -1, 1);
  const rv = singleLayer([3], { cls: 'RepeatVector', config: { n: 2 } });
  const y = rv.predict(x) as Tensor;
  assert.equal(y.shape, [2, 2, 3]);
  assert.equal(
    Array.from(y.data),
    [0, 1].flatMap((s) => [0, 1].flatMap(() => Array.from(x.data.subarray(s * 3, s * 3 + 3)))),
  );
  // TimeDistributed(Dense) = Dense on the rank-3 input; TimeDistributed(Conv2D) = the Conv2D on each step.
  const W = uniform([3, 4], 7, -1, 1).data;
  const seq = uniform([2, 5, 3], 8, -1, 1);
  const td = singleLayer([5, 3], {
    cls: 'TimeDistributed',
    config: { layer: { class_name: 'Dense', config: { units: 4, activation: 'tanh' } } },
    weights: [
      { shape: [3, 4], data: W },
      { shape: [4], data: [0.1, 0.2, 0.3, 0.4] },
    ],
  });
  const dense = singleLayer([5, 3], {
    cls: 'Dense',
    config: { units: 4, activation: 'tanh' },
    weights: [
      { shape: [3, 4], data: W },
      { shape: [4], data: [0.1, 0.2, 0.3, 0.4] },
    ],
  });
  assert.equal(Array.from((td.predict(seq) as Tensor).data), Array.from((dense.predict(seq) as Tensor).data));
  const K = uniform([3, 3, 2, 3], 9, -1, 1).data;
  const conv = { class_name: 'Conv2D', config: { filters: 3, kernel_size: 3, padding: 'valid', activation: 'relu' } };
  const tdConv = singleLayer([4, 5, 5, 2], {
    cls: 'TimeDistributed',
    config: { layer: conv },
    weights: [
      { shape: [3, 3, 2, 3], data: K },
      { shape: [3], data: [0, 0.1, -0.1] },
    ],
  });
  const oneStep = singleLayer([5, 5, 2], {
    cls: 'Conv2D',
    config: conv.config,
    weights: [
      { shape: [3, 3, 2, 3], data: K },
      { shape: [3], data: [0, 0.1, -0.1] },
    ],
  });
  const video = uniform([1, 4, 5, 5, 2], 10, -1, 1);
  const out = tdConv.predict(video) as Tensor;
  assert.equal(out.shape, [1, 4, 3, 3, 3]);
  for (let t = 0; t < 4; t++) {
    const frame = { shape: [1, 5, 5, 2], data: video.data.slice(t * 50, (t + 1) * 50) };
    assert.equal(Array.from(out.data.subarray(t * 27, (t + 1) * 27)), Array.from((oneStep.predict(frame) as Tensor).data), `step ${t}`);
  }
  const net = functionalModel(
    [['x', [4, 5, 5, 2]]],
    [
      {
        cls: 'TimeDistributed',
        name: 'td',
        inbound: ['x'],
        config: { layer: conv },
        weights: [
          { shape: [3, 3, 2, 3], data: K },
          { shape: [3], data: [0, 0, 0] },
        ],
      },
      {
        cls: 'TimeDistributed',
        name: 'pool',
        inbound: ['td'],
        config: { layer: { class_name: 'MaxPooling2D', config: { pool_size: 3 } } },
      },
      { cls: 'Flatten', name: 'f', inbound: ['pool'] },
      { cls: 'Dense', name: 'out', inbound: ['f'], config: { units: 2, use_bias: false }, weights: [[12, 2]] },
    ],
    ['out'],
    11,
  );
  const g = explain(net, video, { method: 'gradient', target: 1 });
  assert.ok(relativeError(g.data, finiteDifferences(net, video, 1, 1e-3)) < 5e-3, 'TimeDistributed gradient');
  const R = explain(net, video, { method: 'lrp-0', target: 1 });
  const gxi = explain(net, video, { method: 'gradient-x-input', target: 1 });
  assert.ok(relativeError(R.data, gxi.data) < 1e-5, 'TimeDistributed conv: LRP-0 = gradient × input');
  assert.throws(() => singleLayer([5, 3], { cls: 'TimeDistributed', config: { layer: { class_name: 'Lambda', config: {} } } }), /Lambda/);
});

test('Dense on a rank-3 input: the kernel at every position; every Dense rule per position', () => {
  const W = uniform([3, 2], 16, -1, 1).data;
  const model = singleLayer([4, 3], { cls: 'Dense', config: { units: 2, use_bias: false }, weights: [{ shape: [3, 2], data: W }] });
  const x = uniform([2, 4, 3], 17, -1, 1);
  const y = model.predict(x) as Tensor;
  assert.equal(y.shape, [2, 4, 2]);
  const want = Array.from({ length: 16 }, (_, i) =>
    [0, 1, 2].reduce((s, k) => s + x.data[Math.floor(i / 2) * 3 + k] * W[k * 2 + (i % 2)], 0),
  );
  assert.ok(relativeError(y.data, want) < 1e-6);
  const net = functionalModel(
    [['x', [4, 3]]],
    [
      { cls: 'Dense', name: 'd', inbound: ['x'], config: { units: 5, activation: 'relu', use_bias: false }, weights: [[3, 5]] },
      { cls: 'Flatten', name: 'f', inbound: ['d'] },
      { cls: 'Dense', name: 'out', inbound: ['f'], config: { units: 2, use_bias: false }, weights: [[20, 2]] },
    ],
    ['out'],
    18,
  );
  const logit = (net.logits(x) as Tensor).data[1];
  const R = explain(net, x, { method: 'lrp-0', target: 1 });
  assert.ok(Math.abs(sum(R.data.subarray(0, 12)) - logit) < 1e-4 * Math.abs(logit));
  assert.ok(relativeError(R.data, explain(net, x, { method: 'gradient-x-input', target: 1 }).data) < 1e-5);
});

test('random augmentation and noise layers are identities at inference', () => {
  const x = uniform([2, 4, 4, 3], 12);
  for (const cls of [
    'RandomFlip',
    'RandomRotation',
    'RandomZoom',
    'RandomTranslation',
    'RandomContrast',
    'RandomBrightness',
    'GaussianNoise',
  ]) {
    assert.equal(Array.from((singleLayer([4, 4, 3], { cls, config: {} }).predict(x) as Tensor).data), Array.from(x.data), cls);
  }
});

test.run();
