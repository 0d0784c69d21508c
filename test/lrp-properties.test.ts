// Properties every implementation must show (CONVENTIONS.md), checked on small models built in
// memory from a Keras config and seeded random weights. Every check states its tolerance; "exactly"
// means bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, lrp, type AnalyzeOptions } from '../src/analyze/index.js';
import { ALIASES } from '../src/analyze/methods.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import type { Tensor } from '../src/tensor.js';
import { uniformGenerator as prng } from '../src/attribution/random.js';

// ---------------------------------------------------------------------------------------------
// Models from a config and seeded random weights

interface Layer {
  class_name: string;
  config: Record<string, unknown>;
}
type Groups = Map<string, WeightTensor[]>;
type Padding = 'same' | 'valid';

const conv = (
  name: string,
  filters: number,
  o: { k?: number; s?: number; padding?: Padding; activation?: string; bias?: boolean } = {},
): Layer => ({
  class_name: 'Conv2D',
  config: {
    name,
    filters,
    kernel_size: [o.k ?? 3, o.k ?? 3],
    strides: [o.s ?? 1, o.s ?? 1],
    padding: o.padding ?? 'same',
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: o.activation ?? 'linear',
    use_bias: o.bias ?? true,
  },
});
const dense = (name: string, units: number, activation = 'linear', bias = true): Layer => ({
  class_name: 'Dense',
  config: { name, units, activation, use_bias: bias },
});
const maxPool = (name: string, pool = 2, stride = pool, padding: Padding = 'valid'): Layer => ({
  class_name: 'MaxPooling2D',
  config: { name, pool_size: [pool, pool], strides: [stride, stride], padding, data_format: 'channels_last' },
});
const avgPool = (name: string, pool = 2, stride = pool, padding: Padding = 'valid'): Layer => ({
  class_name: 'AveragePooling2D',
  config: { name, pool_size: [pool, pool], strides: [stride, stride], padding, data_format: 'channels_last' },
});
const flatten = (name: string): Layer => ({ class_name: 'Flatten', config: { name, data_format: 'channels_last' } });
const activation = (name: string, act: string): Layer => ({ class_name: 'Activation', config: { name, activation: act } });
const leakyRelu = (name: string, alpha: number): Layer => ({ class_name: 'LeakyReLU', config: { name, alpha } });
const batchNorm = (name: string): Layer => ({
  class_name: 'BatchNormalization',
  config: { name, axis: -1, momentum: 0.99, epsilon: 1e-3, center: true, scale: true },
});

const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const windowOut = (n: number, k: number, s: number, padding: unknown): number =>
  padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;

/** The weights each layer stores (Keras' order and shapes), following the shape through the layers. */
function weightShapes(inputShape: number[], layers: Layer[]): Map<string, { name: string; shape: number[] }[]> {
  let shape = inputShape.slice();
  const out = new Map<string, { name: string; shape: number[] }[]>();
  for (const { class_name: cls, config } of layers) {
    const name = config.name as string;
    const w = (...list: [string, number[]][]) =>
      out.set(
        name,
        list.map(([n, s]) => ({ name: `${name}/${n}:0`, shape: s })),
      );
    if (cls === 'Conv2D') {
      const [kh, kw] = config.kernel_size as number[];
      const [sh, sw] = config.strides as number[];
      const f = config.filters as number;
      w(['kernel', [kh, kw, shape[2], f]], ...(config.use_bias === false ? [] : [['bias', [f]] as [string, number[]]]));
      shape = [windowOut(shape[0], kh, sh, config.padding), windowOut(shape[1], kw, sw, config.padding), f];
    } else if (cls === 'Dense') {
      const units = config.units as number;
      w(['kernel', [shape[shape.length - 1], units]], ...(config.use_bias === false ? [] : [['bias', [units]] as [string, number[]]]));
      shape = [...shape.slice(0, -1), units];
    } else if (cls === 'MaxPooling2D' || cls === 'AveragePooling2D') {
      const [ph, pw] = config.pool_size as number[];
      const [sh, sw] = config.strides as number[];
      shape = [windowOut(shape[0], ph, sh, config.padding), windowOut(shape[1], pw, sw, config.padding), shape[2]];
    } else if (cls === 'Flatten') {
      shape = [prod(shape)];
    } else if (cls === 'BatchNormalization') {
      const c = shape[shape.length - 1];
      w(['gamma', [c]], ['beta', [c]], ['moving_mean', [c]], ['moving_variance', [c]]);
    }
  }
  return out;
}

/** He-uniform kernels, biases U(−biasScale, biasScale), BatchNorm statistics away from degenerate values. */
function randomWeights(inputShape: number[], layers: Layer[], seed: number, biasScale = 0.5): Groups {
  const rand = prng(seed);
  const u = (a: number, b: number): number => a + (b - a) * rand();
  const groups: Groups = new Map();
  for (const [layer, list] of weightShapes(inputShape, layers)) {
    groups.set(
      layer,
      list.map(({ name, shape }) => {
        const data = new Float32Array(prod(shape));
        const kind = name.slice(name.lastIndexOf('/') + 1, name.lastIndexOf(':'));
        const a = Math.sqrt(6 / prod(shape.slice(0, -1)));
        for (let i = 0; i < data.length; i++) {
          data[i] =
            kind === 'kernel'
              ? u(-a, a)
              : kind === 'bias'
                ? u(-biasScale, biasScale)
                : kind === 'gamma' || kind === 'moving_variance'
                  ? u(0.5, 1.5)
                  : u(-0.5, 0.5);
        }
        return { name, shape, data };
      }),
    );
  }
  return groups;
}

function buildModel(inputShape: number[], layers: Layer[], groups: Groups): Model {
  const input: Layer = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape], dtype: 'float32' } };
  return modelFromArchive(
    {
      fileName: 'in-memory.h5',
      config: { class_name: 'Sequential', config: { name: 'net', layers: [input, ...layers] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups,
    },
    {},
  );
}

const randomModel = (inputShape: number[], layers: Layer[], seed: number, biasScale?: number): Model =>
  buildModel(inputShape, layers, randomWeights(inputShape, layers, seed, biasScale));

function randomInput(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const rand = prng(seed);
  return { shape, data: Float32Array.from({ length: prod(shape) }, () => lo + (hi - lo) * rand()) };
}

/** Sample `s` of a batch, as a batch of one. */
const sampleOf = (x: Tensor, s: number): Tensor => {
  const size = prod(x.shape.slice(1));
  return { shape: [1, ...x.shape.slice(1)], data: x.data.slice(s * size, (s + 1) * size) };
};

// ---------------------------------------------------------------------------------------------
// Comparisons

const batchOf = (t: Tensor): number => t.shape[0];

function sums(t: Tensor): number[] {
  const n = batchOf(t);
  const size = t.data.length / n;
  return Array.from({ length: n }, (_, s) => {
    let acc = 0;
    for (let i = s * size; i < (s + 1) * size; i++) acc += t.data[i];
    return acc;
  });
}

function maxAbs(a: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Per sample: max|a − b| ≤ rtol · max|b|, with b finite and not all zero. */
function assertClose(actual: Tensor, expected: Tensor, rtol: number, what: string): void {
  assert.equal(actual.shape, expected.shape, `${what}: shape`);
  const n = batchOf(expected);
  const size = expected.data.length / n;
  for (let s = 0; s < n; s++) {
    const scale = maxAbs(expected.data, s * size, (s + 1) * size);
    if (!(scale > 0 && Number.isFinite(scale)))
      assert.unreachable(`${what}: sample ${s} of the expected value is all zero or not finite (max|·| = ${scale})`);
    let diff = 0;
    let at = 0;
    for (let i = s * size; i < (s + 1) * size; i++) {
      const d = Math.abs(actual.data[i] - expected.data[i]);
      if (!(d <= diff)) [diff, at] = [Number.isNaN(d) ? Infinity : d, i - s * size];
    }
    if (!(diff <= rtol * scale)) {
      assert.unreachable(
        `${what}: sample ${s}: max|Δ| = ${diff.toExponential(3)} at ${at} > ${rtol} · max|expected| = ${(rtol * scale).toExponential(3)}`,
      );
    }
  }
}

/** Bit for bit. */
function assertSame(actual: Tensor, expected: Tensor, what: string): void {
  assert.equal(actual.shape, expected.shape, `${what}: shape`);
  assert.ok(maxAbs(expected.data) > 0, `${what}: the expected value is all zero`);
  for (let i = 0; i < expected.data.length; i++) {
    if (!Object.is(actual.data[i], expected.data[i]))
      assert.unreachable(`${what}: differs at flat index ${i}: ${actual.data[i]} vs ${expected.data[i]}`);
  }
}

/** max|a − b| > minRel · max|b|: the two really differ. */
function assertDiffer(a: Tensor, b: Tensor, minRel: number, what: string): void {
  let diff = 0;
  for (let i = 0; i < b.data.length; i++) diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
  const scale = maxAbs(b.data);
  assert.ok(diff > minRel * scale, `${what}: expected to differ by more than ${minRel} · ${scale}, max|Δ| = ${diff}`);
}

function argmaxPerSample(logits: Tensor): number[] {
  const n = batchOf(logits);
  const c = logits.data.length / n;
  return Array.from({ length: n }, (_, s) => {
    let best = 0;
    for (let k = 1; k < c; k++) if (logits.data[s * c + k] > logits.data[s * c + best]) best = k;
    return best;
  });
}

const targetLogits = (model: Model, x: Tensor, t: number[]): number[] => {
  const logits = model.logits(x);
  const c = logits.data.length / batchOf(logits);
  return t.map((k, s) => logits.data[s * c + k]);
};

const scaleTensor = (t: Tensor, f: (v: number, i: number) => number): Tensor => ({ shape: t.shape.slice(), data: t.data.map(f) });

// ---------------------------------------------------------------------------------------------
// The nets

/** Bias-free conv net: ReLU (fused and as a layer), overlapping max pools, a LeakyReLU. */
const RELU_CONV = {
  shape: [8, 8, 2],
  layers: [
    conv('c1', 4, { activation: 'relu', bias: false }),
    maxPool('p1', 3, 2, 'same'),
    conv('c2', 5, { bias: false }),
    activation('a2', 'relu'),
    maxPool('p2', 2),
    flatten('f'),
    dense('d1', 8, 'linear', false),
    leakyRelu('lr', 0.1),
    dense('out', 4, 'linear', false),
  ],
};
/** Bias-free MLP with ReLU. */
const RELU_MLP = {
  shape: [10],
  layers: [dense('d1', 12, 'relu', false), dense('d2', 9, 'relu', false), dense('out', 4, 'linear', false)],
};
/** Conv net with biases, average and max pooling. */
const BIASED_CONV = {
  shape: [8, 8, 2],
  layers: [
    conv('c1', 4, { activation: 'relu' }),
    avgPool('p1', 2),
    conv('c2', 5, { activation: 'relu' }),
    maxPool('p2', 2),
    flatten('f'),
    dense('d1', 8, 'relu'),
    dense('out', 4),
  ],
};
const BIASED_MLP = {
  shape: [10],
  layers: [dense('d1', 12, 'relu'), dense('d2', 9, 'relu'), dense('out', 4)],
};
/** Smooth net with biases: tanh, softplus, elu; no gating unit. */
const SMOOTH = {
  shape: [5, 5, 2],
  layers: [
    conv('c1', 3, { activation: 'tanh' }),
    conv('c2', 4, { padding: 'valid', activation: 'softplus' }),
    avgPool('p', 2, 1),
    flatten('f'),
    dense('d1', 6, 'elu'),
    dense('out', 3),
  ],
};

// ---------------------------------------------------------------------------------------------
// (a) lrp-0 = gradient × input

test('(a) lrp-0 equals gradient-x-input on bias-free ReLU/max-pool conv nets and MLPs (1e-5 of max|R|)', () => {
  for (const [name, net, seed] of [
    ['conv', RELU_CONV, 1],
    ['mlp', RELU_MLP, 2],
  ] as const) {
    const model = randomModel(net.shape, net.layers, seed);
    const x = randomInput([3, ...net.shape], seed + 100);
    const r0 = analyze(model, x, { method: 'lrp-0' });
    const gxi = analyze(model, x, { method: 'gradient-x-input' });
    assertClose(r0, gxi, 1e-5, `${name}: lrp-0 vs gradient-x-input`);
  }
});

// ---------------------------------------------------------------------------------------------
// (b) conservation

test('(b) without biases the input relevance of lrp-0 / epsilon(1e-9) sums to the target logit (1e-5 of |logit|); every layer conserves', () => {
  for (const [name, net, seed] of [
    ['conv', RELU_CONV, 3],
    ['mlp', RELU_MLP, 4],
  ] as const) {
    const model = randomModel(net.shape, net.layers, seed);
    const x = randomInput([3, ...net.shape], seed + 100);
    const t = argmaxPerSample(model.logits(x));
    const logit = targetLogits(model, x, t);
    for (const options of [{ method: 'lrp-0' }, { method: 'epsilon', epsilon: 1e-9 }]) {
      const what = `${name} ${options.method}`;
      const R = analyze(model, x, { ...options, returnLayers: true });
      sums(R).forEach((sum, s) => {
        assert.ok(Math.abs(sum - logit[s]) <= 1e-5 * Math.abs(logit[s]), `${what}: sample ${s}: ΣR = ${sum}, logit = ${logit[s]}`);
      });

      // A tensor per (non-input) layer, shaped like that layer's input; the first one is the result.
      const layerNames = model.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.name);
      assert.ok(R.layers && R.conservation, `${what}: returnLayers gives layers and conservation`);
      assert.equal(Object.keys(R.layers!).sort(), layerNames.slice().sort(), `${what}: one tensor per layer`);
      const outputShapeOf = new Map(model.layers.map((l) => [l.name, l.outputShape]));
      for (const layer of model.layers.filter((l) => l.className !== 'InputLayer')) {
        const tensor = R.layers![layer.name];
        assert.equal(tensor.shape, [3, ...outputShapeOf.get(layer.inbound[0])!], `${what}: shape of layers.${layer.name}`);
        assert.is(tensor.data.length, prod(tensor.shape));
      }
      assertSame(R.layers![layerNames[0]], R, `${what}: layers.${layerNames[0]} is the input relevance`);

      // Every conservation row: in ≈ out; its sums agree with the tensors; the last layer starts from the logit.
      assert.equal(R.conservation!.map((r) => r.layer).sort(), layerNames.slice().sort(), `${what}: one conservation row per layer`);
      for (const row of R.conservation!) {
        const inSums = sums(R.layers![row.layer]);
        for (let s = 0; s < 3; s++) {
          const tol = 1e-5 * Math.abs(logit[s]);
          assert.ok(
            Math.abs(row.relevanceIn[s] - row.relevanceOut[s]) <= tol,
            `${what}: layer ${row.layer} sample ${s}: in ${row.relevanceIn[s]} vs out ${row.relevanceOut[s]}`,
          );
          assert.ok(Math.abs(row.absorbed[s]) <= 1e-5, `${what}: layer ${row.layer} sample ${s}: absorbed ${row.absorbed[s]}`);
          assert.ok(
            Math.abs(inSums[s] - row.relevanceIn[s]) <= 1e-9 * Math.abs(logit[s]),
            `${what}: layer ${row.layer}: Σ layers tensor = relevanceIn`,
          );
        }
      }
      const last = R.conservation!.find((r) => r.layer === 'out')!;
      last.relevanceOut.forEach((v, s) =>
        assert.ok(Math.abs(v - logit[s]) <= 1e-6 * Math.abs(logit[s]), `${what}: the seed is the target logit`),
      );
    }
  }
});

test('(b) with biases the report shows what they absorbed: the output layer absorbs b_t / logit_t (1e-5)', () => {
  const net = BIASED_MLP;
  const groups = randomWeights(net.shape, net.layers, 5);
  const model = buildModel(net.shape, net.layers, groups);
  const x = randomInput([3, ...net.shape], 105);
  const t = argmaxPerSample(model.logits(x));
  const logit = targetLogits(model, x, t);
  const R = analyze(model, x, { method: 'epsilon', epsilon: 1e-9, returnLayers: true });
  const bias = groups.get('out')![1].data;
  const out = R.conservation!.find((r) => r.layer === 'out')!;
  t.forEach((c, s) => {
    const expected = bias[c] / logit[s];
    assert.ok(Math.abs(expected) > 1e-3, 'the test net has a bias that matters');
    assert.ok(
      Math.abs(out.absorbed[s] - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
      `sample ${s}: absorbed ${out.absorbed[s]} vs b_t/logit_t = ${expected}`,
    );
  });
  for (const layer of ['d1', 'd2']) {
    const row = R.conservation!.find((r) => r.layer === layer)!;
    assert.ok(
      row.absorbed.some((a) => Math.abs(a) > 1e-3),
      `layer ${layer} with a bias absorbs relevance (${row.absorbed})`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// (c) z-plus = alpha-beta(1, 0)

test('(c) z-plus equals alpha-beta with alpha=1, beta=0 exactly', () => {
  for (const [name, net, seed] of [
    ['conv', BIASED_CONV, 6],
    ['mlp', BIASED_MLP, 7],
  ] as const) {
    const model = randomModel(net.shape, net.layers, seed);
    const x = randomInput([3, ...net.shape], seed + 100);
    assertSame(
      analyze(model, x, { method: 'alpha-beta', alpha: 1, beta: 0 }),
      analyze(model, x, { method: 'z-plus' }),
      `${name}: alpha-beta(1,0) vs z-plus`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// (d) linear in the seed

test('(d) R / logit_target is invariant when the last Dense kernel and bias are scaled by 3 (1e-5 of max|R|)', () => {
  const net = BIASED_CONV;
  const groups = randomWeights(net.shape, net.layers, 8);
  const scaled: Groups = new Map(groups);
  scaled.set(
    'out',
    groups.get('out')!.map((w) => ({ ...w, data: w.data.map((v) => 3 * v) })),
  );
  const m1 = buildModel(net.shape, net.layers, groups);
  const m3 = buildModel(net.shape, net.layers, scaled);
  const x = randomInput([3, ...net.shape], 108, 0, 1);
  const t = argmaxPerSample(m1.logits(x));
  assert.equal(argmaxPerSample(m3.logits(x)), t);
  const l1 = targetLogits(m1, x, t);
  const l3 = targetLogits(m3, x, t);
  l1.forEach((v, s) => assert.ok(Math.abs(l3[s] - 3 * v) <= 1e-6 * Math.abs(3 * v), 'the scaled model has 3× the logits'));
  const perLogit = (R: Tensor, logit: number[]): Tensor => {
    const size = R.data.length / logit.length;
    return scaleTensor(R, (v, i) => v / logit[Math.floor(i / size)]);
  };
  const cases: AnalyzeOptions[] = [
    { method: 'epsilon' },
    { method: 'epsilon', epsilon: 0.25, layerRules: { out: { rule: 'epsilon', epsilon: 1e-9 } } },
    { method: 'z-plus' },
    { method: 'alpha-beta', alpha: 2, beta: 1 },
    { method: 'gamma' },
    { method: 'flat' },
    { method: 'w-square' },
    { method: 'epsilon-plus' },
    { method: 'epsilon-gamma-box' },
  ];
  for (const options of cases) {
    const what = JSON.stringify(options);
    const r1 = perLogit(analyze(m1, x, options), l1);
    const r3 = perLogit(analyze(m3, x, options), l3);
    assertClose(r3, r1, 1e-5, `${what}: R/logit`);
    // … and the relevance itself scales with the seed.
    assertClose(
      analyze(m3, x, options),
      scaleTensor(analyze(m1, x, options), (v) => 3 * v),
      1e-5,
      `${what}: R(3·seed) = 3·R`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// (e) batch independence

test('(e) a sample relevance alone equals its relevance inside a batch of 4 (exactly), for many methods', () => {
  const net = BIASED_CONV;
  const model = randomModel(net.shape, net.layers, 9);
  const x = randomInput([4, ...net.shape], 109, 0, 1);
  const methods: AnalyzeOptions[] = [
    { method: 'lrp-0' },
    { method: 'epsilon', epsilon: 0.25 },
    { method: 'z-plus' },
    { method: 'alpha-beta' },
    { method: 'gamma' },
    { method: 'flat' },
    { method: 'w-square' },
    { method: 'z-box', low: 0, high: 1 },
    { method: 'epsilon-plus' },
    { method: 'epsilon-plus-flat' },
    { method: 'epsilon-alpha2-beta1' },
    { method: 'epsilon-gamma-box' },
    { method: 'gradient' },
    { method: 'gradient-x-input' },
    { method: 'integrated-gradients', steps: 5 },
    { method: 'guided-backprop' },
    { method: 'deconvnet' },
    { method: 'gradient', target: 2 },
  ];
  for (const options of methods) {
    const batch = analyze(model, x, options);
    for (let s = 0; s < 4; s++) {
      assertSame(analyze(model, sampleOf(x, s), options), sampleOf(batch, s), `${JSON.stringify(options)}: sample ${s}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// (f) integrated gradients

test('(f) integrated-gradients with steps=1 equals gradient-x-input (exactly)', () => {
  for (const [net, seed] of [
    [BIASED_CONV, 10],
    [SMOOTH, 11],
  ] as const) {
    const model = randomModel(net.shape, net.layers, seed);
    const x = randomInput([3, ...net.shape], seed + 100);
    assertSame(
      analyze(model, x, { method: 'integrated-gradients', steps: 1 }),
      analyze(model, x, { method: 'gradient-x-input' }),
      'steps 1',
    );
  }
});

test('(f) on a bias-free ReLU/max-pool net integrated-gradients equals gradient-x-input for steps=7 (1e-5 of max|R|)', () => {
  for (const [name, net, seed] of [
    ['conv', RELU_CONV, 12],
    ['mlp', RELU_MLP, 13],
  ] as const) {
    const model = randomModel(net.shape, net.layers, seed);
    const x = randomInput([3, ...net.shape], seed + 100);
    assertClose(
      analyze(model, x, { method: 'integrated-gradients', steps: 7 }),
      analyze(model, x, { method: 'gradient-x-input' }),
      1e-5,
      `${name}: steps 7`,
    );
  }
});

/**
 * The right Riemann sum of f'(α) = ∇logit(x̄ + α(x − x̄))·(x − x̄) over [0, 1] misses ∫f' = logit(x) − logit(x̄)
 * by (f'(1) − f'(0)) / (2n) + O(1/n²) (Euler–Maclaurin). For a generic tanh net (f'(1) − f'(0)) / (2Δf) is
 * of order 0.1 … 1, so the relative error at 200 steps is 1e-4 … 5e-3 here: the 1e-3 bound is asserted at
 * 2000 steps, and at 200 steps the error must be that leading term to 2e-5 · |Δf|.
 */
test('(f) completeness: Σ IG → logit(x) − logit(baseline): error(200) < error(5), = Euler–Maclaurin term (2e-5 of Δ), error(2000) < 1e-3 relative (tanh net with biases)', () => {
  const layers = [conv('c1', 3, { activation: 'tanh' }), avgPool('p', 2), flatten('f'), dense('d1', 6, 'tanh'), dense('out', 3)];
  const shape = [4, 4, 2];
  const model = randomModel(shape, layers, 14);
  const x = randomInput([3, ...shape], 114);
  const t = argmaxPerSample(model.logits(x));
  const baselines: [string, Tensor | undefined][] = [
    ['zeros', undefined],
    ['random', randomInput([1, ...shape], 214, -0.5, 0.5)],
  ];
  for (const [name, baseline] of baselines) {
    const base: Tensor = baseline
      ? { shape: x.shape, data: Float32Array.from(x.data, (_, i) => baseline.data[i % baseline.data.length]) }
      : { shape: x.shape, data: new Float32Array(x.data.length) };
    const lx = targetLogits(model, x, t);
    const lb = targetLogits(model, base, t);
    const delta = lx.map((v, s) => v - lb[s]);
    delta.forEach((d, s) => assert.ok(Math.abs(d) > 0.05, `${name} sample ${s}: logit(x) − logit(baseline) = ${d} is not tiny`));
    /** Σ IG − Δ per sample. */
    const gap = (steps: number): number[] =>
      sums(analyze(model, x, { method: 'integrated-gradients', steps, target: t, ...(baseline ? { baseline } : {}) })).map(
        (sum, s) => sum - delta[s],
      );
    const path = scaleTensor(x, (v, i) => v - base.data[i]);
    const slope = (at: Tensor): number[] =>
      sums(scaleTensor(analyze(model, at, { method: 'gradient', target: t }), (g, i) => g * path.data[i]));
    const [f1, f0] = [slope(x), slope(base)];
    const [g5, g200, g2000] = [gap(5), gap(200), gap(2000)];
    for (let s = 0; s < 3; s++) {
      const what = `${name} sample ${s}`;
      const rel = (g: number): number => Math.abs(g) / Math.abs(delta[s]);
      assert.ok(rel(g200[s]) < rel(g5[s]), `${what}: error at 200 steps (${rel(g200[s])}) < at 5 (${rel(g5[s])})`);
      assert.ok(rel(g2000[s]) < rel(g200[s]), `${what}: error at 2000 steps (${rel(g2000[s])}) < at 200 (${rel(g200[s])})`);
      const leading = (f1[s] - f0[s]) / (2 * 200);
      assert.ok(
        Math.abs(g200[s] - leading) <= 2e-5 * Math.abs(delta[s]),
        `${what}: gap at 200 steps ${g200[s]} vs (f'(1) − f'(0))/2n = ${leading}`,
      );
      assert.ok(rel(g2000[s]) < 1e-3, `${what}: relative error at 2000 steps ${rel(g2000[s])} < 1e-3`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// (g) gradient against finite differences

test('(g) gradient matches central finite differences (h = 1e-2) at every input position (1e-3 of max|g|), smooth net', () => {
  const net = SMOOTH;
  const model = randomModel(net.shape, net.layers, 15);
  const x = randomInput([2, ...net.shape], 115);
  const t = argmaxPerSample(model.logits(x));
  const g = analyze(model, x, { method: 'gradient', target: t });
  const size = prod(net.shape);
  const h = 1e-2;
  for (let s = 0; s < 2; s++) {
    // One batch holding x + h·eᵢ and x − h·eᵢ for every position i.
    const perturbed = new Float32Array(2 * size * size);
    for (let i = 0; i < size; i++) {
      for (const [k, sign] of [
        [0, 1],
        [1, -1],
      ] as const) {
        const row = (2 * i + k) * size;
        perturbed.set(x.data.subarray(s * size, (s + 1) * size), row);
        perturbed[row + i] += sign * h;
      }
    }
    const logits = model.logits({ shape: [2 * size, ...net.shape], data: perturbed });
    const c = logits.data.length / (2 * size);
    const fd = Float32Array.from(
      { length: size },
      (_, i) => (logits.data[2 * i * c + t[s]] - logits.data[(2 * i + 1) * c + t[s]]) / (2 * h),
    );
    assertClose(
      { shape: [1, ...net.shape], data: g.data.slice(s * size, (s + 1) * size) },
      { shape: [1, ...net.shape], data: fd },
      1e-3,
      `sample ${s}: gradient vs finite differences`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// (h) guided backprop and deconvnet

test('(h) guided-backprop and deconvnet equal gradient exactly on nets without gating units (tanh, softplus, elu, LeakyReLU)', () => {
  const leaky = {
    shape: [6, 6, 2],
    layers: [conv('c1', 3), leakyRelu('lr1', 0.2), maxPool('p', 2), flatten('f'), dense('d1', 5, 'tanh'), dense('out', 3)],
  };
  for (const [net, seed] of [
    [SMOOTH, 16],
    [leaky, 17],
  ] as const) {
    const model = randomModel(net.shape, net.layers, seed);
    const x = randomInput([3, ...net.shape], seed + 100);
    const g = analyze(model, x, { method: 'gradient' });
    assertSame(analyze(model, x, { method: 'guided-backprop' }), g, 'guided-backprop vs gradient');
    assertSame(analyze(model, x, { method: 'deconvnet' }), g, 'deconvnet vs gradient');
  }
});

test('(h) on a ReLU net guided-backprop and deconvnet differ from gradient and match the hand-computed formulas (1e-5)', () => {
  // One hidden relu layer, no biases: g = W1 (m ⊙ w2), guided = W1 (m ⊙ max(w2, 0)), deconvnet = W1 max(w2, 0).
  const net = { shape: [5], layers: [dense('h', 7, 'relu', false), dense('out', 3, 'linear', false)] };
  const groups = randomWeights(net.shape, net.layers, 18);
  const model = buildModel(net.shape, net.layers, groups);
  const x = randomInput([3, 5], 118);
  const t = argmaxPerSample(model.logits(x));
  const W1 = groups.get('h')![0].data;
  const W2 = groups.get('out')![0].data;
  const expected = (mode: 'gradient' | 'guided' | 'deconvnet'): Tensor => {
    const out = new Float32Array(15);
    for (let s = 0; s < 3; s++) {
      for (let j = 0; j < 7; j++) {
        let z = 0;
        for (let i = 0; i < 5; i++) z += x.data[s * 5 + i] * W1[i * 7 + j];
        const up = W2[j * 3 + t[s]];
        const back = mode === 'gradient' ? (z > 0 ? up : 0) : mode === 'guided' ? (z > 0 ? Math.max(up, 0) : 0) : Math.max(up, 0);
        for (let i = 0; i < 5; i++) out[s * 5 + i] += W1[i * 7 + j] * back;
      }
    }
    return { shape: [3, 5], data: out };
  };
  const g = analyze(model, x, { method: 'gradient' });
  const guided = analyze(model, x, { method: 'guided-backprop' });
  const deconv = analyze(model, x, { method: 'deconvnet' });
  assertClose(g, expected('gradient'), 1e-5, 'gradient');
  assertClose(guided, expected('guided'), 1e-5, 'guided-backprop');
  assertClose(deconv, expected('deconvnet'), 1e-5, 'deconvnet');
  assertDiffer(guided, g, 0.05, 'guided-backprop vs gradient');
  assertDiffer(deconv, g, 0.05, 'deconvnet vs gradient');
  assertDiffer(deconv, guided, 0.05, 'deconvnet vs guided-backprop');

  // A conv net with relu and max pooling: all three differ.
  const conv8 = randomModel(BIASED_CONV.shape, BIASED_CONV.layers, 19);
  const xc = randomInput([2, ...BIASED_CONV.shape], 119, 0, 1);
  const gc = analyze(conv8, xc, { method: 'gradient' });
  assertDiffer(analyze(conv8, xc, { method: 'guided-backprop' }), gc, 0.05, 'conv: guided-backprop vs gradient');
  assertDiffer(analyze(conv8, xc, { method: 'deconvnet' }), gc, 0.05, 'conv: deconvnet vs gradient');
});

test('(h) a relu right after the input: guided-backprop ≥ 0 and 0 where x < 0; deconvnet ≥ 0; gradient has both signs', () => {
  const net = { shape: [12], layers: [activation('a0', 'relu'), dense('d1', 8, 'tanh'), dense('out', 3)] };
  const model = randomModel(net.shape, net.layers, 20);
  const x = randomInput([4, 12], 120);
  const g = analyze(model, x, { method: 'gradient' });
  const guided = analyze(model, x, { method: 'guided-backprop' });
  const deconv = analyze(model, x, { method: 'deconvnet' });
  assert.ok(g.data.some((v) => v < 0) && g.data.some((v) => v > 0), 'the gradient has both signs');
  guided.data.forEach((v, i) => {
    assert.ok(v >= 0, `guided[${i}] = ${v} ≥ 0`);
    if (x.data[i] < 0) assert.is(v, 0, `guided[${i}] = 0 where x < 0`);
    assert.is(v, Math.max(g.data[i], 0), `guided[${i}] = max(gradient, 0) here`);
  });
  deconv.data.forEach((v, i) => assert.ok(v >= 0, `deconvnet[${i}] = ${v} ≥ 0`));
  assert.ok(
    deconv.data.some((v, i) => v > 0 && x.data[i] < 0),
    'deconvnet ignores the forward mask',
  );
});

// ---------------------------------------------------------------------------------------------
// (i) smoothgrad

test('(i) smoothgrad: same seed → identical, other seed → different, noise 0 → gradient (exactly)', () => {
  const net = SMOOTH;
  const model = randomModel(net.shape, net.layers, 21);
  const x = randomInput([2, ...net.shape], 121);
  const g = analyze(model, x, { method: 'gradient' });
  const a = analyze(model, x, { method: 'smoothgrad', samples: 8, noise: 0.2, seed: 7 });
  assertSame(analyze(model, x, { method: 'smoothgrad', samples: 8, noise: 0.2, seed: 7 }), a, 'same seed');
  assertDiffer(analyze(model, x, { method: 'smoothgrad', samples: 8, noise: 0.2, seed: 8 }), a, 1e-3, 'another seed');
  assertDiffer(a, g, 1e-3, 'noise 0.2 vs gradient');
  assertSame(analyze(model, x, { method: 'smoothgrad', samples: 8, noise: 0, seed: 3 }), g, 'noise 0');
  assertSame(analyze(model, x, { method: 'smoothgrad', samples: 1, noise: 0 }), g, 'samples 1, noise 0');
});

// ---------------------------------------------------------------------------------------------
// (j) BatchNormalization folding

test('(j) BatchNormalization after a bias-free conv is folded for LRP: same relevance as the hand-folded conv (1e-5), same predict (1e-5)', () => {
  const tail = [activation('a1', 'relu'), maxPool('p1', 2), flatten('f'), dense('d1', 6, 'relu'), dense('out', 3, 'softmax')];
  const withBn = [conv('c1', 4, { bias: false }), batchNorm('bn'), ...tail];
  const folded = [conv('c1', 4, { bias: true }), ...tail];
  const shape = [6, 6, 2];
  const groups = randomWeights(shape, withBn, 22);
  const [gamma, beta, mean, variance] = groups.get('bn')!.map((w) => w.data);
  const kernel = groups.get('c1')![0];
  const scale = Float64Array.from(gamma, (gm, c) => gm / Math.sqrt(variance[c] + 1e-3));
  const foldedGroups: Groups = new Map(groups);
  foldedGroups.delete('bn');
  foldedGroups.set('c1', [
    { name: 'c1/kernel:0', shape: kernel.shape, data: kernel.data.map((w, i) => w * scale[i % 4]) },
    { name: 'c1/bias:0', shape: [4], data: Float32Array.from(scale, (s, c) => -mean[c] * s + beta[c]) },
  ]);
  const mBn = buildModel(shape, withBn, groups);
  const mFolded = buildModel(shape, folded, foldedGroups);
  const x = randomInput([3, ...shape], 122);
  assertClose(mBn.predict(x), mFolded.predict(x), 1e-5, 'predict');
  assertClose(mBn.logits(x), mFolded.logits(x), 1e-5, 'logits');
  for (const options of [
    { method: 'epsilon' },
    { method: 'z-plus' },
    { method: 'epsilon-plus' },
    { method: 'gamma' },
    { method: 'gradient' },
  ]) {
    assertClose(analyze(mBn, x, options), analyze(mFolded, x, options), 1e-5, `${options.method}: conv+BN vs folded conv`);
  }
  // Without folding the BN (a relu between), z-plus would see a different layer: it is not the same model.
  const unfoldable = [conv('c1', 4, { bias: false, activation: 'relu' }), batchNorm('bn'), ...tail];
  const mUnfolded = buildModel(shape, unfoldable, groups);
  const R = analyze(mUnfolded, x, { method: 'epsilon', returnLayers: true });
  const bnRow = R.conservation!.find((r) => r.layer === 'bn')!;
  assert.equal(bnRow.relevanceIn, bnRow.relevanceOut, 'an unfolded BatchNormalization passes relevance unchanged');
});

// ---------------------------------------------------------------------------------------------
// (k) lrp() and target 'max'

test('(k) lrp(model, x) equals analyze(…, epsilon-plus) exactly; target "max" equals the explicit argmax per sample', () => {
  const net = BIASED_CONV;
  const model = randomModel(net.shape, net.layers, 23);
  const x = randomInput([4, ...net.shape], 123, -1, 2);
  assertSame(lrp(model, x), analyze(model, x, { method: 'epsilon-plus' }), 'lrp vs epsilon-plus');
  assertSame(lrp(model, x, { epsilon: 0.25 }), analyze(model, x, { method: 'epsilon-plus', epsilon: 0.25 }), 'lrp with options');
  const t = argmaxPerSample(model.logits(x));
  assert.ok(new Set(t).size > 1, 'the batch has more than one predicted class');
  for (const method of ['epsilon-plus', 'epsilon', 'gradient', 'integrated-gradients']) {
    const byMax = analyze(model, x, { method, target: 'max' });
    assertSame(byMax, analyze(model, x, { method }), `${method}: default target is 'max'`);
    assertSame(byMax, analyze(model, x, { method, target: t }), `${method}: 'max' = explicit argmax`);
  }
  // A single class index applies to every sample.
  assertSame(
    analyze(model, x, { method: 'epsilon', target: 1 }),
    analyze(model, x, { method: 'epsilon', target: [1, 1, 1, 1] }),
    'scalar target',
  );
});

// ---------------------------------------------------------------------------------------------
// (l) innvestigate aliases

const ALIAS_EXPECTED: Record<string, AnalyzeOptions> = {
  'lrp.z': { method: 'epsilon', epsilon: 1e-7 },
  'lrp.epsilon': { method: 'epsilon', epsilon: 1e-7 },
  'lrp.alpha_2_beta_1': { method: 'alpha-beta', alpha: 2, beta: 1 },
  'lrp.alpha_1_beta_0': { method: 'alpha-beta', alpha: 1, beta: 0 },
  'lrp.z_plus': { method: 'z-plus' },
  'lrp.z_plus_fast': { method: 'z-plus' },
  'lrp.flat': { method: 'flat' },
  'lrp.w_square': { method: 'w-square' },
  'lrp.sequential_preset_a': { method: 'epsilon-plus', epsilon: 0.1 },
  'lrp.sequential_preset_b': { method: 'epsilon-alpha2-beta1', epsilon: 0.1 },
  'lrp.sequential_preset_a_flat': { method: 'epsilon-plus-flat', epsilon: 0.1 },
  'lrp.sequential_preset_b_flat': { method: 'epsilon-alpha2-beta1-flat', epsilon: 0.1 },
  gradient: { method: 'gradient' },
  input_t_gradient: { method: 'gradient-x-input' },
  integrated_gradients: { method: 'integrated-gradients' },
  smoothgrad: { method: 'smoothgrad' },
  guided_backprop: { method: 'guided-backprop' },
  deconvnet: { method: 'deconvnet' },
};

test('(l) every innvestigate alias equals the method and defaults documented in methods.ts (exactly)', () => {
  assert.equal(
    Object.keys(ALIASES).sort(),
    Object.keys(ALIAS_EXPECTED).sort(),
    'the aliases this test knows are the aliases the library accepts',
  );
  const net = BIASED_CONV;
  const model = randomModel(net.shape, net.layers, 24);
  const x = randomInput([2, ...net.shape], 124, -0.5, 1);
  for (const [alias, options] of Object.entries(ALIAS_EXPECTED)) {
    assertSame(analyze(model, x, { method: alias }), analyze(model, x, options), `${alias} vs ${JSON.stringify(options)}`);
  }
  assertSame(analyze(model, x, { method: 'lrp.alpha_1_beta_0' }), analyze(model, x, { method: 'z-plus' }), 'lrp.alpha_1_beta_0 vs z-plus');
  // An explicit option wins over the alias default, and the default does change the result.
  assertSame(
    analyze(model, x, { method: 'lrp.epsilon', epsilon: 0.25 }),
    analyze(model, x, { method: 'epsilon', epsilon: 0.25 }),
    'lrp.epsilon with epsilon 0.25',
  );
  assertDiffer(
    analyze(model, x, { method: 'lrp.sequential_preset_a' }),
    analyze(model, x, { method: 'epsilon-plus' }),
    1e-4,
    'preset_a uses ε = 0.1',
  );
});

// ---------------------------------------------------------------------------------------------
// (m) layerRules

test('(m) layerRules by class and by name give exactly the equivalent method; name beats class', () => {
  const mlp = randomModel(BIASED_MLP.shape, BIASED_MLP.layers, 25);
  const xm = randomInput([3, ...BIASED_MLP.shape], 125);
  assertSame(
    analyze(mlp, xm, { method: 'epsilon', layerRules: { Dense: 'flat' } }),
    analyze(mlp, xm, { method: 'flat' }),
    'mlp: {Dense: flat} = flat',
  );
  assertSame(
    analyze(mlp, xm, { method: 'epsilon', layerRules: { Dense: { rule: 'alpha-beta', alpha: 3, beta: 2 } } }),
    analyze(mlp, xm, { method: 'alpha-beta', alpha: 3, beta: 2 }),
    'mlp: {Dense: αβ(3,2)} = alpha-beta 3/2',
  );
  assertSame(
    analyze(mlp, xm, {
      method: 'epsilon',
      layerRules: {
        d1: { rule: 'epsilon', epsilon: 0.25 },
        d2: { rule: 'epsilon', epsilon: 0.25 },
        out: { rule: 'epsilon', epsilon: 0.25 },
      },
    }),
    analyze(mlp, xm, { method: 'epsilon', epsilon: 0.25 }),
    'mlp: ε 0.25 on every layer by name = epsilon 0.25',
  );
  assertDiffer(
    analyze(mlp, xm, { method: 'epsilon', layerRules: { d2: 'z-plus' } }),
    analyze(mlp, xm, { method: 'epsilon' }),
    1e-3,
    'mlp: {d2: z-plus} changes ε',
  );

  const cnn = randomModel(BIASED_CONV.shape, BIASED_CONV.layers, 26);
  const x = randomInput([3, ...BIASED_CONV.shape], 126, 0, 1);
  const eq = (options: AnalyzeOptions, method: string): void =>
    assertSame(analyze(cnn, x, options), analyze(cnn, x, { method }), `conv: ${JSON.stringify(options)} = ${method}`);
  eq({ method: 'epsilon', layerRules: { Conv2D: 'z-plus' } }, 'epsilon-plus');
  eq({ method: 'epsilon-plus', layerRules: { c1: 'flat' } }, 'epsilon-plus-flat');
  eq({ method: 'epsilon', layerRules: { Conv2D: 'z-plus', c1: 'flat' } }, 'epsilon-plus-flat');
  eq({ method: 'epsilon', layerRules: { c1: 'z-box', c2: 'gamma' } }, 'epsilon-gamma-box');
  eq({ method: 'z-plus', layerRules: { Dense: 'epsilon' } }, 'epsilon-plus');
  eq({ method: 'epsilon-alpha2-beta1', layerRules: { Conv2D: 'z-plus' } }, 'epsilon-plus');
});

test('(m) a flat rule on the first Dense gives every input Σⱼ Rⱼ / (N + 1e-6) (1e-6 · Σⱼ|Rⱼ| / N)', () => {
  const model = randomModel(BIASED_MLP.shape, BIASED_MLP.layers, 27);
  const x = randomInput([3, ...BIASED_MLP.shape], 127);
  const R = analyze(model, x, { method: 'epsilon', layerRules: { d1: 'flat' }, returnLayers: true });
  // Relevance at d1's output (its fused relu passes it unchanged) = relevance at d2's input.
  const Rout = R.layers!.d2;
  const units = 12;
  for (let s = 0; s < 3; s++) {
    let sum = 0;
    let mass = 0;
    for (let j = s * units; j < (s + 1) * units; j++) {
      sum += Rout.data[j];
      mass += Math.abs(Rout.data[j]);
    }
    assert.ok(mass > 0, `sample ${s}: d1 receives relevance`);
    for (let i = s * 10; i < (s + 1) * 10; i++) {
      const expected = sum / (10 + 1e-6);
      assert.ok(Math.abs(R.data[i] - expected) <= (1e-6 * mass) / 10, `sample ${s}: R[${i % 10}] = ${R.data[i]} vs ${expected}`);
    }
  }
});

test.run();
