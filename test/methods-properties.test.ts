// Grad-CAM, occlusion, inner-unit targets and concept conditions by their defining properties, on
// models built here from seeded weights: Grad-CAM equals the CAM computed by hand, 1×1 occlusion of a
// bias-free linear model equals gradient × input summed over channels, an inner target on the output
// layer equals the class target, condition heatmaps over all channels of a layer that every path
// crosses add up to the unconditioned LRP, and threads change no bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { analyze, topConcepts, type AnalyzeOptions } from '../src/analyze/index.js';
import { uniformGenerator as prng } from '../src/attribution/random.js';
import { LrpKerasError } from '../src/errors.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import { loadModel } from '../src/node.js';
import type { Tensor } from '../src/tensor.js';
import { createThreadPool } from '../src/threads.js';
import { fixturePath, sharedPath } from './fixtures.js';

const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
type LayerConfig = { class_name: string; config: Record<string, unknown> };

/** A Sequential model from seeded U(−0.5, 0.5) weights; returns the weights too, by layer. */
function build(
  inputShape: number[],
  layers: LayerConfig[],
  weights: Record<string, number[][]>,
  seed: number,
): { model: Model; w: Record<string, Float32Array[]> } {
  const rand = prng(seed);
  const groups = new Map<string, WeightTensor[]>();
  const w: Record<string, Float32Array[]> = {};
  for (const [layer, shapes] of Object.entries(weights)) {
    const tensors = shapes.map((shape, k) => ({
      name: `${layer}/${k === 0 ? 'kernel' : 'bias'}:0`,
      shape,
      data: Float32Array.from({ length: prod(shape) }, () => rand() - 0.5),
    }));
    groups.set(layer, tensors);
    w[layer] = tensors.map((t) => t.data);
  }
  const input = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape] } };
  const model = modelFromArchive(
    {
      fileName: 'methods.h5',
      config: { class_name: 'Sequential', config: { name: 'net', layers: [input, ...layers] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups,
    },
    {},
  );
  return { model, w };
}

const input = (shape: number[], seed: number): Tensor => {
  const rand = prng(seed);
  return { shape, data: Float32Array.from({ length: prod(shape) }, () => rand()) };
};

const conv = (name: string, filters: number, extra: Record<string, unknown> = {}): LayerConfig => ({
  class_name: 'Conv2D',
  config: { name, filters, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', activation: 'linear', use_bias: true, ...extra },
});
const dense = (name: string, units: number, extra: Record<string, unknown> = {}): LayerConfig => ({
  class_name: 'Dense',
  config: { name, units, activation: 'linear', use_bias: true, ...extra },
});

/** max |a − b| ≤ tol · max |b| over each sample (all zero only where `zeroOk`). */
function close(a: Float32Array, b: ArrayLike<number>, n: number, tol: number, what: string, zeroOk = false): void {
  const size = a.length / n;
  assert.is(a.length, b.length, `${what}: length`);
  for (let s = 0; s < n; s++) {
    let err = 0;
    let scale = 0;
    for (let i = s * size; i < (s + 1) * size; i++) {
      err = Math.max(err, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    assert.ok(scale > 0 || zeroOk, `${what}: sample ${s} is all zero`);
    assert.ok(err <= tol * scale, `${what}: sample ${s}: ${err} > ${tol} · ${scale}`);
  }
}

const identical = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** TF's bilinear resize with half-pixel centres along one axis: (lower, upper, lerp) for each output position. */
function interpolation(inSize: number, outSize: number): [number, number, number][] {
  return Array.from({ length: outSize }, (_, o) => {
    const at = (o + 0.5) * (inSize / outSize) - 0.5;
    const floor = Math.floor(at);
    return [Math.max(floor, 0), Math.min(Math.ceil(at), inSize - 1), at - floor];
  });
}

// (6, 6, 2) → Conv2D(3, 3×3 valid) → GlobalAveragePooling2D → Dense(4): logit_t = Σₖ W[k,t]·mean(Aₖ) + b,
// so αₖ = W[k,t] / 16 and CAM = ReLU(Σₖ αₖAₖ) on the 4×4 conv output.
const CAM_NET = build(
  [6, 6, 2],
  [conv('c1', 3), { class_name: 'GlobalAveragePooling2D', config: { name: 'gap' } }, dense('d', 4)],
  { c1: [[3, 3, 2, 3], [3]], d: [[3, 4], [4]] },
  7,
);

function handCam(x: Float32Array, t: number): Float64Array {
  const [K, bias] = CAM_NET.w.c1;
  const W = CAM_NET.w.d[0];
  const A = (y: number, xx: number, k: number): number => {
    let acc = bias[k];
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++)
        for (let c = 0; c < 2; c++) acc += x[((y + dy) * 6 + xx + dx) * 2 + c] * K[((dy * 3 + dx) * 2 + c) * 3 + k];
    return acc;
  };
  const cam = new Float64Array(16);
  for (let p = 0; p < 16; p++) {
    let acc = 0;
    for (let k = 0; k < 3; k++) acc += (W[k * 4 + t] / 16) * A(Math.floor(p / 4), p % 4, k);
    cam[p] = Math.max(acc, 0);
  }
  const ys = interpolation(4, 6);
  const out = new Float64Array(36 * 2);
  for (let y = 0; y < 6; y++) {
    for (let xx = 0; xx < 6; xx++) {
      const [y0, y1, wy] = ys[y];
      const [x0, x1, wx] = ys[xx];
      const top = cam[y0 * 4 + x0] + (cam[y0 * 4 + x1] - cam[y0 * 4 + x0]) * wx;
      const bottom = cam[y1 * 4 + x0] + (cam[y1 * 4 + x1] - cam[y1 * 4 + x0]) * wx;
      out[(y * 6 + xx) * 2] = out[(y * 6 + xx) * 2 + 1] = (top + (bottom - top) * wy) / 2;
    }
  }
  return out;
}

test('grad-cam on the first conv with a linear head equals the CAM computed by hand (default and named layer, every class)', () => {
  const x = input([3, 6, 6, 2], 11);
  let nonZero = 0;
  for (let t = 0; t < 4; t++) {
    const expected = new Float64Array(x.data.length);
    for (let s = 0; s < 3; s++) expected.set(handCam(x.data.subarray(s * 72, (s + 1) * 72), t), s * 72);
    // ReLU(Σₖ αₖAₖ) may be 0 everywhere for a class; most are not.
    nonZero += expected.filter((v) => v > 0).length;
    close(analyze(CAM_NET.model, x, { method: 'grad-cam', target: t }).data, expected, 3, 1e-5, `class ${t}, default layer`, true);
    close(analyze(CAM_NET.model, x, { method: 'grad-cam', layer: 'c1', target: t }).data, expected, 3, 1e-5, `class ${t}, layer c1`, true);
  }
  assert.ok(nonZero > 200, `${nonZero} non-zero CAM values`);
  const raw = analyze(CAM_NET.model, x, { method: 'grad-cam', target: 0, returnLayers: true }).layers?.c1;
  assert.equal(raw?.shape, [3, 4, 4], 'the raw CAM at the layer resolution');
});

test('guided-grad-cam is guided backprop times the resized CAM, channel by channel', () => {
  const x = input([2, 6, 6, 2], 12);
  const cam = analyze(CAM_NET.model, x, { method: 'grad-cam', target: 1 }).data;
  const guided = analyze(CAM_NET.model, x, { method: 'guided-backprop', target: 1 }).data;
  const product = guided.map((g, i) => g * cam[i - (i % 2)] * 2);
  close(analyze(CAM_NET.model, x, { method: 'guided-grad-cam', target: 1 }).data, product, 2, 1e-6, 'guided-grad-cam');
});

// A bias-free linear model: the score is linear, so removing one position changes it by Σ_c x·∂score/∂x there.
const LINEAR = build(
  [5, 5, 2],
  [
    conv('c1', 3, { padding: 'same', use_bias: false }),
    { class_name: 'Flatten', config: { name: 'f' } },
    dense('d', 3, { use_bias: false }),
  ],
  { c1: [[3, 3, 2, 3]], d: [[75, 3]] },
  3,
);

test('occlusion with a 1×1 window and stride 1 on a bias-free linear model is gradient × input summed over channels', () => {
  const x = input([2, 5, 5, 2], 13);
  const gxi = analyze(LINEAR.model, x, { method: 'gradient-x-input', target: 2 }).data;
  const summed = gxi.map((_, i) => gxi[i - (i % 2)] + gxi[i - (i % 2) + 1]);
  close(analyze(LINEAR.model, x, { method: 'occlusion', window: 1, stride: 1, target: 2 }).data, summed, 2, 1e-5, 'occlusion 1×1');
  close(
    analyze(LINEAR.model, x, { method: 'occlusion', window: [1, 1], stride: [1, 1], baseline: 0, target: 2, batchSize: 7 }).data,
    summed,
    2,
    1e-5,
    'occlusion 1×1, batches of 7',
  );
});

test('occlusion: windows at 0, s, 2s, … ≤ size − window; uncovered elements get 0; the mean over covering windows', () => {
  const x = input([1, 5, 5, 2], 14);
  const R = analyze(LINEAR.model, x, { method: 'occlusion', window: 2, stride: 2, target: 0 }).data;
  // Windows start at 0 and 2 on each axis: row 4 and column 4 are never covered.
  for (let i = 0; i < 5; i++) {
    for (let c = 0; c < 2; c++) {
      assert.is(R[(4 * 5 + i) * 2 + c], 0);
      assert.is(R[(i * 5 + 4) * 2 + c], 0);
    }
  }
  // With stride 1, position (1, 1) is covered by the four windows at (0|1, 0|1); linear model: each drop is additive.
  const gxi = analyze(LINEAR.model, x, { method: 'gradient-x-input', target: 0 }).data;
  const at = (y: number, xx: number): number => gxi[(y * 5 + xx) * 2] + gxi[(y * 5 + xx) * 2 + 1];
  const box = (y: number, xx: number): number => at(y, xx) + at(y, xx + 1) + at(y + 1, xx) + at(y + 1, xx + 1);
  const expected = (box(0, 0) + box(0, 1) + box(1, 0) + box(1, 1)) / 4;
  const R1 = analyze(LINEAR.model, x, { method: 'occlusion', window: 2, stride: 1, target: 0 }).data;
  assert.ok(Math.abs(R1[(1 * 5 + 1) * 2] - expected) <= 1e-5 * Math.abs(expected), `${R1[(1 * 5 + 1) * 2]} vs ${expected}`);
  const fractions: number[] = [];
  analyze(LINEAR.model, x, { method: 'occlusion', window: 1, stride: 1, batchSize: 4, onProgress: (f) => fractions.push(f) });
  assert.ok(fractions.length > 1 && fractions.every((f, i) => i === 0 || f > fractions[i - 1]), 'progress rises');
  assert.is(fractions[fractions.length - 1], 1);
});

// (6, 6, 2) → Conv2D(4, relu) → Conv2D(3, relu) → Flatten → Dense(5, softmax): every path crosses c1.
const CNN = build(
  [6, 6, 2],
  [
    conv('c1', 4, { activation: 'relu' }),
    conv('c2', 3, { activation: 'relu', padding: 'same' }),
    { class_name: 'Flatten', config: { name: 'f' } },
    dense('out', 5, { activation: 'softmax' }),
  ],
  { c1: [[3, 3, 2, 4], [4]], c2: [[3, 3, 4, 3], [3]], out: [[48, 5], [5]] },
  5,
);

test('an inner target on the output layer (softmax removed) equals the class target, bit for bit, for every family', () => {
  const x = input([3, 6, 6, 2], 15);
  for (const method of ['gradient', 'integrated-gradients', 'epsilon-plus', 'alpha-beta', 'grad-cam', 'occlusion']) {
    for (let t = 0; t < 5; t += 2) {
      const plain = analyze(CNN.model, x, { method, target: t, window: 2 } as AnalyzeOptions).data;
      for (const target of [
        { layer: 'out', index: t },
        { layer: 'out', channel: t },
      ]) {
        assert.ok(
          identical(analyze(CNN.model, x, { method, target, window: 2 } as AnalyzeOptions).data, plain),
          `${method} ${JSON.stringify(target)}`,
        );
      }
    }
  }
});

test('an inner channel target: gradient seeds 1 at every position of the channel, LRP seeds its activations', () => {
  const x = input([2, 6, 6, 2], 16);
  // c2's output is (4, 4, 3): the channel total is the sum of its 16 units.
  const channel = analyze(CNN.model, x, { method: 'gradient', target: { layer: 'c2', channel: 1 } }).data;
  const sum = new Float32Array(channel.length);
  for (let p = 0; p < 16; p++) {
    const g = analyze(CNN.model, x, { method: 'gradient', target: { layer: 'c2', index: p * 3 + 1 } }).data;
    for (let i = 0; i < sum.length; i++) sum[i] += g[i];
  }
  close(channel, sum, 2, 1e-6, 'channel = Σ of its units (gradient)');
  // lrp-0 with no rule below but ε-free ReLU convs: the relevance of a unit sums to its activation minus what biases absorb.
  const R = analyze(CNN.model, x, { method: 'lrp-0', target: { layer: 'c1', index: 5 }, returnLayers: true });
  assert.ok(
    R.conservation?.some((row) => row.layer === 'c1'),
    'the report starts at the target layer',
  );
  assert.not.ok(
    R.conservation?.some((row) => row.layer === 'out' || row.layer === 'c2'),
    'no layer above the target',
  );
});

test('condition: heatmaps over all channels of a layer every path crosses add up to the unconditioned LRP', () => {
  const x = input([3, 6, 6, 2], 17);
  for (const method of ['epsilon-plus', 'epsilon', 'alpha-beta']) {
    for (const layer of ['c1', 'c2']) {
      const channels = layer === 'c1' ? 4 : 3;
      const sum = new Float32Array(x.data.length);
      for (let k = 0; k < channels; k++) {
        const R = analyze(CNN.model, x, { method, condition: { layer, channels: [k] } }).data;
        for (let i = 0; i < sum.length; i++) sum[i] += R[i];
      }
      close(sum, analyze(CNN.model, x, { method }).data, 3, 1e-5, `${method} over ${layer}`);
      const all = Array.from({ length: channels }, (_, k) => k);
      assert.ok(
        identical(analyze(CNN.model, x, { method, condition: { layer, channels: all } }).data, analyze(CNN.model, x, { method }).data),
        `${method}: all channels = no condition`,
      );
    }
  }
});

test("topConcepts: channels by relevance at the layer, most relevant first, adding up to the layer's relevance", () => {
  const x = input([2, 6, 6, 2], 18);
  const concepts = topConcepts(CNN.model, x, 'c2', { method: 'epsilon-plus', target: 3 });
  const report = analyze(CNN.model, x, { method: 'epsilon-plus', target: 3, returnLayers: true }).conservation!.find(
    (row) => row.layer === 'c2',
  )!;
  concepts.forEach((ranked, s) => {
    assert.equal(ranked.map((c) => c.channel).sort(), [0, 1, 2]);
    assert.ok(
      ranked.every((c, i) => i === 0 || c.relevance <= ranked[i - 1].relevance),
      'sorted',
    );
    const total = ranked.reduce((a, c) => a + c.relevance, 0);
    assert.ok(
      Math.abs(total - report.relevanceOut[s]) <= 1e-5 * Math.abs(report.relevanceOut[s]),
      `sample ${s}: ${total} vs ${report.relevanceOut[s]}`,
    );
  });
});

test('grad-cam on a Conv1D model maps along the time axis', async () => {
  const model = await loadModel(new Uint8Array(readFileSync(fixturePath('keras3/conv1d_net.h5'))));
  const [T, C] = model.inputShape as number[];
  const x = input([2, T, C], 19);
  const R = analyze(model, x, { method: 'grad-cam', returnLayers: true });
  assert.equal(R.shape, [2, T, C]);
  for (let i = 0; i < R.data.length; i++)
    assert.ok(R.data[i] >= 0 && R.data[i] === R.data[i - (i % C)], 'one non-negative value per time step');
  const [cam] = Object.values(R.layers ?? {});
  assert.is(cam.shape.length, 2, 'the raw CAM has one spatial axis');
});

test('occlusion and grad-cam: identical with 1 and 2 threads', async () => {
  const pool = createThreadPool(2);
  try {
    const model = await loadModel(new Uint8Array(readFileSync(fixturePath('models/cnn_small.h5'))));
    const x = input([6, ...(model.inputShape as number[])], 20);
    for (const options of [{ method: 'grad-cam' }, { method: 'guided-grad-cam' }, { method: 'occlusion', window: 4, stride: 2 }]) {
      const one = analyze(model, x, { ...options, threads: 1 }).data;
      const before = pool.jobs;
      assert.ok(identical(one, analyze(model, x, { ...options, threads: pool }).data), `${options.method}: pool`);
      assert.ok(options.method !== 'occlusion' || pool.jobs > before, 'the pool split some GEMMs');
      assert.ok(identical(one, analyze(model, x, { ...options, threads: 2 }).data), `${options.method}: threads 2`);
    }
  } finally {
    pool.close();
  }
});

test('occlusion over tokens: each window of token ids becomes the baseline id (default 0, the padding id)', async () => {
  const path = sharedPath('fixtures/zoo/text_lstm.h5');
  if (!path) return;
  const model = await loadModel(new Uint8Array(readFileSync(path)));
  const T = 12;
  const x = { shape: [2, T], data: Float32Array.from({ length: 2 * T }, (_, i) => 1 + ((i * 7) % 49)) };
  const logits = model.logits(x).data;
  const classes = logits.length / 2;
  for (const baseline of [undefined, 3]) {
    const R = analyze(model, x, { method: 'occlusion', window: 3, stride: 3, target: 1, baseline }).data;
    const expected = new Float32Array(R.length);
    for (let start = 0; start < T; start += 3) {
      const occluded = x.data.slice();
      for (let s = 0; s < 2; s++) occluded.fill(baseline ?? 0, s * T + start, s * T + start + 3);
      const out = model.logits({ shape: x.shape, data: occluded }).data;
      for (let s = 0; s < 2; s++) expected.fill(logits[s * classes + 1] - out[s * classes + 1], s * T + start, s * T + start + 3);
    }
    close(R, expected, 2, 1e-5, `tokens, baseline ${baseline ?? 'default'}`);
  }
});

function fails(f: () => unknown, parts: (string | RegExp)[], what: string): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, LrpKerasError, what);
    for (const p of parts)
      assert.ok(
        typeof p === 'string' ? (e as Error).message.includes(p) : p.test((e as Error).message),
        `${what}: '${(e as Error).message}' lacks ${p}`,
      );
    return;
  }
  assert.unreachable(`${what}: no error`);
}

test('bad targets, layers, windows and conditions are named', async () => {
  const x = input([1, 6, 6, 2], 21);
  fails(
    () => analyze(CNN.model, x, { method: 'gradient', target: { layer: 'c3', channel: 0 } }),
    ['target.layer', 'c3', 'c2'],
    'unknown layer',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'gradient', target: { layer: 'c2', channel: 3 } }),
    ['target.channel', '3 channels'],
    'channel out of range',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'gradient', target: { layer: 'c2', index: 48 } }),
    ['target.index', '0 to 47'],
    'index out of range',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'gradient', target: { layer: 'c2', index: 1, channel: 1 } as never }),
    ['either channel or index'],
    'both',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'grad-cam', layer: 'out' }),
    ['option layer', 'out', 'spatial'],
    'a layer without spatial axes',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'grad-cam', layer: 'c2', target: { layer: 'c1', channel: 0 } }),
    ['option layer', 'after the target'],
    'layer above the target',
  );
  fails(() => analyze(CNN.model, x, { method: 'occlusion', window: 7 }), ['option window', '7'], 'window too large');
  fails(
    () => analyze(CNN.model, x, { method: 'occlusion', window: [2, 2, 2] }),
    ['option window', 'per spatial axis (2)'],
    'window per axis',
  );
  fails(() => analyze(CNN.model, x, { method: 'occlusion', stride: 0 }), ['option stride'], 'stride 0');
  fails(
    () => analyze(CNN.model, x, { method: 'gradient', condition: { layer: 'c1', channels: [0] } }),
    ['option condition', 'LRP method', 'gradient'],
    'condition on a gradient method',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'epsilon', condition: { layer: 'c1', channels: [4] } }),
    ['condition.channels', '0 to 3'],
    'condition channel',
  );
  fails(
    () => analyze(CNN.model, x, { method: 'epsilon', condition: { layer: 'c1', channels: [] } }),
    ['option condition', 'non-empty'],
    'no channels',
  );
  fails(() => topConcepts(CNN.model, x, 'c1', { method: 'gradient' }), ['topConcepts', 'LRP'], 'topConcepts with a gradient method');
  const mlp = build([4], [dense('h', 3, { activation: 'relu' }), dense('o', 2)], { h: [[4, 3], [3]], o: [[3, 2], [2]] }, 9).model;
  fails(() => analyze(mlp, input([1, 4], 1), { method: 'grad-cam' }), ['grad-cam', 'spatial'], 'grad-cam on an MLP');
  // LRP folds BatchNormalization into the conv before it: that conv has no output of its own there.
  const folded = await loadModel(new Uint8Array(readFileSync(fixturePath('keras3/residual_cnn.h5'))));
  const xr = input([1, ...(folded.inputShape as number[])], 2);
  fails(
    () => analyze(folded, xr, { method: 'epsilon', target: { layer: 'conv2d', channel: 0 } }),
    ["'conv2d'", "use layer 'batch_normalization'"],
    'folded target',
  );
  fails(
    () => analyze(folded, xr, { method: 'epsilon', condition: { layer: 'conv2d_1', channels: [0] } }),
    ["use layer 'batch_normalization_1'"],
    'folded condition',
  );
  assert.is(
    analyze(folded, xr, { method: 'gradient', target: { layer: 'conv2d', channel: 0 } }).shape.length,
    4,
    'gradients keep the unfolded conv',
  );
  // Grad-CAM and occlusion map over one input.
  const twoInputs = await loadModel(new Uint8Array(readFileSync(fixturePath('zoo/multi_io.h5'))));
  const xs = twoInputs.inputShapes.map((shape, k) => input([1, ...(shape as number[])], 30 + k));
  for (const method of ['grad-cam', 'guided-grad-cam', 'occlusion'])
    fails(() => analyze(twoInputs, xs, { method }), [method, '2 inputs', 'one input'], `${method} on two inputs`);
});

test.run();
