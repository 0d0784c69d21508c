// Pixel-flipping (region perturbation) on linear models built in memory, where the true contribution
// of every pixel to the target logit is known exactly: x_i·w_i (removing to zero) or (x_i − m)·w_i
// (removing to the mean m). Ranked by the true contribution, regions come out in the order that
// lowers the score fastest, so its AOPC beats every other ranking, random relevance included.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateMethods, pixelFlipping } from '../src/evaluate/pixel-flipping.js';
import { LrpKerasError } from '../src/errors.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import type { Tensor } from '../src/tensor.js';
import { lineChart, niceTicks } from '../src/viz/line-chart.js';
import { uniformGenerator as prng } from '../src/attribution/random.js';

const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

interface Linear {
  model: Model;
  W: Float32Array;
  b: Float32Array;
  classes: number;
}

/** Flatten → Dense(classes) on `inputShape`, weights U(−1, 1), bias U(−0.5, 0.5), optional softmax. */
function linearModel(inputShape: number[], classes: number, seed: number, activation = 'linear'): Linear {
  const rand = prng(seed);
  const features = prod(inputShape);
  const W = Float32Array.from({ length: features * classes }, () => 2 * rand() - 1);
  const b = Float32Array.from({ length: classes }, () => rand() - 0.5);
  const groups = new Map<string, WeightTensor[]>([
    [
      'dense',
      [
        { name: 'dense/kernel:0', shape: [features, classes], data: W },
        { name: 'dense/bias:0', shape: [classes], data: b },
      ],
    ],
  ]);
  const layers = [
    { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape], dtype: 'float32' } },
    { class_name: 'Flatten', config: { name: 'flatten', data_format: 'channels_last' } },
    { class_name: 'Dense', config: { name: 'dense', units: classes, activation, use_bias: true } },
  ];
  const model = modelFromArchive(
    {
      fileName: 'in-memory.h5',
      config: { class_name: 'Sequential', config: { name: 'linear', layers } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups,
    },
    {},
  );
  return { model, W, b, classes };
}

function randomInput(shape: number[], seed: number): Tensor {
  const rand = prng(seed);
  return { shape, data: Float32Array.from({ length: prod(shape) }, () => rand()) };
}

/** x_i·(w_i for the target) − baseline_i·w_i: each pixel's exact share of the target logit. */
function trueContribution(net: Linear, x: Tensor, targets: number[], baseline: (s: number, i: number) => number): Tensor {
  const n = x.shape[0];
  const size = x.data.length / n;
  const data = new Float32Array(x.data.length);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < size; i++) data[s * size + i] = (x.data[s * size + i] - baseline(s, i)) * net.W[i * net.classes + targets[s]];
  }
  return { shape: x.shape.slice(), data };
}

function randomRelevance(x: Tensor, seed: number): Tensor {
  const rand = prng(seed);
  return { shape: x.shape.slice(), data: x.data.map(() => rand() - 0.5) };
}

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('true contributions (removal to zero) beat random relevance on every sample, for regions of 1, 2 and 3', () => {
  const net = linearModel([8, 8, 1], 4, 1);
  const x = randomInput([5, 8, 8, 1], 2);
  const t = [0, 1, 2, 3, 1];
  const truth = trueContribution(net, x, t, () => 0);
  for (const region of [1, 2, 3]) {
    const best = pixelFlipping(net.model, x, truth, { region, perturbation: 0, target: t });
    for (let seed = 0; seed < 5; seed++) {
      const random = pixelFlipping(net.model, x, randomRelevance(x, 100 + seed), { region, perturbation: 0, target: t });
      best.aopc.forEach((a, s) =>
        assert.ok(a > random.aopc[s], `region ${region}, seed ${seed}, sample ${s}: AOPC ${a} ≤ random ${random.aopc[s]}`),
      );
    }
    // The opposite ranking removes the most helpful regions last: the smallest AOPC of all.
    const inverted = pixelFlipping(
      net.model,
      x,
      { shape: truth.shape, data: truth.data.map((v) => -v) },
      { region, perturbation: 0, target: t },
    );
    best.aopc.forEach((a, s) => assert.ok(a > inverted.aopc[s], `region ${region}, sample ${s}: inverted ranking wins`));
  }
});

test('true contributions relative to the mean beat random relevance when regions are removed to the mean', () => {
  const net = linearModel([6, 6, 3], 3, 3);
  const x = randomInput([4, 6, 6, 3], 4);
  const t = [2, 0, 1, 2];
  // Removal to the mean of each channel: pixel i of channel c becomes that channel's mean.
  const channelMean = (s: number, c: number): number => {
    let acc = 0;
    for (let p = 0; p < 36; p++) acc += x.data[s * 108 + p * 3 + c];
    return acc / 36;
  };
  const truth = trueContribution(net, x, t, (s, i) => channelMean(s, i % 3));
  const best = pixelFlipping(net.model, x, truth, { region: 2, target: t });
  const random = pixelFlipping(net.model, x, randomRelevance(x, 9), { region: 2, target: t });
  best.aopc.forEach((a, s) => assert.ok(a > random.aopc[s], `sample ${s}: AOPC ${a} ≤ random ${random.aopc[s]}`));
  assert.ok(best.meanAopc > random.meanAopc);
});

test('each step lowers the score by the next largest region sum of the true contribution (float32 tolerance)', () => {
  const net = linearModel([5, 5], 2, 5);
  const x = randomInput([2, 5, 5], 6);
  const t = [1, 0];
  const truth = trueContribution(net, x, t, () => 0);
  const result = pixelFlipping(net.model, x, truth, { region: 2, perturbation: 0, target: t });
  // 5×5 in tiles of 2: 3×3 tiles, the last row and column 1 pixel wide; default steps = all 9.
  assert.is(result.regions, 9);
  assert.is(result.region, 2);
  const logits = net.model.logits(x).data;
  for (let s = 0; s < 2; s++) {
    const tileSums = new Array<number>(9).fill(0);
    for (let y = 0; y < 5; y++)
      for (let col = 0; col < 5; col++) tileSums[Math.floor(y / 2) * 3 + Math.floor(col / 2)] += truth.data[s * 25 + y * 5 + col];
    tileSums.sort((a, b) => b - a);
    const curve = result.curves[s];
    assert.is(curve.length, 10);
    close(curve[0], logits[s * 2 + t[s]], 1e-6, `sample ${s}: score before removal`);
    let expected = curve[0];
    tileSums.forEach((sum, k) => {
      expected -= sum;
      close(curve[k + 1], expected, 1e-5, `sample ${s}, step ${k + 1}`);
    });
    // Everything removed: only the bias is left.
    close(curve[9], net.b[t[s]], 1e-5, `sample ${s}: all regions removed`);
    close(result.aopc[s], curve.reduce((a, v) => a + curve[0] - v, 0) / 10, 1e-12, `sample ${s}: AOPC`);
  }
  close(result.meanAopc, (result.aopc[0] + result.aopc[1]) / 2, 1e-12, 'mean AOPC');
  result.meanCurve.forEach((v, k) => close(v, (result.curves[0][k] + result.curves[1][k]) / 2, 1e-12, `mean curve ${k}`));
});

test('channels_first samples: a region removes every channel of its pixels', () => {
  const net = linearModel([2, 4, 4], 2, 7);
  const x = randomInput([1, 2, 4, 4], 8);
  const relevance = randomRelevance(x, 1);
  const result = pixelFlipping(net.model, x, relevance, { region: 2, perturbation: 0, target: 0, channelsLast: false });
  assert.is(result.regions, 4);
  close(result.curves[0][4], net.b[0], 1e-5, 'all regions removed');
  // Read as channels-last instead, (2, 4, 4) is 2×4 pixels with 4 channels: 2 regions only.
  assert.is(pixelFlipping(net.model, x, relevance, { region: 2, target: 0 }).regions, 2);
});

test('steps limits the removals; score probability tracks the model output; target max is the top class', () => {
  const net = linearModel([6, 6, 1], 3, 11, 'softmax');
  const x = randomInput([3, 6, 6, 1], 12);
  const relevance = randomRelevance(x, 2);
  const result = pixelFlipping(net.model, x, relevance, { region: 3, steps: 2, score: 'probability' });
  const probs = net.model.predict(x).data;
  result.targets.forEach((t, s) => {
    const row = Array.from(probs.subarray(s * 3, s * 3 + 3));
    assert.is(t, row.indexOf(Math.max(...row)), `sample ${s}: target`);
    close(result.curves[s][0], row[t], 1e-6, `sample ${s}: probability before removal`);
    assert.is(result.curves[s].length, 3);
  });
  // Default steps: min(50, regions).
  assert.is(pixelFlipping(net.model, x, relevance, { region: 1 }).curves[0].length, 37);
});

test('evaluateMethods: gradient × input and LRP-0 are the true contribution on a linear model; both beat random', () => {
  const net = linearModel([8, 8, 1], 4, 13);
  const x = randomInput([3, 8, 8, 1], 14);
  const progress: number[][] = [];
  const results = evaluateMethods(net.model, x, ['gradient-x-input', 'lrp-0', 'random'], {
    perturbation: 0,
    region: 2,
    onProgress: (done, total) => progress.push([done, total]),
  });
  assert.equal(
    results.map((r) => r.method),
    ['gradient-x-input', 'lrp-0', 'random'],
  );
  const truth = pixelFlipping(
    net.model,
    x,
    trueContribution(net, x, results[0].targets, () => 0),
    { perturbation: 0, region: 2 },
  );
  for (const r of results.slice(0, 2)) {
    r.aopc.forEach((a, s) => close(a, truth.aopc[s], 1e-5, `${r.method}, sample ${s}`));
    assert.ok(r.meanAopc > results[2].meanAopc, `${r.method} does not beat random`);
  }
  assert.equal(
    progress,
    Array.from({ length: 9 }, (_, i) => [i + 1, 9]),
  );
  // The baseline is seeded: the same seed gives the same curve.
  const again = evaluateMethods(net.model, x, ['random'], { perturbation: 0, region: 2 });
  assert.equal(again[0].curves, results[2].curves);
});

test('bad options and shapes are LrpKerasErrors naming the option', () => {
  const net = linearModel([4, 4, 1], 2, 15);
  const x = randomInput([2, 4, 4, 1], 16);
  const r = randomRelevance(x, 3);
  const cases: [() => unknown, RegExp][] = [
    [() => pixelFlipping(net.model, x, r, { region: 0 }), /option region must be an integer from 1 to 4, got 0/],
    [() => pixelFlipping(net.model, x, r, { region: 2, steps: 5 }), /option steps must be an integer from 1 to 4, got 5/],
    [() => pixelFlipping(net.model, x, r, { perturbation: Number.NaN }), /option perturbation must be a finite number or 'mean'/],
    [() => pixelFlipping(net.model, x, r, { score: 'loss' as 'logit' }), /option score must be 'logit' or 'probability'/],
    [() => pixelFlipping(net.model, x, r, { target: 2 }), /option target: 2 for sample 0 is not a class index in \[0, 1\]/],
    [() => pixelFlipping(net.model, x, r, { target: [0] }), /option target: 1 indices for a batch of 2/],
    [() => pixelFlipping(net.model, x, { shape: [2, 16], data: r.data }), /relevance has shape \(2, 16\), the input \(2, 4, 4, 1\)/],
    [
      () => pixelFlipping(net.model, { shape: [4, 4, 1], data: x.data.subarray(0, 16) }, r),
      /input has shape \(4, 4, 1\).*add the batch axis/,
    ],
    [() => evaluateMethods(net.model, x, []), /no methods to evaluate/],
    [() => evaluateMethods(net.model, x, ['nope']), /unknown method "nope"/],
  ];
  for (const [run, message] of cases) {
    try {
      run();
      assert.unreachable(`expected an error matching ${message}`);
    } catch (e) {
      assert.instance(e, LrpKerasError, String(e));
      assert.match((e as Error).message, message);
    }
  }
});

test('the curves chart: nice ticks, one colour per series, errors for nothing to draw', () => {
  assert.equal(niceTicks(-0.1, 13.2), { ticks: [-5, 0, 5, 10, 15], decimals: 0 });
  assert.equal(niceTicks(0, 0.3), { ticks: [0, 0.1, 0.2, 0.3], decimals: 1 });
  assert.equal(niceTicks(2, 2).ticks, [2, 2.5]);
  const red = [214, 39, 40, 255] as const;
  const image = lineChart(
    [
      { label: 'a', values: [3, 2, 1] },
      { label: 'b', values: [1, 1.5, 2], color: red },
    ],
    { width: 300, height: 200, title: 't' },
  );
  assert.equal([image.width, image.height], [300, 200]);
  const has = (c: readonly number[]): boolean => {
    for (let i = 0; i < image.data.length; i += 4) if (c.every((v, k) => image.data[i + k] === v)) return true;
    return false;
  };
  assert.ok(has([31, 119, 180, 255]), 'the first default colour (tab10 blue) is drawn');
  assert.ok(has(red), 'the given colour is drawn');
  assert.throws(() => lineChart([]), /at least one series/);
  assert.throws(() => lineChart([{ label: 'x', values: [1, Number.NaN] }]), /series 'x' has a non-finite value/);
  assert.throws(() => lineChart([{ label: 'x', values: [1] }], { width: 200, height: 150, textScale: 6 }), /leaves no room/);
});

test.run();
