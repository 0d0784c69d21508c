// Properties of attention and its LRP rules on models built here (CONVENTIONS-TRANSFORMERS.md):
// forward and gradient against a float64 re-implementation; AttnLRP with every stabiliser at 0 is
// gradient×input with the gradient at q and k divided by 4 and at v by 2; CP-LRP conserves on a
// bias-free block with a residual; masked positions get nothing; the three layouts of a model give
// identical results; TF-op layers compute as TensorFlow and unknown functions are refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniformGenerator } from '../src/attribution/random.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import { analyze, attentionWeights, loadModel } from '../src/node.js';
import type { Tensor } from '../src/tensor.js';
import { fixturePath } from './fixtures.js';
import { legacyH5 } from './keras-writer.js';
import { stepHeatmapANSI, stepHeatmapHTML, stepRelevance } from '../src/viz/index.js';

const [T, D, H, DK, DV, C] = [5, 4, 2, 3, 2, 3];
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const random = (shape: number[], seed: number, scale = 1): Float32Array => {
  const rand = uniformGenerator(seed);
  return Float32Array.from({ length: size(shape) }, () => (rand() - 0.5) * scale);
};

const WEIGHTS = {
  q: random([D, H, DK], 1),
  k: random([D, H, DK], 2),
  v: random([D, H, DV], 3),
  o: random([H, DV, D], 4),
  d: random([T * D, C], 5),
};

/** Input (T, D) → MHA(x, x; no bias) [→ + x] → Flatten → Dense(C, no bias), in tf.keras 2's call-node form. */
function block(options: { causal?: boolean; residual?: boolean }): Model {
  const w = (name: string, shape: number[], data: Float32Array): WeightTensor => ({ name, shape, data });
  const layer = (class_name: string, config: Record<string, unknown>, inbound: unknown[]) => ({
    class_name,
    config,
    inbound_nodes: inbound.length ? [inbound] : [],
  });
  const kwargs = { value: ['x', 0, 0], ...(options.causal ? { use_causal_mask: true } : {}) };
  const layers = [
    layer('InputLayer', { name: 'x', batch_input_shape: [null, T, D] }, []),
    layer(
      'MultiHeadAttention',
      { name: 'mha', num_heads: H, key_dim: DK, value_dim: DV, use_bias: false, output_shape: null, attention_axes: [1] },
      [['x', 0, 0, kwargs]],
    ),
    ...(options.residual
      ? [
          layer('Add', { name: 'res' }, [
            ['mha', 0, 0, {}],
            ['x', 0, 0, {}],
          ]),
        ]
      : []),
    layer('Flatten', { name: 'f' }, [[options.residual ? 'res' : 'mha', 0, 0, {}]]),
    layer('Dense', { name: 'd', units: C, activation: 'linear', use_bias: false }, [['f', 0, 0, {}]]),
  ];
  return modelFromArchive(
    {
      fileName: 'block.h5',
      config: { class_name: 'Functional', config: { name: 'block', layers, input_layers: [['x', 0, 0]], output_layers: [['d', 0, 0]] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map([
        [
          'mha',
          [
            w('mha/query/kernel:0', [D, H, DK], WEIGHTS.q),
            w('mha/key/kernel:0', [D, H, DK], WEIGHTS.k),
            w('mha/value/kernel:0', [D, H, DV], WEIGHTS.v),
            w('mha/attention_output/kernel:0', [H, DV, D], WEIGHTS.o),
          ],
        ],
        ['d', [w('d/kernel:0', [T * D, C], WEIGHTS.d)]],
      ]),
    },
    {},
  );
}

/** y[t, j] = Σ_i x[t, i] W[i, j] in float64 (W as (in, out)). */
const matmul = (x: Float64Array | Float32Array, W: Float32Array, rows: number, inF: number, outF: number): Float64Array => {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < inF; i++) for (let j = 0; j < outF; j++) y[r * outF + j] += x[r * inF + i] * W[i * outF + j];
  return y;
};
const matmulT = (g: Float64Array, W: Float32Array, rows: number, inF: number, outF: number): Float64Array => {
  const x = new Float64Array(rows * inF);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < inF; i++) for (let j = 0; j < outF; j++) x[r * inF + i] += g[r * outF + j] * W[i * outF + j];
  return x;
};

/**
 * The block in float64 for one sample: logits, and x ⊙ the gradient of logit[c] with the gradient at
 * q and k scaled by `qk` and at v by `v` (1, 1: the true gradient).
 */
function reference(
  x: Float32Array,
  c: number,
  causal: boolean,
  scale: { qk: number; v: number },
): { logits: Float64Array; grad: Float64Array } {
  const q = matmul(x, WEIGHTS.q, T, D, H * DK);
  const k = matmul(x, WEIGHTS.k, T, D, H * DK);
  const v = matmul(x, WEIGHTS.v, T, D, H * DV);
  const s = 1 / Math.sqrt(DK);
  const A = new Float64Array(H * T * T);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const row = Array.from({ length: T }, (_, u) => {
        let z = 0;
        for (let d = 0; d < DK; d++) z += q[(t * H + h) * DK + d] * s * k[(u * H + h) * DK + d];
        return causal && u > t ? -Infinity : z;
      });
      const max = Math.max(...row);
      const e = row.map((z) => Math.exp(z - max));
      const sum = e.reduce((a, b) => a + b, 0);
      e.forEach((val, u) => (A[(h * T + t) * T + u] = val / sum));
    }
  }
  const ctx = new Float64Array(T * H * DV);
  for (let h = 0; h < H; h++)
    for (let t = 0; t < T; t++)
      for (let u = 0; u < T; u++)
        for (let p = 0; p < DV; p++) ctx[(t * H + h) * DV + p] += A[(h * T + t) * T + u] * v[(u * H + h) * DV + p];
  const out = matmul(ctx, WEIGHTS.o, T, H * DV, D);
  const logits = matmul(out, WEIGHTS.d, 1, T * D, C);
  const gOut = Float64Array.from({ length: T * D }, (_, i) => WEIGHTS.d[i * C + c]);
  const gCtx = matmulT(gOut, WEIGHTS.o, T, H * DV, D);
  const gq = new Float64Array(T * H * DK);
  const gk = new Float64Array(T * H * DK);
  const gv = new Float64Array(T * H * DV);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const r = (h * T + t) * T;
      const gA = Array.from({ length: T }, (_, u) => {
        let dot = 0;
        for (let p = 0; p < DV; p++) {
          dot += gCtx[(t * H + h) * DV + p] * v[(u * H + h) * DV + p];
          gv[(u * H + h) * DV + p] += A[r + u] * gCtx[(t * H + h) * DV + p] * scale.v;
        }
        return dot;
      });
      const inner = gA.reduce((acc, g, u) => acc + g * A[r + u], 0);
      for (let u = 0; u < T; u++) {
        const gs = A[r + u] * (gA[u] - inner) * s * scale.qk;
        for (let d = 0; d < DK; d++) {
          gq[(t * H + h) * DK + d] += gs * k[(u * H + h) * DK + d];
          gk[(u * H + h) * DK + d] += gs * q[(t * H + h) * DK + d];
        }
      }
    }
  }
  const gx = matmulT(gq, WEIGHTS.q, T, D, H * DK);
  const fromK = matmulT(gk, WEIGHTS.k, T, D, H * DK);
  const fromV = matmulT(gv, WEIGHTS.v, T, D, H * DV);
  return { logits, grad: gx.map((g, i) => g + fromK[i] + fromV[i]) };
}

const relError = (got: Float32Array, expected: ArrayLike<number>): number => {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    err = Math.max(err, Math.abs(got[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / scale;
};

const X: Tensor = { shape: [1, T, D], data: random([T, D], 7, 2) };

for (const causal of [false, true]) {
  test(`attention${causal ? ' (causal)' : ''}: logits and gradient match a float64 re-implementation`, () => {
    const model = block({ causal });
    const logits = model.logits(X) as Tensor;
    const c = 1;
    const ref = reference(X.data, c, causal, { qk: 1, v: 1 });
    assert.ok(relError(logits.data, ref.logits) < 1e-6, `logits ${relError(logits.data, ref.logits)}`);
    const grad = analyze(model, X, { method: 'gradient', target: c });
    assert.ok(relError(grad.data, ref.grad) < 1e-5, `gradient ${relError(grad.data, ref.grad)}`);
  });

  test(`attnlrp with every stabiliser at 0${causal ? ' (causal)' : ''} = x ⊙ gradient with q, k at 1/4 and v at 1/2`, () => {
    const model = block({ causal });
    const c = 2;
    const R = analyze(model, X, { method: 'attnlrp', target: c, epsilon: 0, stabilizer: 0 });
    const ref = reference(X.data, c, causal, { qk: 1 / 4, v: 1 / 2 });
    // The LRP seed one_hot·logit over a bias-free linear head is the gradient seed one_hot.
    const expected = ref.grad.map((g, i) => g * X.data[i]);
    const err = relError(R.data, expected);
    assert.ok(err < 1e-5, `max |R − x⊙g̃| / max |x⊙g̃| = ${err}`);
  });
}

test('cp-lrp on a bias-free, LayerNorm-free block with a residual conserves the target logit', () => {
  const model = block({ residual: true });
  const logits = model.logits(X) as Tensor;
  for (const c of [0, 1, 2]) {
    const R = analyze(model, X, { method: 'cp-lrp', target: c });
    const sum = R.data.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - logits.data[c]) <= 1e-4 * Math.abs(logits.data[c]), `ΣR = ${sum}, logit = ${logits.data[c]}`);
  }
});

test('attnlrp does not conserve where the softmax rule keeps its bias term, cp-lrp does: the two differ on the block', () => {
  const model = block({ residual: true });
  const a = analyze(model, X, { method: 'attnlrp', target: 0 });
  const b = analyze(model, X, { method: 'cp-lrp', target: 0 });
  assert.ok(relError(a.data, b.data) > 1e-3, 'attnlrp and cp-lrp gave the same relevance');
});

/** Copies in test/fixtures/transformers (the team's fixtures in three layouts). */
const fixture = (file: string): string => fixturePath(join('transformers', file));
const npy = (file: string): Tensor => {
  const buf = readFileSync(fixture(join('reference', file)));
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const bytes = buf.buffer.slice(buf.byteOffset + 10 + headerLen, buf.byteOffset + buf.length);
  const data = header.includes("'<f4'")
    ? new Float32Array(bytes)
    : header.includes("'<i8'")
      ? Float32Array.from(new BigInt64Array(bytes), Number)
      : Float32Array.from(new Float64Array(bytes));
  return { shape, data };
};
const METHODS = ['gradient', 'gradient-x-input', 'epsilon', 'epsilon-plus', 'attnlrp', 'cp-lrp'];

test('masked (padding) tokens get no relevance from any LRP method', async () => {
  const model = await loadModel(fixture('causal_text_k3.keras'));
  const tokens = npy('arrays/causal_text_k3_keras_input0.npy');
  const padded = [...tokens.data].map((t, i) => (t === 0 ? i : -1)).filter((i) => i >= 0);
  assert.ok(padded.length > 0, 'the fixture input has no padding tokens');
  for (const method of ['epsilon', 'epsilon-plus', 'attnlrp', 'cp-lrp']) {
    const R = analyze(model, tokens, { method });
    for (const i of padded) assert.is(R.data[i], 0, `${method}: token ${i} (padding) has relevance ${R.data[i]}`);
    assert.ok(
      R.data.some((r) => r !== 0),
      `${method}: every token has relevance 0`,
    );
  }
});

for (const [name, files, input] of [
  [
    'ts_transformer',
    ['ts_transformer_k3.keras', 'ts_transformer_tfk2.15.keras', 'ts_transformer_k3.h5'],
    ['ts_transformer_k3_keras_input0.npy'],
  ],
  ['causal_text', ['causal_text_k3.keras', 'causal_text_tfk2.15.keras', 'causal_text_k3.h5'], ['causal_text_k3_keras_input0.npy']],
  [
    'cross_attention',
    ['cross_attention_k3.keras', 'cross_attention_tfk2.15.keras', 'cross_attention_k3.h5'],
    ['cross_attention_k3_keras_input0.npy', 'cross_attention_k3_keras_input1.npy'],
  ],
] as const) {
  test(`${name}: the three layouts (Keras 3 .keras, tf.keras 2.15 .keras, Keras 3 .h5) give identical outputs and relevance`, async () => {
    if (!existsSync(fixture(files[0]))) return;
    const models = await Promise.all(files.map((f) => loadModel(fixture(f))));
    const xs = input.map((f) => npy(`arrays/${f}`));
    const x = xs.length === 1 ? xs[0] : xs;
    const outputs = models.map((m) => m.predict(x));
    for (const other of outputs.slice(1)) assert.equal(other, outputs[0]);
    for (const method of METHODS) {
      const results = models.map((m) => analyze(m, x, { method }));
      for (const other of results.slice(1)) assert.equal(other, results[0], `${name} ${method}`);
    }
  });
}

test('cross-attention returns its attention weights as a model output: rows sum to 1', async () => {
  const model = await loadModel(fixture('cross_attention_k3.keras'));
  const x = ['cross_attention_k3_keras_input0.npy', 'cross_attention_k3_keras_input1.npy'].map((f) => npy(`arrays/${f}`));
  const [, scores] = model.predict(x) as Tensor[];
  assert.equal(scores.shape, [3, 2, 6, 8]);
  for (let r = 0; r < scores.data.length; r += 8) {
    const sum = scores.data.slice(r, r + 8).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-6, `row ${r / 8} sums to ${sum}`);
  }
});

/** A tf.keras 2 functional model of TFOpLambda / SlicingOpLambda layers on x (3, 4), in tf.keras' flat call form. */
function tfOpModel(extra: unknown[] = []): Model {
  const op = (name: string, fn: string, first: unknown[], kwargs: Record<string, unknown>, className = 'TFOpLambda') => ({
    class_name: className,
    config: { name, trainable: true, dtype: 'float32', function: fn },
    inbound_nodes: [[...first, { ...kwargs, name: null }]],
  });
  const ref = (layer: string): unknown[] => [layer, 0, 0];
  const layers = [
    { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3, 4] }, inbound_nodes: [] },
    op(
      'rev',
      '__operators__.getitem',
      ref('x'),
      { slice_spec: [{ class_name: '__ellipsis__' }, { start: null, stop: null, step: -1 }] },
      'SlicingOpLambda',
    ),
    op('twice', 'math.multiply', ref('rev'), { y: 2.0 }),
    op('plus', '__operators__.add', ref('twice'), { y: ref('x') }),
    op('swap', 'transpose', ref('plus'), { perm: [0, 2, 1] }),
    op('mean', 'math.reduce_mean', ref('swap'), { axis: -1 }),
    op('shift', 'math.subtract', ref('mean'), { y: 0.5 }),
    op('square', 'reshape', ref('shift'), { shape: [-1, 2, 2] }),
    op('flip', 'math.subtract', ['_CONSTANT_VALUE', -1, 1.0], { y: ref('square') }),
    op(
      'corner',
      '__operators__.getitem',
      ref('x'),
      {
        slice_spec: [
          { start: null, stop: null, step: null },
          { start: 1, stop: null, step: null },
          { start: null, stop: null, step: 2 },
        ],
      },
      'SlicingOpLambda',
    ),
    op('out', 'math.subtract', ref('flip'), { y: ref('corner') }),
    ...extra,
  ];
  return modelFromArchive(
    {
      fileName: 'ops.keras',
      config: { class_name: 'Functional', config: { name: 'ops', layers, input_layers: [['x', 0, 0]], output_layers: [['out', 0, 0]] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map(),
    },
    {},
  );
}

/** The same computation written out. */
function tfOpReference(x: Float32Array): number[] {
  const at = (t: number, f: number): number => x[t * 4 + f];
  const plus = (t: number, f: number): number => 2 * at(t, 3 - f) + at(t, f);
  const shift = [0, 1, 2, 3].map((f) => (plus(0, f) + plus(1, f) + plus(2, f)) / 3 - 0.5);
  const corner = [at(1, 0), at(1, 2), at(2, 0), at(2, 2)];
  return shift.map((v, i) => 1 - v - corner[i]);
}

test('TFOpLambda / SlicingOpLambda layers compute as TensorFlow (getitem with Ellipsis and step −1, constants first or second, transpose, reduce_mean, reshape) and their gradient is exact', () => {
  const model = tfOpModel();
  const x: Tensor = { shape: [2, 3, 4], data: random([2, 3, 4], 11, 4) };
  const y = model.predict(x) as Tensor;
  assert.equal(y.shape, [2, 2, 2]);
  for (let s = 0; s < 2; s++) {
    const expected = tfOpReference(x.data.subarray(s * 12, (s + 1) * 12));
    assert.ok(
      relError(y.data.subarray(s * 4, (s + 1) * 4), expected) < 1e-6,
      `sample ${s}: ${[...y.data.subarray(s * 4, s * 4 + 4)]} vs ${expected}`,
    );
  }
  // Every op here is affine: the gradient of output cell 3 is the difference quotient, exactly.
  const g = analyze(model, { shape: [1, 3, 4], data: x.data.slice(0, 12) }, { method: 'gradient', target: 3 });
  const base = tfOpReference(x.data.slice(0, 12))[3];
  const fd = Array.from({ length: 12 }, (_, i) => {
    const moved = x.data.slice(0, 12);
    moved[i] += 1;
    return tfOpReference(moved)[3] - base;
  });
  assert.ok(relError(g.data, fd) < 1e-6, `gradient ${[...g.data]} vs ${fd}`);
});

test('an unknown TF function or Keras operation is refused by its name', async () => {
  const cumsum = {
    class_name: 'TFOpLambda',
    config: { name: 'c', trainable: true, dtype: 'float32', function: 'math.cumsum' },
    inbound_nodes: [['out', 0, 0, { axis: 1, name: null }]],
  };
  assert.throws(() => tfOpModel([cumsum]), /'c' \(TFOpLambda\).*the function 'tf\.math\.cumsum'/);
  const k3 = {
    class_name: 'Cumsum',
    module: 'keras.src.ops.numpy',
    config: { name: 'k' },
    inbound_nodes: [
      { args: [{ class_name: '__keras_tensor__', config: { shape: [null, 2, 2], keras_history: ['out', 0, 0] } }], kwargs: {} },
    ],
  };
  assert.throws(() => tfOpModel([k3]), /'k' \(Cumsum\).*the operation Cumsum of keras\.src\.ops\.numpy/);
});

test('attention weights beside the relevance: attentionWeights() and returnLayers give what return_attention_scores gives', async () => {
  const model = await loadModel(fixture('cross_attention_k3.keras'));
  const x = ['cross_attention_k3_keras_input0.npy', 'cross_attention_k3_keras_input1.npy'].map((f) => npy(`arrays/${f}`));
  const [, scores] = model.predict(x) as Tensor[];
  assert.equal(Object.keys(attentionWeights(model, x)), ['multi_head_attention']);
  assert.equal(attentionWeights(model, x).multi_head_attention, scores);
  const [R] = analyze(model, x, { method: 'attnlrp', returnLayers: true }) as { attention?: Record<string, Tensor> }[];
  assert.equal(R.attention?.multi_head_attention, scores);
});

test('time-step heatmap of a time-series transformer: relevance per step summed over features, one cell per step', async () => {
  const model = await loadModel(fixture('ts_transformer_k3.keras'));
  const x = npy('arrays/ts_transformer_k3_keras_input0.npy');
  const R = analyze(model, x, { method: 'attnlrp' });
  const steps = stepRelevance(R, 1);
  assert.is(steps.length, 12);
  const sample = R.data.subarray(48, 96);
  steps.forEach((v, t) => assert.ok(Math.abs(v - (sample[4 * t] + sample[4 * t + 1] + sample[4 * t + 2] + sample[4 * t + 3])) < 1e-6));
  const html = stepHeatmapHTML(R, { sample: 1 });
  assert.is((html.match(/class="tok"/g) ?? []).length, 12);
  assert.ok(html.includes('data-relevance'));
  assert.ok(stepHeatmapANSI(R, { sample: 1, color: false, labels: steps.map((_, t) => `day${t}`) }).includes('day11['));
  assert.throws(() => stepHeatmapHTML(R, { labels: ['a'] }), /1 labels for 12 steps/);
});

test('tf.split: one output per piece (a count or sizes), each readable by later layers', () => {
  const op = (name: string, fn: string, first: unknown[], kwargs: Record<string, unknown>) => ({
    class_name: 'TFOpLambda',
    config: { name, trainable: true, dtype: 'float32', function: fn },
    inbound_nodes: [[...first, { ...kwargs, name: null }]],
  });
  const layers = [
    { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3, 4] }, inbound_nodes: [] },
    op('halves', 'split', ['x', 0, 0], { num_or_size_splits: 2, axis: -1 }),
    op('parts', 'split', ['x', 0, 0], { num_or_size_splits: [1, 2], axis: 1 }),
    op('diff', 'math.subtract', ['halves', 0, 0], { y: ['halves', 0, 1] }),
  ];
  const model = modelFromArchive(
    {
      fileName: 'split.keras',
      config: {
        class_name: 'Functional',
        config: {
          name: 'split',
          layers,
          input_layers: [['x', 0, 0]],
          output_layers: [
            ['diff', 0, 0],
            ['parts', 0, 1],
          ],
        },
      },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map(),
    },
    {},
  );
  const x: Tensor = { shape: [1, 3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i * i) };
  const [diff, rest] = model.predict(x) as unknown as Tensor[];
  assert.equal(diff.shape, [1, 3, 2]);
  assert.equal(
    [...diff.data],
    [0, 1, 2, 3, 4, 5].map((i) => {
      const [t, f] = [Math.floor(i / 2), i % 2];
      return (4 * t + f) ** 2 - (4 * t + f + 2) ** 2;
    }),
  );
  assert.equal(rest.shape, [1, 2, 4]);
  assert.equal(
    [...rest.data],
    [4, 5, 6, 7, 8, 9, 10, 11].map((i) => i * i),
  );
});

/** A Keras 3 `__keras_tensor__` reference. */
const kt = (layer: string, index = 0) => ({
  class_name: '__keras_tensor__',
  config: { shape: null, dtype: 'float32', keras_history: [layer, 0, index] },
});

test('an explicit attention_mask (Keras 3 kwargs tensor) of the lower triangle equals use_causal_mask; the mask input gets no relevance or gradient', () => {
  const w = (name: string, shape: number[], data: Float32Array): WeightTensor => ({ name, shape, data });
  const layers = [
    { class_name: 'InputLayer', module: 'keras.layers', config: { name: 'x', batch_shape: [null, T, D] }, inbound_nodes: [] },
    { class_name: 'InputLayer', module: 'keras.layers', config: { name: 'm', batch_shape: [null, T, T] }, inbound_nodes: [] },
    {
      class_name: 'MultiHeadAttention',
      module: 'keras.layers',
      config: {
        name: 'mha',
        trainable: true,
        num_heads: H,
        key_dim: DK,
        value_dim: DV,
        use_bias: false,
        output_shape: null,
        attention_axes: null,
      },
      inbound_nodes: [{ args: [kt('x'), kt('x')], kwargs: { attention_mask: kt('m') } }],
    },
    {
      class_name: 'Flatten',
      module: 'keras.layers',
      config: { name: 'f', trainable: true },
      inbound_nodes: [{ args: [kt('mha')], kwargs: {} }],
    },
    {
      class_name: 'Dense',
      module: 'keras.layers',
      config: { name: 'd', trainable: true, units: C, activation: 'linear', use_bias: false },
      inbound_nodes: [{ args: [kt('f')], kwargs: {} }],
    },
  ];
  const masked = modelFromArchive(
    {
      fileName: 'masked.keras',
      config: {
        class_name: 'Functional',
        config: {
          name: 'masked',
          layers,
          input_layers: [
            ['x', 0, 0],
            ['m', 0, 0],
          ],
          output_layers: [['d', 0, 0]],
        },
      },
      kerasVersion: '3.15.1',
      backend: 'tensorflow',
      groups: new Map([
        [
          'mha',
          [
            w('mha/query_dense/vars/0', [D, H, DK], WEIGHTS.q),
            w('mha/key_dense/vars/0', [D, H, DK], WEIGHTS.k),
            w('mha/value_dense/vars/0', [D, H, DV], WEIGHTS.v),
            w('mha/output_dense/vars/0', [H, DV, D], WEIGHTS.o),
          ].reverse(),
        ],
        ['d', [w('d/vars/0', [T * D, C], WEIGHTS.d)]],
      ]),
    },
    {},
  );
  const causal = block({ causal: true });
  const tri: Tensor = { shape: [1, T, T], data: Float32Array.from({ length: T * T }, (_, i) => (Math.floor(i / T) >= i % T ? 1 : 0)) };
  assert.ok(relError((masked.logits([X, tri]) as Tensor).data, (causal.logits(X) as Tensor).data) < 1e-7);
  for (const method of ['gradient', 'attnlrp', 'cp-lrp', 'epsilon']) {
    const [Rx, Rm] = analyze(masked, [X, tri], { method, target: 1 }) as Tensor[];
    const ref = analyze(causal, X, { method, target: 1 });
    assert.ok(relError(Rx.data, ref.data) < 1e-6, `${method}: ${relError(Rx.data, ref.data)}`);
    assert.ok(
      Rm.data.every((v) => v === 0),
      `${method}: the mask input has relevance`,
    );
  }
});

test('Keras 3 GetItem op node with tuples, slices and Ellipsis (as Keras 3 serialises them) and a Mean op with its axis in the config', () => {
  const slice = (start: number | null, stop: number | null, step: number | null) => ({
    class_name: '__slice__',
    config: { start, stop, step },
  });
  const layers = [
    { class_name: 'InputLayer', module: 'keras.layers', config: { name: 'x', batch_shape: [null, 3, 4] }, inbound_nodes: [] },
    {
      class_name: 'GetItem',
      module: 'keras.src.ops.numpy',
      config: { name: 'get_item' },
      inbound_nodes: [
        {
          args: [
            kt('x'),
            { class_name: '__tuple__', config: { value: [{ class_name: '__ellipsis__', config: {} }, slice(null, null, -2)] } },
          ],
          kwargs: {},
        },
      ],
    },
    {
      class_name: 'Mean',
      module: 'keras.src.ops.numpy',
      config: { name: 'mean', axis: 1, keepdims: false },
      inbound_nodes: [{ args: [kt('get_item')], kwargs: {} }],
    },
  ];
  const model = modelFromArchive(
    {
      fileName: 'ops3.keras',
      config: { class_name: 'Functional', config: { name: 'ops3', layers, input_layers: [['x', 0, 0]], output_layers: [['mean', 0, 0]] } },
      kerasVersion: '3.15.1',
      backend: 'tensorflow',
      groups: new Map(),
    },
    {},
  );
  const x: Tensor = { shape: [1, 3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i) };
  const y = model.predict(x) as Tensor;
  assert.equal(y.shape, [1, 2]);
  // x[..., ::-2] keeps features 3 and 1; the mean over the 3 steps of feature f is f + 4.
  assert.equal([...y.data], [7, 5]);
});

test('a fully masked query row: tf.keras 2 keeps softmax(S − 1e9) (uniform here), Keras 3 sets the row to 0', () => {
  const w = (name: string, shape: number[], data: Float32Array): WeightTensor => ({ name, shape, data });
  const build = (keras: string): Model => {
    const node = (refs: unknown[]) => [refs];
    const layers = [
      { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, T, D] }, inbound_nodes: [] },
      { class_name: 'InputLayer', config: { name: 'm', batch_input_shape: [null, T, T] }, inbound_nodes: [] },
      {
        class_name: 'MultiHeadAttention',
        config: { name: 'mha', trainable: true, num_heads: H, key_dim: DK, value_dim: DV, use_bias: false },
        inbound_nodes: node([['x', 0, 0, { value: ['x', 0, 0], attention_mask: ['m', 0, 0], return_attention_scores: true }]]),
      },
    ];
    return modelFromArchive(
      {
        fileName: `rows-${keras}.h5`,
        config: {
          class_name: 'Functional',
          config: {
            name: 'rows',
            layers,
            input_layers: [
              ['x', 0, 0],
              ['m', 0, 0],
            ],
            output_layers: [
              ['mha', 0, 0],
              ['mha', 0, 1],
            ],
          },
        },
        kerasVersion: keras,
        backend: 'tensorflow',
        groups: new Map([
          [
            'mha',
            [
              w('mha/query/kernel:0', [D, H, DK], WEIGHTS.q),
              w('mha/key/kernel:0', [D, H, DK], WEIGHTS.k),
              w('mha/value/kernel:0', [D, H, DV], WEIGHTS.v),
              w('mha/attention_output/kernel:0', [H, DV, D], WEIGHTS.o),
            ],
          ],
        ]),
      },
      {},
    );
  };
  // Query step 0 sees no key; the others see every key.
  const mask: Tensor = { shape: [1, T, T], data: Float32Array.from({ length: T * T }, (_, i) => (i < T ? 0 : 1)) };
  const [, tf2] = build('2.15.0').predict([X, mask]) as unknown as Tensor[];
  const [out3, k3] = build('3.15.1').predict([X, mask]) as unknown as Tensor[];
  for (let h = 0; h < H; h++) {
    const row = (t: Tensor) => [...t.data.subarray(h * T * T, h * T * T + T)];
    assert.equal(row(tf2), new Array(T).fill(Math.fround(1 / T)));
    assert.equal(row(k3), new Array(T).fill(0));
    const next = [...k3.data.subarray(h * T * T + T, h * T * T + 2 * T)];
    assert.ok(Math.abs(next.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
  assert.equal([...out3.data.subarray(0, D)], new Array(D).fill(0));
});

test('positional tables as constants (tf.keras TFOpLambda add of a (1, T, D) list, Keras 3 Add with a __numpy__ array) and MultiHeadAttention called with query=, value= keywords', () => {
  const table = Array.from({ length: T }, (_, t) => Array.from({ length: D }, (_, d) => Math.sin(t + 0.3 * d)));
  const w = (name: string, shape: number[], data: Float32Array): WeightTensor => ({ name, shape, data });
  const weights = new Map([
    [
      'mha',
      [
        w('mha/query_dense/vars/0', [D, H, DK], WEIGHTS.q),
        w('mha/key_dense/vars/0', [D, H, DK], WEIGHTS.k),
        w('mha/value_dense/vars/0', [D, H, DV], WEIGHTS.v),
        w('mha/output_dense/vars/0', [H, DV, D], WEIGHTS.o),
      ],
    ],
    ['d', [w('d/vars/0', [T * D, C], WEIGHTS.d)]],
  ]);
  const keras3 = modelFromArchive(
    {
      fileName: 'pos3.keras',
      config: {
        class_name: 'Functional',
        config: {
          name: 'pos3',
          input_layers: [['x', 0, 0]],
          output_layers: [['d', 0, 0]],
          layers: [
            { class_name: 'InputLayer', module: 'keras.layers', config: { name: 'x', batch_shape: [null, T, D] }, inbound_nodes: [] },
            {
              class_name: 'Add',
              module: 'keras.src.ops.numpy',
              config: { name: 'add' },
              inbound_nodes: [{ args: [kt('x'), { class_name: '__numpy__', config: { value: [table], dtype: 'float32' } }], kwargs: {} }],
            },
            {
              class_name: 'MultiHeadAttention',
              module: 'keras.layers',
              config: { name: 'mha', trainable: true, num_heads: H, key_dim: DK, value_dim: DV, use_bias: false },
              inbound_nodes: [{ args: [], kwargs: { query: kt('add'), value: kt('add') } }],
            },
            {
              class_name: 'Flatten',
              module: 'keras.layers',
              config: { name: 'f', trainable: true },
              inbound_nodes: [{ args: [kt('mha')], kwargs: {} }],
            },
            {
              class_name: 'Dense',
              module: 'keras.layers',
              config: { name: 'd', trainable: true, units: C, use_bias: false },
              inbound_nodes: [{ args: [kt('f')], kwargs: {} }],
            },
          ],
        },
      },
      kerasVersion: '3.15.1',
      backend: 'tensorflow',
      groups: weights,
    },
    {},
  );
  const shifted: Tensor = { shape: X.shape, data: X.data.map((v, i) => v + Math.fround(table[Math.floor(i / D)][i % D])) };
  assert.ok(relError((keras3.logits(X) as Tensor).data, (block({}).logits(shifted) as Tensor).data) < 1e-6);
  // The constant passes relevance unchanged: attnlrp at the input is attnlrp at the shifted input.
  assert.ok(relError(analyze(keras3, X, { method: 'attnlrp' }).data, analyze(block({}), shifted, { method: 'attnlrp' }).data) < 1e-5);
  const op = {
    class_name: 'TFOpLambda',
    config: { name: 'pe', trainable: true, dtype: 'float32', function: '__operators__.add' },
    inbound_nodes: [['x', 0, 0, { y: [table.slice(0, 3).map((r) => r.slice(0, 4))], name: null }]],
  };
  const layers = [{ class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3, 4] }, inbound_nodes: [] }, op];
  const pe = modelFromArchive(
    {
      fileName: 'pe.h5',
      config: { class_name: 'Functional', config: { name: 'pe', layers, input_layers: [['x', 0, 0]], output_layers: [['pe', 0, 0]] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map(),
    },
    {},
  );
  const y = pe.predict({ shape: [2, 3, 4], data: new Float32Array(24) }) as Tensor;
  assert.equal(
    [...y.data.subarray(12)],
    table
      .slice(0, 3)
      .flatMap((r) => r.slice(0, 4))
      .map(Math.fround),
  );
});

test('a tf.keras 2 HDF5 file (model.save("x.h5")) of an attention block loads and runs as the same block', async () => {
  const layer = (class_name: string, config: Record<string, unknown>, inbound: unknown[]) => ({
    class_name,
    config,
    inbound_nodes: inbound.length ? [inbound] : [],
  });
  const config = {
    class_name: 'Functional',
    config: {
      name: 'block',
      input_layers: [['x', 0, 0]],
      output_layers: [['d', 0, 0]],
      layers: [
        layer('InputLayer', { name: 'x', batch_input_shape: [null, T, D] }, []),
        layer('MultiHeadAttention', { name: 'mha', num_heads: H, key_dim: DK, value_dim: DV, use_bias: false, attention_axes: [1] }, [
          ['x', 0, 0, { value: ['x', 0, 0] }],
        ]),
        // tf.keras writes a TFOpLambda's call node flat: [layer, node, tensor, kwargs].
        {
          class_name: 'TFOpLambda',
          config: { name: 'tf.__operators__.add', function: '__operators__.add' },
          inbound_nodes: [['mha', 0, 0, { y: ['x', 0, 0], name: null }]],
        },
        layer('Flatten', { name: 'f' }, [['tf.__operators__.add', 0, 0, {}]]),
        layer('Dense', { name: 'd', units: C, activation: 'linear', use_bias: false }, [['f', 0, 0, {}]]),
      ],
    },
  };
  const bytes = await legacyH5(
    config,
    {
      x: [],
      'tf.__operators__.add': [],
      f: [],
      mha: [
        { name: 'mha/query/kernel:0', shape: [D, H, DK], data: WEIGHTS.q },
        { name: 'mha/key/kernel:0', shape: [D, H, DK], data: WEIGHTS.k },
        { name: 'mha/value/kernel:0', shape: [D, H, DV], data: WEIGHTS.v },
        { name: 'mha/attention_output/kernel:0', shape: [H, DV, D], data: WEIGHTS.o },
      ],
      d: [{ name: 'd/kernel:0', shape: [T * D, C], data: WEIGHTS.d }],
    },
    '2.15.0',
  );
  const fromFile = await loadModel(bytes);
  const inMemory = block({ residual: true });
  assert.equal(fromFile.logits(X), inMemory.logits(X));
  for (const method of ['attnlrp', 'cp-lrp', 'gradient'])
    assert.equal(analyze(fromFile, X, { method }), analyze(inMemory, X, { method }), method);
});

test('truediv of two tensors (broadcast) and reduce_sum: gradient against finite differences; LRP refuses the quotient by name', () => {
  const op = (name: string, fn: string, first: unknown[], kwargs: Record<string, unknown>) => ({
    class_name: 'TFOpLambda',
    config: { name, trainable: true, dtype: 'float32', function: fn },
    inbound_nodes: [[...first, { ...kwargs, name: null }]],
  });
  const layers = [
    { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3, 4] }, inbound_nodes: [] },
    op('total', 'math.reduce_sum', ['x', 0, 0], { axis: -1, keepdims: true }),
    op('share', 'math.truediv', ['x', 0, 0], { y: ['total', 0, 0] }),
    op('sq', 'math.square', ['share', 0, 0], {}),
    op('out', 'math.reduce_sum', ['sq', 0, 0], { axis: 1 }),
  ];
  const model = modelFromArchive(
    {
      fileName: 'div.keras',
      config: { class_name: 'Functional', config: { name: 'div', layers, input_layers: [['x', 0, 0]], output_layers: [['out', 0, 0]] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map(),
    },
    {},
  );
  const x = Float64Array.from({ length: 12 }, (_, i) => 1 + ((i * 7) % 5) / 3);
  // out[f] = Σ_t (x[t,f] / Σ_g x[t,g])²
  const f = (v: Float64Array, j: number): number =>
    [0, 1, 2].reduce((acc, t) => acc + (v[t * 4 + j] / (v[t * 4] + v[t * 4 + 1] + v[t * 4 + 2] + v[t * 4 + 3])) ** 2, 0);
  const y = model.predict({ shape: [1, 3, 4], data: Float32Array.from(x) }) as Tensor;
  assert.ok(
    relError(
      y.data,
      [0, 1, 2, 3].map((j) => f(x, j)),
    ) < 1e-6,
  );
  const g = analyze(model, { shape: [1, 3, 4], data: Float32Array.from(x) }, { method: 'gradient', target: 2 });
  const fd = Array.from({ length: 12 }, (_, i) => {
    const [up, down] = [x.slice(), x.slice()];
    up[i] += 1e-6;
    down[i] -= 1e-6;
    return (f(up, 2) - f(down, 2)) / 2e-6;
  });
  assert.ok(relError(g.data, fd) < 1e-5, `${[...g.data]} vs ${fd}`);
  assert.throws(
    () => analyze(model, { shape: [1, 3, 4], data: Float32Array.from(x) }, { method: 'epsilon', target: 2 }),
    /'share' \(TFOpLambda\).*quotient/,
  );
});

test('reduce_mean (the Average rule) and reduce_sum conserve relevance: R_i = x_i·R / (n·stab(mean)), summing to the logit', () => {
  const layers = [
    { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, 3, 4] }, inbound_nodes: [] },
    {
      class_name: 'TFOpLambda',
      config: { name: 'm', function: 'math.reduce_mean' },
      inbound_nodes: [['x', 0, 0, { axis: 1, name: null }]],
    },
    { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false, activation: 'linear' }, inbound_nodes: [[['m', 0, 0, {}]]] },
  ];
  const W = random([4, 2], 21);
  const model = modelFromArchive(
    {
      fileName: 'mean.h5',
      config: { class_name: 'Functional', config: { name: 'mean', layers, input_layers: [['x', 0, 0]], output_layers: [['d', 0, 0]] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map([['d', [{ name: 'd/kernel:0', shape: [4, 2], data: W }]]]),
    },
    {},
  );
  const x: Tensor = { shape: [1, 3, 4], data: random([3, 4], 22, 2).map((v) => v + 2) };
  const logit = (model.logits(x) as Tensor).data[1];
  const R = analyze(model, x, { method: 'epsilon', epsilon: 0, target: 1 });
  assert.ok(Math.abs(R.data.reduce((a, b) => a + b, 0) - logit) < 1e-5 * Math.abs(logit));
  // Each step's share of a feature's mean is its share of the sum.
  for (let f = 0; f < 4; f++) {
    const col = [0, 1, 2].map((t) => x.data[t * 4 + f]);
    const mean = col.reduce((a, b) => a + b, 0) / 3;
    const Rf = mean * W[f * 2 + 1];
    col.forEach((v, t) => assert.ok(Math.abs(R.data[t * 4 + f] - (v * Rf) / (3 * (mean + 1e-6))) < 1e-5 * Math.abs(Rf)));
  }
});

test.run();
