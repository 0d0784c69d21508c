// Bad options fail with an LrpKerasError naming the option; every accepted input form gives the same
// relevance as the packed tensor; z-box bounds given per channel or as a tensor equal scalar bounds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, lrp, type AnalyzeOptions } from '../src/analyze/index.js';
import { METHODS } from '../src/analyze/methods.js';
import { LrpKerasError } from '../src/errors.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import type { Tensor, TensorLike } from '../src/tensor.js';
import { uniformGenerator as prng } from '../src/attribution/random.js';

// ---------------------------------------------------------------------------------------------
// Two small models from seeded random weights

const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** `weights`: layer name → shapes of its kernel and bias, filled with U(−0.5, 0.5). */
function model(
  inputShape: number[],
  layers: { class_name: string; config: Record<string, unknown> }[],
  weights: Record<string, number[][]>,
  seed: number,
): Model {
  const rand = prng(seed);
  const groups = new Map<string, WeightTensor[]>();
  for (const [layer, shapes] of Object.entries(weights)) {
    groups.set(
      layer,
      shapes.map((shape, k) => ({
        name: `${layer}/${k === 0 ? 'kernel' : 'bias'}:0`,
        shape,
        data: Float32Array.from({ length: prod(shape) }, () => rand() - 0.5),
      })),
    );
  }
  const input = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape] } };
  return modelFromArchive(
    {
      fileName: 'options.h5',
      config: { class_name: 'Sequential', config: { name: 'net', layers: [input, ...layers] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups,
    },
    {},
  );
}

/** (6, 6, 2) → Conv2D(3, relu) → MaxPooling2D → Flatten → Dense(4): 4 classes. */
const CNN = model(
  [6, 6, 2],
  [
    {
      class_name: 'Conv2D',
      config: { name: 'c1', filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true },
    },
    { class_name: 'MaxPooling2D', config: { name: 'p1', pool_size: [2, 2], strides: [2, 2], padding: 'valid' } },
    { class_name: 'Flatten', config: { name: 'f' } },
    { class_name: 'Dense', config: { name: 'd1', units: 4, activation: 'linear', use_bias: true } },
  ],
  { c1: [[3, 3, 2, 3], [3]], d1: [[27, 4], [4]] },
  1,
);

/** (5,) → Dense(6, relu) → Dense(3). */
const MLP = model(
  [5],
  [
    { class_name: 'Dense', config: { name: 'h', units: 6, activation: 'relu', use_bias: true } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'linear', use_bias: true } },
  ],
  { h: [[5, 6], [6]], out: [[6, 3], [3]] },
  2,
);

function randomInput(shape: number[], seed: number): Tensor {
  const rand = prng(seed);
  return { shape, data: Float32Array.from({ length: prod(shape) }, () => rand()) };
}

const X = randomInput([3, 6, 6, 2], 10);
const XM = randomInput([3, 5], 11);

/** `fn` throws an LrpKerasError whose message contains every one of `parts`. */
function fails(fn: () => unknown, parts: string[], what: string): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined) assert.unreachable(`${what}: did not throw`);
  assert.instance(error, LrpKerasError, `${what}: ${String(error)}`);
  const message = (error as Error).message;
  for (const part of parts) assert.ok(message.includes(part), `${what}: message ${JSON.stringify(message)} names ${JSON.stringify(part)}`);
}

/** Bit for bit, and not all zero. */
function assertSame(actual: Tensor, expected: Tensor, what: string): void {
  assert.equal(actual.shape, expected.shape, `${what}: shape`);
  assert.ok(
    expected.data.some((v) => v !== 0),
    `${what}: the expected value is all zero`,
  );
  for (let i = 0; i < expected.data.length; i++) {
    if (!Object.is(actual.data[i], expected.data[i]))
      assert.unreachable(`${what}: differs at flat index ${i}: ${actual.data[i]} vs ${expected.data[i]}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Bad options

test('an unknown method is an LrpKerasError naming the option, the id and every valid id', () => {
  fails(() => analyze(CNN, X, { method: 'lrp-magic' }), ['method', 'lrp-magic', ...Object.keys(METHODS)], 'unknown method');
  fails(() => lrp(CNN, X, { method: 'Epsilon' }), ['method', 'Epsilon', 'epsilon-plus'], 'wrong case');
  fails(() => analyze(CNN, X, {} as AnalyzeOptions), ['method'], 'no method');
});

test('alpha − beta ≠ 1 and out-of-range rule parameters name the option', () => {
  fails(() => analyze(CNN, X, { method: 'alpha-beta', alpha: 2, beta: 0.5 }), ['alpha', 'beta', '2', '0.5'], 'alpha − beta = 1.5');
  fails(() => analyze(CNN, X, { method: 'alpha-beta', alpha: 1, beta: 1 }), ['alpha', 'beta'], 'alpha − beta = 0');
  fails(
    () => analyze(CNN, X, { method: 'epsilon-plus', layerRules: { Conv2D: { rule: 'alpha-beta', alpha: 3, beta: 1 } } }),
    ['alpha', 'beta'],
    'in layerRules',
  );
  fails(() => analyze(CNN, X, { method: 'epsilon', epsilon: -0.1 }), ['epsilon', '-0.1'], 'negative epsilon');
  fails(() => analyze(CNN, X, { method: 'gamma', gamma: Number.NaN }), ['gamma'], 'NaN gamma');
});

test('a target index out of range names the option, the value and the valid range', () => {
  fails(() => analyze(CNN, X, { method: 'epsilon', target: 4 }), ['target', '4', '[0, 3]'], 'target 4 of 4 classes');
  fails(() => analyze(CNN, X, { method: 'gradient', target: -1 }), ['target', '-1'], 'target −1');
  fails(() => analyze(CNN, X, { method: 'gradient', target: 1.5 }), ['target', '1.5'], 'target 1.5');
  fails(() => analyze(CNN, X, { method: 'epsilon', target: [0, 9, 1] }), ['target', '9', 'sample 1'], 'one bad index in an array');
  fails(() => analyze(CNN, X, { method: 'epsilon', target: 'min' as 'max' }), ['target', 'min'], "target 'min'");
});

test('a target array of the wrong length names the option, its length and the batch size', () => {
  fails(() => analyze(CNN, X, { method: 'epsilon', target: [0, 1] }), ['target', '2', 'batch of 3'], 'two targets for three samples');
  fails(
    () => analyze(CNN, X, { method: 'integrated-gradients', target: [0, 1, 2, 3] }),
    ['target', '4', 'batch of 3'],
    'four targets for three samples',
  );
});

test('z-box low > high names both options; bounds of the wrong size name the option', () => {
  fails(() => analyze(CNN, X, { method: 'z-box', low: 1, high: 0 }), ['low', 'high'], 'scalar low > high');
  fails(() => analyze(CNN, X, { method: 'epsilon-gamma-box', low: 2 }), ['low', 'high'], 'low 2 > default high 1');
  fails(() => analyze(CNN, X, { method: 'epsilon-gamma-box', low: [0, 2], high: [1, 1] }), ['low', 'high'], 'per-channel low > high');
  fails(
    () => analyze(CNN, X, { method: 'epsilon-gamma-box', low: [0, 0, 0] }),
    ['low', '3', '2 channels'],
    'three values for two channels',
  );
  fails(
    () => analyze(CNN, X, { method: 'epsilon-gamma-box', high: { shape: [5, 6, 2], data: new Float32Array(60).fill(1) } }),
    ['high', '(5, 6, 2)', '(6, 6, 2)'],
    'a tensor of the wrong shape',
  );
  // Method z-box puts the rule on every layer: per-channel bounds cannot apply to the Dense reading 27 features.
  fails(() => analyze(CNN, X, { method: 'z-box', low: [0, 0], high: 1 }), ['low', 'd1', '27'], 'per-channel bounds on a hidden layer');
  fails(
    () => analyze(CNN, X, { method: 'z-box', low: { shape: [6, 6, 2], data: new Float32Array(72) } }),
    ['low', 'd1'],
    'tensor bounds on a hidden layer',
  );
});

test('a layerRules key that is not a layer, or an unknown rule, names layerRules and the culprit', () => {
  fails(() => analyze(CNN, X, { method: 'epsilon', layerRules: { conv9: 'flat' } }), ['layerRules', 'conv9'], 'unknown layer');
  fails(() => analyze(CNN, X, { method: 'epsilon', layerRules: { Conv3D: 'flat' } }), ['layerRules', 'Conv3D'], 'class not in the model');
  fails(() => analyze(CNN, X, { method: 'epsilon', layerRules: { d1: 'magic' } }), ['layerRules', 'd1', 'magic', 'z-plus'], 'unknown rule');
  fails(
    () => analyze(CNN, X, { method: 'epsilon', layerRules: { Dense: { rule: 'epsilon-plus' } } }),
    ['layerRules', 'Dense', 'epsilon-plus'],
    'a composite is not a rule',
  );
});

test('integrated-gradients steps and smoothgrad samples / noise out of range name the option', () => {
  for (const steps of [0, -3, 2.5])
    fails(() => analyze(CNN, X, { method: 'integrated-gradients', steps }), ['steps', String(steps)], `steps ${steps}`);
  fails(() => analyze(CNN, X, { method: 'smoothgrad', noise: -0.1 }), ['noise', '-0.1'], 'negative noise');
  fails(() => analyze(CNN, X, { method: 'smoothgrad', noise: Number.POSITIVE_INFINITY }), ['noise'], 'infinite noise');
  fails(() => analyze(CNN, X, { method: 'smoothgrad', samples: 0 }), ['samples', '0'], 'samples 0');
  fails(
    () => analyze(CNN, X, { method: 'integrated-gradients', baseline: { shape: [5], data: new Float32Array(5) } }),
    ['baseline', '(5,)'],
    'baseline of a wrong shape',
  );
});

test("a baseline whose shape is neither the batch's nor one sample's is an error naming the option", () => {
  // Accepted forms: a number, one sample (broadcast over the batch), the whole batch.
  const x0 = analyze(CNN, X, { method: 'integrated-gradients', steps: 3 });
  assertSame(analyze(CNN, X, { method: 'integrated-gradients', steps: 3, baseline: 0 }), x0, 'baseline 0');
  assertSame(
    analyze(CNN, X, { method: 'integrated-gradients', steps: 3, baseline: { shape: [6, 6, 2], data: new Float32Array(72) } }),
    x0,
    'one sample',
  );
  assertSame(
    analyze(CNN, X, { method: 'integrated-gradients', steps: 3, baseline: { shape: [3, 6, 6, 2], data: new Float32Array(216) } }),
    x0,
    'whole batch',
  );
  // (8,) and (3,) divide the input size, so a modulo broadcast would silently accept them.
  fails(
    () => analyze(CNN, X, { method: 'integrated-gradients', baseline: { shape: [8], data: new Float32Array(8) } }),
    ['baseline', '(8,)'],
    'baseline (8,) for (3, 6, 6, 2)',
  );
  fails(
    () => analyze(MLP, XM, { method: 'integrated-gradients', baseline: { shape: [3], data: new Float32Array(3) } }),
    ['baseline', '(3,)'],
    'baseline (3,) for (3, 5)',
  );
});

test('an input of the wrong shape names both shapes; also for predict and logits', () => {
  const wrong = randomInput([2, 5, 6, 2], 12);
  fails(() => analyze(CNN, wrong, { method: 'epsilon' }), ['(2, 5, 6, 2)', '(None, 6, 6, 2)'], 'analyze');
  fails(() => lrp(CNN, wrong), ['(2, 5, 6, 2)', '(None, 6, 6, 2)'], 'lrp');
  fails(() => CNN.predict(wrong), ['(2, 5, 6, 2)', '(None, 6, 6, 2)'], 'predict');
  fails(() => CNN.logits(wrong), ['(2, 5, 6, 2)', '(None, 6, 6, 2)'], 'logits');
  fails(
    () => analyze(CNN, randomInput([6, 6, 2], 13), { method: 'gradient' }),
    ['(6, 6, 2)', '(None, 6, 6, 2)', 'batch'],
    'missing batch axis',
  );
  fails(() => analyze(MLP, randomInput([3, 6], 14), { method: 'gradient' }), ['(3, 6)', '(None, 5)'], 'MLP');
  fails(
    () => analyze(CNN, { shape: [3, 6, 6, 2], data: new Float32Array(10) }, { method: 'epsilon' }),
    ['216', '10'],
    'data shorter than the shape',
  );
});

test('a non-finite input value names the sample and the flat index', () => {
  const x = { shape: X.shape, data: X.data.slice() };
  x.data[72 + 7] = Number.NaN;
  fails(() => analyze(CNN, x, { method: 'epsilon' }), ['NaN', 'sample 1', 'flat index 7'], 'NaN');
  x.data[72 + 7] = 0;
  x.data[2 * 72 + 71] = Number.NEGATIVE_INFINITY;
  fails(() => analyze(CNN, x, { method: 'gradient' }), ['Infinity', 'sample 2', 'flat index 71'], '−∞');
});

test('an empty batch is an error', () => {
  fails(
    () => analyze(CNN, { shape: [0, 6, 6, 2], data: new Float32Array(0) }, { method: 'epsilon' }),
    ['empty batch', '(0, 6, 6, 2)'],
    'empty batch',
  );
  fails(() => analyze(MLP, [], { method: 'epsilon' }), ['input'], 'empty nested array');
});

// ---------------------------------------------------------------------------------------------
// Input forms

function nested(t: Tensor): unknown[] {
  const build = (depth: number, at: number): unknown[] => {
    const stride = prod(t.shape.slice(depth + 1));
    return Array.from({ length: t.shape[depth] }, (_, i) =>
      depth === t.shape.length - 1 ? t.data[at + i] : build(depth + 1, at + i * stride),
    );
  };
  return build(0, 0);
}

const METHODS_TO_CHECK: AnalyzeOptions[] = [
  { method: 'epsilon-plus' },
  { method: 'z-box' },
  { method: 'gradient' },
  { method: 'integrated-gradients', steps: 4 },
];

test('nested number arrays give the same relevance as the packed tensor (exactly)', () => {
  for (const [m, x] of [
    [CNN, X],
    [MLP, XM],
  ] as const) {
    const asArrays = nested(x) as TensorLike;
    for (const options of METHODS_TO_CHECK)
      assertSame(analyze(m, asArrays, options), analyze(m, x, options), `nested ${JSON.stringify(options)}`);
    assertSame(m.predict(asArrays), m.predict(x), 'predict');
  }
  fails(
    () =>
      analyze(
        MLP,
        [
          [1, 2, 3, 4, 5],
          [1, 2, 3, 4],
        ],
        { method: 'gradient' },
      ),
    ['ragged'],
    'ragged arrays',
  );
});

test('an ndarray-like {shape, data, stride, offset} with non-packed strides gives the same relevance as the packed tensor (exactly)', () => {
  const [n, H, W, C] = X.shape;
  const at = (s: number, h: number, w: number, c: number): number => X.data[((s * H + h) * W + w) * C + c];
  // Channel-major storage behind 5 unused values, plain numbers: stride (H·W, W, 1, n·H·W).
  const offset = 5;
  const channelMajor = new Array<number>(offset + X.data.length).fill(-99);
  for (let s = 0; s < n; s++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++) {
          channelMajor[offset + c * n * H * W + s * H * W + h * W + w] = at(s, h, w, c);
        }
  const views: [string, TensorLike][] = [
    ['channel-major with offset', { shape: [n, H, W, C], data: channelMajor, stride: [H * W, W, 1, n * H * W], offset }],
    // The batch stored in reverse order, read with a negative batch stride from the last sample.
    [
      'reversed batch (negative stride)',
      {
        shape: [n, H, W, C],
        data: Float32Array.from(
          { length: X.data.length },
          (_, i) => X.data[(n - 1 - Math.floor(i / (H * W * C))) * H * W * C + (i % (H * W * C))],
        ),
        stride: [-H * W * C, W * C, C, 1],
        offset: (n - 1) * H * W * C,
      },
    ],
    // Every other element of a buffer twice as long: stride doubled on every axis.
    [
      'every other element',
      {
        shape: [n, H, W, C],
        data: Float64Array.from({ length: 2 * X.data.length }, (_, i) => (i % 2 === 0 ? X.data[i / 2] : Number.NaN)),
        stride: [2 * H * W * C, 2 * W * C, 2 * C, 2],
        offset: 0,
      },
    ],
    ['packed strides', { shape: [n, H, W, C], data: X.data, stride: [H * W * C, W * C, C, 1], offset: 0 }],
  ];
  for (const [name, view] of views) {
    for (const options of METHODS_TO_CHECK)
      assertSame(analyze(CNN, view, options), analyze(CNN, X, options), `${name}: ${JSON.stringify(options)}`);
  }
  // An MLP input given transposed in memory (features × batch).
  const transposed = {
    shape: [3, 5],
    data: Float32Array.from({ length: 15 }, (_, i) => XM.data[(i % 3) * 5 + Math.floor(i / 3)]),
    stride: [1, 3],
    offset: 0,
  };
  assertSame(analyze(MLP, transposed, { method: 'epsilon' }), analyze(MLP, XM, { method: 'epsilon' }), 'MLP transposed');
});

// ---------------------------------------------------------------------------------------------
// z-box bounds in every form

test('low/high per channel and as an input-shaped tensor equal the scalar bounds when all values are equal (exactly)', () => {
  const full = (shape: number[], v: number): Tensor => ({ shape, data: new Float32Array(prod(shape)).fill(v) });
  // z-box on the first conv only: as a composite, and by layerRules under another method.
  const setups: [string, AnalyzeOptions][] = [
    ['epsilon-gamma-box', { method: 'epsilon-gamma-box' }],
    ['epsilon + {c1: z-box}', { method: 'epsilon', layerRules: { c1: 'z-box' } }],
  ];
  for (const [label, setup] of setups) {
    for (const [lo, hi] of [
      [0, 1],
      [-1, 2],
    ]) {
      const scalar = analyze(CNN, X, { ...setup, low: lo, high: hi });
      const forms: [string, Partial<AnalyzeOptions>][] = [
        ['per channel', { low: [lo, lo], high: [hi, hi] }],
        ['input-shaped tensor', { low: full([6, 6, 2], lo), high: full([6, 6, 2], hi) }],
        ['batch-shaped tensor', { low: full([3, 6, 6, 2], lo), high: full([3, 6, 6, 2], hi) }],
        ['nested arrays', { low: nested(full([6, 6, 2], lo)) as TensorLike, high: hi }],
        ['mixed', { low: [lo, lo], high: full([6, 6, 2], hi) }],
      ];
      for (const [name, bounds] of forms) assertSame(analyze(CNN, X, { ...setup, ...bounds }), scalar, `${label} [${lo}, ${hi}] ${name}`);
    }
    // The bounds are used: another low on one channel changes the result.
    const base = analyze(CNN, X, { ...setup, low: -1, high: 2 });
    const perChannel = analyze(CNN, X, { ...setup, low: [-1, 0], high: [2, 2] });
    assert.ok(
      perChannel.data.some((v, i) => v !== base.data[i]),
      `${label}: a different low on one channel changes the result`,
    );
  }
  // Defaults are 0 and 1; on an MLP "per channel" means per feature.
  assertSame(analyze(CNN, X, { method: 'z-box' }), analyze(CNN, X, { method: 'z-box', low: 0, high: 1 }), 'defaults');
  assertSame(
    analyze(CNN, X, { method: 'epsilon-gamma-box' }),
    analyze(CNN, X, { method: 'epsilon-gamma-box', low: 0, high: 1 }),
    'composite defaults',
  );
  assertSame(
    analyze(MLP, XM, {
      method: 'epsilon',
      layerRules: { h: 'z-box' },
      low: [-0.5, -0.5, -0.5, -0.5, -0.5],
      high: { shape: [5], data: new Float32Array(5).fill(1.5) },
    }),
    analyze(MLP, XM, { method: 'epsilon', layerRules: { h: 'z-box' }, low: -0.5, high: 1.5 }),
    'MLP per feature',
  );
});

test('numeric options are range-checked in one place, naming the option, its range and the value', () => {
  const cases: [AnalyzeOptions, string[]][] = [
    [{ method: 'smoothgrad', seed: -1 }, ['seed', 'integer', '-1']],
    [{ method: 'smoothgrad', seed: 1.5 }, ['seed', 'integer', '1.5']],
    [{ method: 'smoothgrad', noise: -0.1 }, ['noise', '≥ 0']],
    [{ method: 'smoothgrad', samples: 0 }, ['samples', 'from 1 to 10000']],
    [{ method: 'integrated-gradients', steps: 2.5 }, ['steps', 'integer']],
    [{ method: 'epsilon', batchSize: Number.NaN }, ['batchSize', 'null']],
  ];
  for (const [options, parts] of cases) fails(() => analyze(CNN, X, options), parts, JSON.stringify(options));
});

test.run();
