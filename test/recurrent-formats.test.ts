// Recurrent layers in every Keras generation's layout (CONVENTIONS-RECURRENT.md §1), against a float64
// re-implementation written here from the conventions' formulas, and against each other: Keras 1 per-gate
// arrays, Keras 2 vs Keras 3 hard_sigmoid, CuDNNLSTM/CuDNNGRU, GRU reset_after both ways, .keras
// Bidirectional weights (forward_layer/backward_layer), initial_state as model inputs (Keras 2 node inputs
// and Keras 3 kwargs), return_state outputs, Masking, TimeDistributed(Dense) and masked
// GlobalAveragePooling1D after a Bidirectional, returnLayers per time step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uniformGenerator as prng } from '../src/attribution/random.js';
import { analyze, loadModel } from '../src/node.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import type { Tensor } from '../src/tensor.js';
import { kerasZip } from './keras-writer.js';

const T = 5;
const F = 3;
const U = 4;
type LayerJson = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown };

function random(len: number, seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: len }, () => r() - 0.5);
}

function sequential(
  inputShape: (number | null)[],
  layers: LayerJson[],
  groups: Record<string, [string, Float32Array, number[]][]>,
  kerasVersion: string,
): Model {
  const map = new Map<string, WeightTensor[]>(
    Object.entries(groups).map(([layer, ws]) => [layer, ws.map(([name, data, shape]) => ({ name: `${layer}/${name}`, data, shape }))]),
  );
  const input = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape] } };
  return modelFromArchive(
    {
      fileName: 'fmt.h5',
      config: { class_name: 'Sequential', config: { name: 's', layers: [input, ...layers] } },
      kerasVersion,
      backend: 'tensorflow',
      groups: map,
    },
    {},
  );
}

const out = (t: Tensor | Tensor[], k = 0): Float32Array => (Array.isArray(t) ? t[k] : t).data;
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void => {
  assert.is(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(scale, 1e-30), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

// ---- float64 reference cells (CONVENTIONS-RECURRENT.md §1), one sample, returning every h_t ----
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const hardSigmoid2 = (z: number): number => Math.min(1, Math.max(0, 0.2 * z + 0.5));
const hardSigmoid3 = (z: number): number => Math.min(1, Math.max(0, z / 6 + 0.5));
const matvec = (x: ArrayLike<number>, M: Float32Array, rows: number, cols: number): number[] => {
  const y = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c] += x[r] * M[r * cols + c];
  return y;
};

function refLSTM(x: Float32Array, W: Float32Array, Uk: Float32Array, b: Float32Array, rec: (z: number) => number): number[][] {
  let h = new Array<number>(U).fill(0);
  let c = new Array<number>(U).fill(0);
  const hs: number[][] = [];
  for (let t = 0; t < T; t++) {
    const xw = matvec(x.subarray(t * F, (t + 1) * F), W, F, 4 * U);
    const hu = matvec(h, Uk, U, 4 * U);
    const z = xw.map((v, j) => v + hu[j] + b[j]);
    c = c.map((cv, j) => rec(z[U + j]) * cv + rec(z[j]) * Math.tanh(z[2 * U + j]));
    h = c.map((cv, j) => rec(z[3 * U + j]) * Math.tanh(cv));
    hs.push(h);
  }
  return hs;
}

function refGRU(
  x: Float32Array,
  W: Float32Array,
  Uk: Float32Array,
  bi: ArrayLike<number>,
  bh: ArrayLike<number> | null,
  resetAfter: boolean,
): number[][] {
  let h = new Array<number>(U).fill(0);
  const hs: number[][] = [];
  for (let t = 0; t < T; t++) {
    const mx = matvec(x.subarray(t * F, (t + 1) * F), W, F, 3 * U).map((v, j) => v + bi[j]);
    const mh = matvec(h, Uk, U, 3 * U).map((v, j) => v + (bh ? bh[j] : 0));
    const z = mx.slice(0, U).map((v, j) => sigmoid(v + mh[j]));
    const r = mx.slice(U, 2 * U).map((v, j) => sigmoid(v + mh[U + j]));
    let a: number[];
    if (resetAfter) a = mx.slice(2 * U).map((v, j) => v + r[j] * mh[2 * U + j]);
    else {
      const rh = matvec(
        h.map((v, k) => r[k] * v),
        Uk,
        U,
        3 * U,
      );
      a = mx.slice(2 * U).map((v, j) => v + rh[2 * U + j]);
    }
    h = h.map((hv, j) => z[j] * hv + (1 - z[j]) * Math.tanh(a[j]));
    hs.push(h);
  }
  return hs;
}

const x1 = random(T * F, 1);
const sample = { shape: [1, T, F], data: x1 };
const seqOut = (m: Model, input: Tensor = sample): Float32Array => out(m.logits(input));

test('LSTM against the float64 reference: sigmoid, Keras 2 hard_sigmoid (0.2x + 0.5) and Keras 3 hard_sigmoid (x/6 + 0.5)', () => {
  const W = random(F * 4 * U, 2);
  const Uk = random(U * 4 * U, 3);
  const b = random(4 * U, 4);
  const weights = {
    l: [
      ['cell/kernel:0', W, [F, 4 * U]],
      ['cell/recurrent_kernel:0', Uk, [U, 4 * U]],
      ['cell/bias:0', b, [4 * U]],
    ] as [string, Float32Array, number[]][],
  };
  const layer = (rec: string): LayerJson => ({
    class_name: 'LSTM',
    config: { name: 'l', units: U, recurrent_activation: rec, return_sequences: true },
  });
  close(seqOut(sequential([T, F], [layer('sigmoid')], weights, '2.15.0')), refLSTM(x1, W, Uk, b, sigmoid).flat(), 1e-5, 'sigmoid');
  close(
    seqOut(sequential([T, F], [layer('hard_sigmoid')], weights, '2.15.0')),
    refLSTM(x1, W, Uk, b, hardSigmoid2).flat(),
    1e-5,
    'Keras 2 hard_sigmoid',
  );
  close(
    seqOut(sequential([T, F], [layer('hard_sigmoid')], weights, '3.3.3')),
    refLSTM(x1, W, Uk, b, hardSigmoid3).flat(),
    1e-5,
    'Keras 3 hard_sigmoid',
  );
  // Keras 1 and 2.0–2.2 wrote no recurrent_activation only when it was the default, hard_sigmoid.
  const implicit = { class_name: 'LSTM', config: { name: 'l', units: U, return_sequences: true } };
  close(seqOut(sequential([T, F], [implicit], weights, '2.1.6')), refLSTM(x1, W, Uk, b, hardSigmoid2).flat(), 1e-5, 'default of Keras 2.1');
});

test('Keras 1 LSTM (12 per-gate arrays, output_dim, inner_activation) equals the Keras 2 layout of the same gates', () => {
  const gates = ['i', 'c', 'f', 'o'];
  const arrays = gates.map((_, g) => [random(F * U, 10 + g), random(U * U, 20 + g), random(U, 30 + g)]);
  const keras1 = sequential(
    [T, F],
    [
      {
        class_name: 'LSTM',
        config: { name: 'l', output_dim: U, inner_activation: 'hard_sigmoid', activation: 'tanh', return_sequences: true },
      },
    ],
    {
      l: gates.flatMap(
        (g, k) =>
          [
            [`W_${g}`, arrays[k][0], [F, U]],
            [`U_${g}`, arrays[k][1], [U, U]],
            [`b_${g}`, arrays[k][2], [U]],
          ] as [string, Float32Array, number[]][],
      ),
    },
    '1.2.2',
  );
  // Keras 2 blocks are i, f, c, o.
  const order = [0, 2, 1, 3];
  const side = (part: number, rows: number): Float32Array => {
    const o = new Float32Array(rows * 4 * U);
    for (let r = 0; r < rows; r++)
      for (const [blk, g] of order.entries()) o.set(arrays[g][part].subarray(r * U, (r + 1) * U), (r * 4 + blk) * U);
    return o;
  };
  const W = side(0, F);
  const Uk = side(1, U);
  const b = side(2, 1);
  close(seqOut(keras1), refLSTM(x1, W, Uk, b, hardSigmoid2).flat(), 1e-5, 'Keras 1');
});

test('GRU against the float64 reference, reset_after true (bias (2, 3u)) and false (bias (3u)); CuDNNGRU is reset_after', () => {
  const W = random(F * 3 * U, 40);
  const Uk = random(U * 3 * U, 41);
  const b2 = random(6 * U, 42);
  const layer = (cls: string, extra = {}): LayerJson => ({
    class_name: cls,
    config: { name: 'g', units: U, recurrent_activation: 'sigmoid', return_sequences: true, ...extra },
  });
  const w = (bias: Float32Array, shape: number[]): Record<string, [string, Float32Array, number[]][]> => ({
    g: [
      ['cell/kernel:0', W, [F, 3 * U]],
      ['cell/recurrent_kernel:0', Uk, [U, 3 * U]],
      ['cell/bias:0', bias, shape],
    ],
  });
  const after = refGRU(x1, W, Uk, b2.subarray(0, 3 * U), b2.subarray(3 * U), true).flat();
  close(seqOut(sequential([T, F], [layer('GRU', { reset_after: true })], w(b2, [2, 3 * U]), '2.15.0')), after, 1e-5, 'reset_after');
  close(seqOut(sequential([T, F], [layer('CuDNNGRU')], w(b2, [6 * U]), '2.2.4')), after, 1e-5, 'CuDNNGRU');
  const b1 = b2.subarray(0, 3 * U);
  close(
    seqOut(sequential([T, F], [layer('GRU', { reset_after: false })], w(b1, [3 * U]), '2.15.0')),
    refGRU(x1, W, Uk, b1, null, false).flat(),
    1e-5,
    'reset_after=False',
  );
});

test('CuDNNLSTM: bias (8u) is the input and recurrent biases, added; sigmoid gates', () => {
  const W = random(F * 4 * U, 50);
  const Uk = random(U * 4 * U, 51);
  const b8 = random(8 * U, 52);
  const model = sequential(
    [T, F],
    [{ class_name: 'CuDNNLSTM', config: { name: 'l', units: U, return_sequences: true } }],
    {
      l: [
        ['kernel:0', W, [F, 4 * U]],
        ['recurrent_kernel:0', Uk, [U, 4 * U]],
        ['bias:0', b8, [8 * U]],
      ],
    },
    '2.2.4',
  );
  const b = Float32Array.from({ length: 4 * U }, (_, j) => b8[j] + b8[4 * U + j]);
  close(seqOut(model), refLSTM(x1, W, Uk, b, sigmoid).flat(), 1e-5, 'CuDNNLSTM');
});

test('SimpleRNN against the float64 reference (relu activation, no bias)', () => {
  const W = random(F * U, 60);
  const Uk = random(U * U, 61);
  const model = sequential(
    [T, F],
    [{ class_name: 'SimpleRNN', config: { name: 's', units: U, activation: 'relu', use_bias: false, return_sequences: true } }],
    {
      s: [
        ['cell/kernel:0', W, [F, U]],
        ['cell/recurrent_kernel:0', Uk, [U, U]],
      ],
    },
    '2.15.0',
  );
  let h = new Array<number>(U).fill(0);
  const expected: number[] = [];
  for (let t = 0; t < T; t++) {
    const a = matvec(x1.subarray(t * F, (t + 1) * F), W, F, U);
    const r = matvec(h, Uk, U, U);
    h = a.map((v, j) => Math.max(0, v + r[j]));
    expected.push(...h);
  }
  close(seqOut(model), expected, 1e-5, 'SimpleRNN');
});

/** A Keras 3 functional config: `layers` with inbound nodes in Keras 3's {args, kwargs} form. */
const kt = (layer: string, shape: (number | null)[]): unknown => ({
  class_name: '__keras_tensor__',
  config: { shape: [null, ...shape], dtype: 'float32', keras_history: [layer, 0, 0] },
});
const inputLayer = (name: string, shape: (number | null)[]): LayerJson => ({
  class_name: 'InputLayer',
  name,
  config: { name, batch_shape: [null, ...shape] },
  inbound_nodes: [],
});

test(".keras Bidirectional: weights under forward_layer/cell and backward_layer/cell (stored backward first) give the h5 layout's outputs", async () => {
  const fw = [random(F * 4 * U, 70), random(U * 4 * U, 71), random(4 * U, 72)];
  const bw = [random(F * 4 * U, 73), random(U * 4 * U, 74), random(4 * U, 75)];
  const shapes = [[F, 4 * U], [U, 4 * U], [4 * U]];
  const bi: LayerJson = {
    class_name: 'Bidirectional',
    config: { name: 'bi', merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'l', units: U, return_sequences: true } } },
  };
  const h5 = sequential(
    [T, F],
    [bi],
    {
      bi: [
        ...fw.map((d, k): [string, Float32Array, number[]] => [`forward_l/cell/${k}`, d, shapes[k]]),
        ...bw.map((d, k): [string, Float32Array, number[]] => [`backward_l/cell/${k}`, d, shapes[k]]),
      ],
    },
    '2.15.0',
  );
  const config = {
    class_name: 'Functional',
    config: {
      name: 'f',
      layers: [inputLayer('in', [T, F]), { ...bi, name: 'bi', inbound_nodes: [{ args: [kt('in', [T, F])], kwargs: {} }] }],
      input_layers: [['in', 0, 0]],
      output_layers: [['bi', 0, 0]],
    },
  };
  const bytes = await kerasZip(config, {
    'layers/bidirectional/backward_layer/cell': { weights: bw.map((data, k) => ({ name: String(k), shape: shapes[k], data })) },
    'layers/bidirectional/forward_layer/cell': { weights: fw.map((data, k) => ({ name: String(k), shape: shapes[k], data })) },
  });
  const zip = await loadModel(bytes);
  close(seqOut(zip), seqOut(h5), 0, '.keras vs h5');
  const R1 = analyze(zip, sample, { method: 'epsilon', target: 3 });
  const R2 = analyze(h5, sample, { method: 'epsilon', target: 3 });
  close((R1 as Tensor).data, (R2 as Tensor).data, 0, 'relevance');
});

test('initial_state as model inputs (Keras 3 kwargs and Keras 2 node inputs) and return_state outputs; gradients reach h0 and c0', () => {
  const W = random(F * 4 * U, 80);
  const Uk = random(U * 4 * U, 81);
  const b = random(4 * U, 82);
  const groups = new Map<string, WeightTensor[]>([
    [
      'l',
      [
        { name: 'l/cell/kernel', shape: [F, 4 * U], data: W },
        { name: 'l/cell/recurrent_kernel', shape: [U, 4 * U], data: Uk },
        { name: 'l/cell/bias', shape: [4 * U], data: b },
      ],
    ],
  ]);
  const lstm = { class_name: 'LSTM', config: { name: 'l', units: U, return_state: true } };
  const inputs = [inputLayer('x', [T, F]), inputLayer('h0', [U]), inputLayer('c0', [U])];
  const keras3 = {
    class_name: 'Functional',
    config: {
      name: 'f',
      layers: [
        ...inputs,
        {
          ...lstm,
          name: 'l',
          inbound_nodes: [{ args: [kt('x', [T, F])], kwargs: { initial_state: [kt('h0', [U]), kt('c0', [U])], mask: null } }],
        },
      ],
      input_layers: [
        ['x', 0, 0],
        ['h0', 0, 0],
        ['c0', 0, 0],
      ],
      output_layers: [
        ['l', 0, 0],
        ['l', 0, 1],
        ['l', 0, 2],
      ],
    },
  };
  const keras2 = {
    class_name: 'Functional',
    config: {
      name: 'f',
      layers: [
        ...inputs.map((l) => ({ ...l, inbound_nodes: [] })),
        {
          ...lstm,
          name: 'l',
          inbound_nodes: [
            [
              ['x', 0, 0, {}],
              ['h0', 0, 0, {}],
              ['c0', 0, 0, {}],
            ],
          ],
        },
      ],
      input_layers: [
        ['x', 0, 0],
        ['h0', 0, 0],
        ['c0', 0, 0],
      ],
      output_layers: [
        ['l', 0, 0],
        ['l', 0, 1],
        ['l', 0, 2],
      ],
    },
  };
  const h0 = random(U, 83);
  const c0 = random(U, 84);
  const x = [sample, { shape: [1, U], data: h0 }, { shape: [1, U], data: c0 }];
  const results = [keras3, keras2].map((config, k) => {
    const model = modelFromArchive(
      { fileName: `state${k}.h5`, config, kerasVersion: k === 0 ? '3.3.3' : '2.15.0', backend: 'tensorflow', groups },
      {},
    );
    assert.equal(model.outputNames.length, 3);
    const y = model.logits(x) as Tensor[];
    close(y[0].data, y[1].data, 0, 'output = h_T');
    return { model, y };
  });
  close(results[0].y[2].data, results[1].y[2].data, 0, 'c_T, Keras 3 vs Keras 2');
  // Reference with the given initial states.
  let h = Array.from(h0);
  let c = Array.from(c0);
  for (let t = 0; t < T; t++) {
    const z = matvec(x1.subarray(t * F, (t + 1) * F), W, F, 4 * U).map((v, j) => v + matvec(h, Uk, U, 4 * U)[j] + b[j]);
    c = c.map((cv, j) => sigmoid(z[U + j]) * cv + sigmoid(z[j]) * Math.tanh(z[2 * U + j]));
    h = c.map((cv, j) => sigmoid(z[3 * U + j]) * Math.tanh(cv));
  }
  close(results[0].y[0].data, h, 1e-5, 'h_T');
  close(results[0].y[2].data, c, 1e-5, 'c_T');
  // ∂ c_T[1] / ∂ c0 by central differences (output 2, the cell state).
  const { model } = results[0];
  const g = analyze(model, x, { method: 'gradient', output: 2, target: 1 }) as Tensor[];
  assert.is(g.length, 3);
  const fd = Array.from(c0, (_, i) => {
    const at = (d: number): number => {
      const c1 = c0.slice();
      c1[i] += d;
      return (model.logits([sample, x[1], { shape: [1, U], data: c1 }]) as Tensor[])[2].data[1];
    };
    return (at(1e-2) - at(-1e-2)) / 2e-2;
  });
  close(g[2].data, fd, 2e-3, '∂c_T/∂c0');
  const R = analyze(model, x, { method: 'epsilon', output: 0, target: 0 }) as Tensor[];
  assert.ok(R[1].data.some((v) => v !== 0) && R[2].data.some((v) => v !== 0), 'initial states receive relevance');
});

test('Masking: trailing all-zero steps are skipped (logits and relevance of the unpadded sequence, 0 at the padding)', () => {
  const W = random(F * 4 * U, 90);
  const Uk = random(U * 4 * U, 91);
  const b = random(4 * U, 92);
  const layers: LayerJson[] = [
    { class_name: 'Masking', config: { name: 'm', mask_value: 0 } },
    { class_name: 'LSTM', config: { name: 'l', units: U } },
    { class_name: 'Dense', config: { name: 'd', units: 2 } },
  ];
  const groups = {
    l: [
      ['cell/kernel', W, [F, 4 * U]],
      ['cell/recurrent_kernel', Uk, [U, 4 * U]],
      ['cell/bias', b, [4 * U]],
    ] as [string, Float32Array, number[]][],
    d: [
      ['kernel', random(U * 2, 93), [U, 2]],
      ['bias', random(2, 94), [2]],
    ] as [string, Float32Array, number[]][],
  };
  const model = sequential([null, F], layers, groups, '2.15.0');
  const padded = { shape: [1, T + 2, F], data: new Float32Array((T + 2) * F) };
  padded.data.set(x1);
  close(out(model.logits(padded)), out(model.logits(sample)), 1e-6, 'logits');
  const Ra = (analyze(model, sample, { method: 'epsilon', target: 0 }) as Tensor).data;
  const Rb = (analyze(model, padded, { method: 'epsilon', target: 0 }) as Tensor).data;
  close(Rb.subarray(0, T * F), Ra, 1e-6, 'relevance');
  assert.equal(Array.from(Rb.subarray(T * F)), new Array(2 * F).fill(0));
});

test('Embedding(mask_zero) → Bidirectional GRU (return_sequences) → TimeDistributed(Dense) → masked GlobalAveragePooling1D: padding changes nothing; returnLayers per time step', () => {
  const fw = [random(F * 3 * U, 100), random(U * 3 * U, 101), random(6 * U, 102)];
  const bw = [random(F * 3 * U, 103), random(U * 3 * U, 104), random(6 * U, 105)];
  const shapes = [
    [F, 3 * U],
    [U, 3 * U],
    [2, 3 * U],
  ];
  const model = sequential(
    [null],
    [
      { class_name: 'Embedding', config: { name: 'e', input_dim: 12, output_dim: F, mask_zero: true } },
      {
        class_name: 'Bidirectional',
        config: {
          name: 'bi',
          merge_mode: 'concat',
          layer: { class_name: 'GRU', config: { name: 'g', units: U, return_sequences: true, reset_after: true } },
        },
      },
      {
        class_name: 'TimeDistributed',
        config: { name: 'td', layer: { class_name: 'Dense', config: { name: 'dd', units: 3, activation: 'tanh' } } },
      },
      { class_name: 'GlobalAveragePooling1D', config: { name: 'gap' } },
      { class_name: 'Dense', config: { name: 'd', units: 2 } },
    ],
    {
      e: [['embeddings', random(12 * F, 106), [12, F]]],
      bi: [
        ...fw.map((d, k): [string, Float32Array, number[]] => [`forward_g/${k}`, d, shapes[k]]),
        ...bw.map((d, k): [string, Float32Array, number[]] => [`backward_g/${k}`, d, shapes[k]]),
      ],
      td: [
        ['kernel', random(2 * U * 3, 107), [2 * U, 3]],
        ['bias', random(3, 108), [3]],
      ],
      d: [
        ['kernel', random(6, 109), [3, 2]],
        ['bias', random(2, 110), [2]],
      ],
    },
    '2.15.0',
  );
  const short = { shape: [1, 4], data: Float32Array.from([3, 7, 1, 11]) };
  const long = { shape: [1, 6], data: Float32Array.from([3, 7, 1, 11, 0, 0]) };
  close(out(model.logits(long)), out(model.logits(short)), 1e-6, 'logits');
  for (const method of ['epsilon', 'gradient-x-input', 'integrated-gradients']) {
    const Ra = (analyze(model, short, { method, target: 1 }) as Tensor).data;
    const Rb = (analyze(model, long, { method, target: 1 }) as Tensor).data;
    close(Rb.subarray(0, 4), Ra, 1e-5, method);
    assert.equal(Array.from(Rb.subarray(4)), [0, 0], `${method}: padding`);
  }
  const R = analyze(model, long, { method: 'epsilon', target: 1, returnLayers: true }) as Tensor & { layers: Record<string, Tensor> };
  // Relevance at the Bidirectional's input: one row of embedding relevance per time step, padding rows 0.
  assert.equal(R.layers.bi.shape, [1, 6, F]);
  assert.equal(Array.from(R.layers.bi.data.subarray(4 * F)), new Array(2 * F).fill(0));
  close([R.layers.bi.data.reduce((a, v) => a + v, 0)], [R.data.reduce((a, v) => a + v, 0)], 1e-6, 'Embedding sums its rows');
});

test('Keras 3 functional: LSTM reads the mask as its `mask` keyword from a NotEqual node (tokens != 0); padding changes nothing', () => {
  const W = random(F * 4 * U, 120);
  const Uk = random(U * 4 * U, 121);
  const b = random(4 * U, 122);
  const groups = new Map<string, WeightTensor[]>([
    ['e', [{ name: 'e/embeddings', shape: [9, F], data: random(9 * F, 123) }]],
    [
      'l',
      [
        { name: 'l/cell/kernel', shape: [F, 4 * U], data: W },
        { name: 'l/cell/recurrent_kernel', shape: [U, 4 * U], data: Uk },
        { name: 'l/cell/bias', shape: [4 * U], data: b },
      ],
    ],
  ]);
  const config = (length: number | null) => ({
    class_name: 'Functional',
    config: {
      name: 'f',
      input_layers: [['tokens', 0, 0]],
      output_layers: [['l', 0, 0]],
      layers: [
        inputLayer('tokens', [length]),
        {
          class_name: 'Embedding',
          name: 'e',
          config: { name: 'e', input_dim: 9, output_dim: F, mask_zero: true },
          inbound_nodes: [{ args: [kt('tokens', [length])], kwargs: {} }],
        },
        {
          module: 'keras.src.ops.numpy',
          class_name: 'NotEqual',
          registered_name: 'NotEqual',
          name: 'not_equal',
          config: { name: 'not_equal' },
          inbound_nodes: [{ args: [kt('tokens', [length]), 0], kwargs: {} }],
        },
        {
          class_name: 'LSTM',
          name: 'l',
          config: { name: 'l', units: U, return_sequences: false },
          inbound_nodes: [{ args: [kt('e', [length, F])], kwargs: { training: false, mask: kt('not_equal', [length]) } }],
        },
      ],
    },
  });
  const model = modelFromArchive(
    { fileName: 'k3mask.keras', config: config(null), kerasVersion: '3.15.1', backend: 'tensorflow', groups },
    {},
  );
  const short = { shape: [1, 3], data: Float32Array.from([4, 2, 7]) };
  const long = { shape: [1, 5], data: Float32Array.from([4, 2, 7, 0, 0]) };
  close(out(model.logits(long)), out(model.logits(short)), 1e-6, 'logits');
  const Rb = (analyze(model, long, { method: 'epsilon', target: 2 }) as Tensor).data;
  close(Rb.subarray(0, 3), (analyze(model, short, { method: 'epsilon', target: 2 }) as Tensor).data, 1e-6, 'relevance');
  assert.equal(Array.from(Rb.subarray(3)), [0, 0]);
});

test('Bidirectional with a stored backward_layer equals the default backward copy; merge_mode None with return_state gives six tensors', () => {
  const fw = [random(F * 4 * U, 130), random(U * 4 * U, 131), random(4 * U, 132)];
  const bw = [random(F * 4 * U, 133), random(U * 4 * U, 134), random(4 * U, 135)];
  const shapes = [[F, 4 * U], [U, 4 * U], [4 * U]];
  const weights = {
    bi: [
      ...fw.map((d, k): [string, Float32Array, number[]] => [`forward_l/${k}`, d, shapes[k]]),
      ...bw.map((d, k): [string, Float32Array, number[]] => [`backward_l/${k}`, d, shapes[k]]),
    ],
  };
  const lstm = { class_name: 'LSTM', config: { name: 'l', units: U, return_sequences: true } };
  const plain = sequential(
    [T, F],
    [{ class_name: 'Bidirectional', config: { name: 'bi', merge_mode: 'sum', layer: lstm } }],
    weights,
    '2.15.0',
  );
  const explicit = sequential(
    [T, F],
    [
      {
        class_name: 'Bidirectional',
        config: {
          name: 'bi',
          merge_mode: 'sum',
          layer: lstm,
          backward_layer: { class_name: 'LSTM', config: { name: 'lb', units: U, return_sequences: true, go_backwards: true } },
        },
      },
    ],
    weights,
    '2.15.0',
  );
  close(seqOut(explicit), seqOut(plain), 0, 'backward_layer');
  const none = modelFromArchive(
    {
      fileName: 'none.h5',
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map([['bi', weights.bi.map(([name, data, shape]) => ({ name: `bi/${name}`, data, shape }))]]),
      config: {
        class_name: 'Functional',
        config: {
          name: 'f',
          input_layers: [['in', 0, 0]],
          output_layers: [0, 1, 2, 3, 4, 5].map((k) => ['bi', 0, k]),
          layers: [
            { ...inputLayer('in', [T, F]), inbound_nodes: [] },
            {
              class_name: 'Bidirectional',
              name: 'bi',
              config: { name: 'bi', merge_mode: null, layer: { class_name: 'LSTM', config: { name: 'l', units: U, return_state: true } } },
              inbound_nodes: [[['in', 0, 0, {}]]],
            },
          ],
        },
      },
    },
    {},
  );
  const ys = none.logits(sample) as unknown as Tensor[];
  assert.is(ys.length, 6);
  close(ys[0].data, ys[2].data, 0, 'forward output = forward h');
  close(ys[1].data, ys[4].data, 0, 'backward output = backward h');
  const summed = out(
    sequential(
      [T, F],
      [
        {
          class_name: 'Bidirectional',
          config: { name: 'bi', merge_mode: 'sum', layer: { class_name: 'LSTM', config: { name: 'l', units: U } } },
        },
      ],
      weights,
      '2.15.0',
    ).logits(sample),
  );
  close(
    ys[0].data.map((v, i) => v + ys[1].data[i]),
    summed,
    1e-6,
    'sum of the two outputs',
  );
});

test('Keras 1 GRU (9 per-gate arrays z, r, h) equals the float64 reference (reset after the product, hard_sigmoid)', () => {
  const arrays = [0, 1, 2].map((g) => [random(F * U, 140 + g), random(U * U, 150 + g), random(U, 160 + g)]);
  const model = sequential(
    [T, F],
    [{ class_name: 'GRU', config: { name: 'g', output_dim: U, inner_activation: 'sigmoid', return_sequences: true } }],
    {
      g: ['z', 'r', 'h'].flatMap(
        (g, k) =>
          [
            [`W_${g}`, arrays[k][0], [F, U]],
            [`U_${g}`, arrays[k][1], [U, U]],
            [`b_${g}`, arrays[k][2], [U]],
          ] as [string, Float32Array, number[]][],
      ),
    },
    '1.2.2',
  );
  const side = (part: number, rows: number): Float32Array => {
    const o = new Float32Array(rows * 3 * U);
    for (let r = 0; r < rows; r++) for (const [blk, a] of arrays.entries()) o.set(a[part].subarray(r * U, (r + 1) * U), (r * 3 + blk) * U);
    return o;
  };
  close(seqOut(model), refGRU(x1, side(0, F), side(1, U), side(2, 1), null, false).flat(), 1e-5, 'Keras 1 GRU');
});

test('an LSTM autoencoder (LSTM → RepeatVector → LSTM → TimeDistributed(Dense)) and Conv1D → MaxPooling1D → GRU: gradients against finite differences, LRP conserves without biases', () => {
  const enc = [random(F * 4 * U, 170), random(U * 4 * U, 171)];
  const dec = [random(U * 4 * U, 172), random(U * 4 * U, 173)];
  const auto = sequential(
    [T, F],
    [
      { class_name: 'LSTM', config: { name: 'enc', units: U, use_bias: false } },
      { class_name: 'RepeatVector', config: { name: 'rep', n: T } },
      { class_name: 'LSTM', config: { name: 'dec', units: U, use_bias: false, return_sequences: true } },
      {
        class_name: 'TimeDistributed',
        config: { name: 'td', layer: { class_name: 'Dense', config: { name: 'o', units: F, use_bias: false } } },
      },
    ],
    {
      enc: [
        ['cell/kernel', enc[0], [F, 4 * U]],
        ['cell/recurrent_kernel', enc[1], [U, 4 * U]],
      ],
      dec: [
        ['cell/kernel', dec[0], [U, 4 * U]],
        ['cell/recurrent_kernel', dec[1], [U, 4 * U]],
      ],
      td: [['kernel', random(U * F, 174), [U, F]]],
    },
    '2.15.0',
  );
  const conv = sequential(
    [8, F],
    [
      { class_name: 'Conv1D', config: { name: 'c', filters: 4, kernel_size: 3, padding: 'causal', activation: 'tanh', use_bias: false } },
      { class_name: 'MaxPooling1D', config: { name: 'p', pool_size: 2 } },
      { class_name: 'GRU', config: { name: 'g', units: U, use_bias: false, reset_after: false } },
      { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false } },
    ],
    {
      c: [['kernel', random(3 * F * 4, 175), [3, F, 4]]],
      g: [
        ['cell/kernel', random(4 * 3 * U, 176), [4, 3 * U]],
        ['cell/recurrent_kernel', random(U * 3 * U, 177), [U, 3 * U]],
      ],
      d: [['kernel', random(U * 2, 178), [U, 2]]],
    },
    '2.15.0',
  );
  for (const [name, model, shape, target] of [
    ['autoencoder', auto, [1, T, F], 7],
    ['conv', conv, [1, 8, F], 1],
  ] as const) {
    const x = { shape: [...shape], data: random(shape[1] * shape[2], 179) };
    const g = (analyze(model, x, { method: 'gradient', target }) as Tensor).data;
    const fd = Array.from(x.data, (_, i) => {
      const at = (d: number): number => {
        const y = x.data.slice();
        y[i] += d;
        return out(model.logits({ shape: x.shape, data: y }))[target];
      };
      return (at(1e-2) - at(-1e-2)) / 2e-2;
    });
    close(g, fd, 3e-3, `${name}: gradient`);
    const z = out(model.logits(x))[target];
    const R = (analyze(model, x, { method: 'epsilon', epsilon: 1e-9, target }) as Tensor).data;
    const total = R.reduce((a, v) => a + v, 0);
    // Max pooling routes relevance without loss; tanh passes it: the sum is the logit up to ε.
    assert.ok(Math.abs(total - z) <= 1e-4 * Math.abs(z), `${name}: ΣR = ${total}, logit ${z}`);
  }
});

test("guided backprop and deconvnet gate a SimpleRNN's relu (float64 reference) and equal the gradient through tanh/sigmoid LSTMs", () => {
  const W = random(F * U, 180);
  const Uk = random(U * U, 181);
  const D = random(U * 2, 182);
  const model = sequential(
    [T, F],
    [
      { class_name: 'SimpleRNN', config: { name: 's', units: U, activation: 'relu', use_bias: false } },
      { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false } },
    ],
    {
      s: [
        ['cell/kernel', W, [F, U]],
        ['cell/recurrent_kernel', Uk, [U, U]],
      ],
      d: [['kernel', D, [U, 2]]],
    },
    '2.15.0',
  );
  const x = { shape: [1, T, F], data: random(T * F, 183).map((v) => 2 * v) };
  const a: number[][] = [];
  let h = new Array<number>(U).fill(0);
  for (let t = 0; t < T; t++) {
    const z = matvec(x.data.subarray(t * F, (t + 1) * F), W, F, U).map((v, j) => v + matvec(h, Uk, U, U)[j]);
    a.push(z);
    h = z.map((v) => Math.max(0, v));
  }
  const reference = (gate: (a: number, g: number) => number): number[] => {
    let gh = Array.from({ length: U }, (_, k) => D[k * 2 + 1]);
    const gx: number[][] = [];
    for (let t = T - 1; t >= 0; t--) {
      const ga = gh.map((g, j) => gate(a[t][j], g));
      gx[t] = Array.from({ length: F }, (_, f) => ga.reduce((acc, v, j) => acc + v * W[f * U + j], 0));
      gh = Array.from({ length: U }, (_, k) => ga.reduce((acc, v, j) => acc + v * Uk[k * U + j], 0));
    }
    return gx.flat();
  };
  const run = (method: string): Float32Array => (analyze(model, x, { method, target: 1 }) as Tensor).data;
  close(
    run('gradient'),
    reference((v, g) => (v > 0 ? g : 0)),
    1e-5,
    'gradient',
  );
  close(
    run('guided-backprop'),
    reference((v, g) => (v > 0 ? Math.max(g, 0) : 0)),
    1e-5,
    'guided backprop',
  );
  close(
    run('deconvnet'),
    reference((_, g) => Math.max(g, 0)),
    1e-5,
    'deconvnet',
  );
  assert.ok(
    run('guided-backprop').some((v, i) => v !== run('gradient')[i]),
    'the relu gates something here',
  );
  const lstm = sequential(
    [T, F],
    [{ class_name: 'LSTM', config: { name: 'l', units: U } }],
    {
      l: [
        ['cell/kernel', random(F * 4 * U, 184), [F, 4 * U]],
        ['cell/recurrent_kernel', random(U * 4 * U, 185), [U, 4 * U]],
        ['cell/bias', random(4 * U, 186), [4 * U]],
      ],
    },
    '2.15.0',
  );
  const g = (analyze(lstm, sample, { method: 'gradient', target: 2 }) as Tensor).data;
  for (const method of ['guided-backprop', 'deconvnet']) close((analyze(lstm, sample, { method, target: 2 }) as Tensor).data, g, 0, method);
});

test('RNN(LSTMCell) and Bidirectional(RNN(GRUCell)) equal LSTM and Bidirectional(GRU) with the same weights; other cells are refused by name', () => {
  const lw: [string, Float32Array, number[]][] = [
    ['cell/kernel', random(F * 4 * U, 190), [F, 4 * U]],
    ['cell/recurrent_kernel', random(U * 4 * U, 191), [U, 4 * U]],
    ['cell/bias', random(4 * U, 192), [4 * U]],
  ];
  const lstm = sequential([T, F], [{ class_name: 'LSTM', config: { name: 'l', units: U, return_sequences: true } }], { l: lw }, '3.3.3');
  const rnn = sequential(
    [T, F],
    [
      {
        class_name: 'RNN',
        config: { name: 'l', return_sequences: true, cell: { class_name: 'LSTMCell', config: { name: 'c', units: U } } },
      },
    ],
    { l: lw },
    '3.3.3',
  );
  close(seqOut(rnn), seqOut(lstm), 0, 'RNN(LSTMCell)');
  const gw = (d: string, seed: number): [string, Float32Array, number[]][] => [
    [`${d}/kernel`, random(F * 3 * U, seed), [F, 3 * U]],
    [`${d}/recurrent_kernel`, random(U * 3 * U, seed + 1), [U, 3 * U]],
    [`${d}/bias`, random(6 * U, seed + 2), [2, 3 * U]],
  ];
  const weights = { bi: [...gw('forward_g', 193), ...gw('backward_g', 196)] };
  const gru = sequential(
    [T, F],
    [{ class_name: 'Bidirectional', config: { name: 'bi', layer: { class_name: 'GRU', config: { name: 'g', units: U } } } }],
    weights,
    '3.3.3',
  );
  const wrapped = sequential(
    [T, F],
    [
      {
        class_name: 'Bidirectional',
        config: {
          name: 'bi',
          layer: { class_name: 'RNN', config: { name: 'g', cell: { class_name: 'GRUCell', config: { name: 'c', units: U } } } },
        },
      },
    ],
    weights,
    '3.3.3',
  );
  close(seqOut(wrapped), seqOut(gru), 0, 'Bidirectional(RNN(GRUCell))');
  assert.throws(
    () =>
      sequential([T, F], [{ class_name: 'RNN', config: { name: 'l', cell: { class_name: 'MinimalRNNCell', config: {} } } }], {}, '3.3.3'),
    /'l' \(RNN\).*MinimalRNNCell.*not supported/,
  );
});

test('TimeDistributed(Embedding(mask_zero)) → TimeDistributed(Bidirectional(LSTM)): each sentence as the same layers run on it alone (hierarchical text models)', () => {
  const E = random(12 * F, 200);
  const fw = [random(F * 4 * U, 201), random(U * 4 * U, 202), random(4 * U, 203)];
  const bw = [random(F * 4 * U, 204), random(U * 4 * U, 205), random(4 * U, 206)];
  const shapes = [[F, 4 * U], [U, 4 * U], [4 * U]];
  const biWeights = [
    ...fw.map((d, k): [string, Float32Array, number[]] => [`forward_l/${k}`, d, shapes[k]]),
    ...bw.map((d, k): [string, Float32Array, number[]] => [`backward_l/${k}`, d, shapes[k]]),
  ];
  const embedding = { class_name: 'Embedding', config: { name: 'e', input_dim: 12, output_dim: F, mask_zero: true } };
  const bi = { class_name: 'Bidirectional', config: { name: 'bi', layer: { class_name: 'LSTM', config: { name: 'l', units: U } } } };
  const S = 3;
  const nested = sequential(
    [S, T],
    [
      { class_name: 'TimeDistributed', config: { name: 'e', layer: embedding } },
      { class_name: 'TimeDistributed', config: { name: 'bi', layer: bi } },
    ],
    { e: [['embeddings', E, [12, F]]], bi: biWeights },
    '2.15.0',
  );
  const single = sequential([T], [embedding, bi], { e: [['embeddings', E, [12, F]]], bi: biWeights }, '2.15.0');
  const tokens = Float32Array.from([3, 5, 7, 0, 0, 1, 2, 3, 4, 5, 11, 0, 0, 0, 0]);
  const y = out(nested.logits({ shape: [1, S, T], data: tokens }));
  const R = (analyze(nested, { shape: [1, S, T], data: tokens }, { method: 'epsilon', target: 2 * (2 * U) + 1 }) as Tensor).data;
  for (let k = 0; k < S; k++) {
    const sentence = { shape: [1, T], data: tokens.subarray(k * T, (k + 1) * T) };
    close(y.subarray(k * 2 * U, (k + 1) * 2 * U), out(single.logits(sentence)), 1e-6, `sentence ${k}`);
  }
  const alone = (analyze(single, { shape: [1, T], data: tokens.subarray(2 * T, 3 * T) }, { method: 'epsilon', target: 1 }) as Tensor).data;
  close(R.subarray(2 * T, 3 * T), alone, 1e-6, 'relevance of the explained sentence');
  assert.equal(Array.from(R.subarray(0, 2 * T)), new Array(2 * T).fill(0), 'the other sentences get none');
});

test('LRP of GRU (both reset_after) and SimpleRNN against a float64 implementation of CONVENTIONS-RECURRENT.md §2 (ε = 1e-3, ≤ 1e-5 of max|R|)', () => {
  const eps = 1e-3;
  const stab = (v: number): number => v + (v >= 0 ? eps : -eps);
  const x = { shape: [1, T, F], data: random(T * F, 210).map((v) => 2 * v) };
  const D = random(U * 2, 211);
  const db = random(2, 212);
  const target = 1;
  /** The Dense epsilon rule from logit[target] to h_T. */
  const seedAt = (hT: number[]): number[] => {
    const z = hT.reduce((acc, v, j) => acc + v * D[j * 2 + target], db[target]);
    return hT.map((v, j) => (v * D[j * 2 + target] * z) / stab(z));
  };
  const col = (M: Float32Array, cols: number, row: number, from: number, count: number): number[] =>
    Array.from(M.subarray(row * cols + from, row * cols + from + count));
  for (const resetAfter of [true, false]) {
    const W = random(F * 3 * U, 213);
    const Uk = random(U * 3 * U, 214);
    const b = random((resetAfter ? 6 : 3) * U, 215);
    const model = sequential(
      [T, F],
      [
        { class_name: 'GRU', config: { name: 'g', units: U, reset_after: resetAfter } },
        { class_name: 'Dense', config: { name: 'd', units: 2 } },
      ],
      {
        g: [
          ['cell/kernel', W, [F, 3 * U]],
          ['cell/recurrent_kernel', Uk, [U, 3 * U]],
          ['cell/bias', b, resetAfter ? [2, 3 * U] : [3 * U]],
        ],
        d: [
          ['kernel', D, [U, 2]],
          ['bias', db, [2]],
        ],
      },
      '2.15.0',
    );
    // Forward in float64, keeping what the rules read.
    const steps: { hPrev: number[]; z: number[]; r: number[]; a: number[]; n: number[]; h: number[]; s: number[] }[] = [];
    let h = new Array<number>(U).fill(0);
    for (let t = 0; t < T; t++) {
      const xt = x.data.subarray(t * F, (t + 1) * F);
      const mx = matvec(xt, W, F, 3 * U).map((v, j) => v + b[j]);
      const mh = matvec(h, Uk, U, 3 * U).map((v, j) => v + (resetAfter ? b[3 * U + j] : 0));
      const z = h.map((_, j) => sigmoid(mx[j] + mh[j]));
      const r = h.map((_, j) => sigmoid(mx[U + j] + mh[U + j]));
      const s = mh.slice(2 * U);
      const a = resetAfter
        ? h.map((_, j) => mx[2 * U + j] + r[j] * s[j])
        : matvec(
            h.map((v, k) => r[k] * v),
            Uk,
            U,
            3 * U,
          )
            .slice(2 * U)
            .map((v, j) => v + mx[2 * U + j]);
      const n = a.map(Math.tanh);
      const hn = h.map((hp, j) => z[j] * hp + (1 - z[j]) * n[j]);
      steps.push({ hPrev: h, z, r, a, n, h: hn, s });
      h = hn;
    }
    let Rh = seedAt(h);
    const Rx: number[][] = [];
    for (let t = T - 1; t >= 0; t--) {
      const { hPrev, z, r, a, n, h: hNow, s } = steps[t];
      const next = hPrev.map((hp, j) => (z[j] * hp * Rh[j]) / stab(hNow[j]));
      const q = n.map((nv, j) => ((1 - z[j]) * nv * Rh[j]) / stab(hNow[j]) / stab(a[j]));
      const xt = x.data.subarray(t * F, (t + 1) * F);
      Rx[t] = Array.from(xt, (xv, k) => xv * col(W, 3 * U, k, 2 * U, U).reduce((acc, w, j) => acc + w * q[j], 0));
      for (let k = 0; k < U; k++) {
        const uh = col(Uk, 3 * U, k, 2 * U, U);
        next[k] += resetAfter
          ? hPrev[k] * uh.reduce((acc, w, j) => acc + (w * r[j] * s[j] * q[j]) / stab(s[j]), 0)
          : r[k] * hPrev[k] * uh.reduce((acc, w, j) => acc + w * q[j], 0);
      }
      Rh = next;
    }
    const R = (analyze(model, x, { method: 'epsilon', epsilon: eps, target }) as Tensor).data;
    close(R, Rx.flat(), 1e-5, `GRU reset_after=${resetAfter}`);
  }
  const W = random(F * U, 216);
  const Uk = random(U * U, 217);
  const b = random(U, 218);
  const model = sequential(
    [T, F],
    [
      { class_name: 'SimpleRNN', config: { name: 's', units: U } },
      { class_name: 'Dense', config: { name: 'd', units: 2 } },
    ],
    {
      s: [
        ['cell/kernel', W, [F, U]],
        ['cell/recurrent_kernel', Uk, [U, U]],
        ['cell/bias', b, [U]],
      ],
      d: [
        ['kernel', D, [U, 2]],
        ['bias', db, [2]],
      ],
    },
    '2.15.0',
  );
  const hs: number[][] = [new Array<number>(U).fill(0)];
  const as: number[][] = [];
  for (let t = 0; t < T; t++) {
    const a = matvec(x.data.subarray(t * F, (t + 1) * F), W, F, U).map((v, j) => v + b[j] + matvec(hs[t], Uk, U, U)[j]);
    as.push(a);
    hs.push(a.map(Math.tanh));
  }
  let Rh = seedAt(hs[T]);
  const Rx: number[][] = [];
  for (let t = T - 1; t >= 0; t--) {
    const q = Rh.map((v, j) => v / stab(as[t][j]));
    Rx[t] = Array.from(x.data.subarray(t * F, (t + 1) * F), (xv, k) => xv * q.reduce((acc, v, j) => acc + v * W[k * U + j], 0));
    Rh = hs[t].map((hv, k) => hv * q.reduce((acc, v, j) => acc + v * Uk[k * U + j], 0));
  }
  close((analyze(model, x, { method: 'epsilon', epsilon: eps, target }) as Tensor).data, Rx.flat(), 1e-5, 'SimpleRNN');
});

test('masked steps inside a sequence copy the previous output (return_sequences → Flatten): gradients against finite differences, LRP conserves without biases', () => {
  const layers: LayerJson[] = [
    { class_name: 'Masking', config: { name: 'm', mask_value: 0 } },
    { class_name: 'LSTM', config: { name: 'l', units: U, use_bias: false, return_sequences: true } },
    { class_name: 'Flatten', config: { name: 'f' } },
    { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false } },
  ];
  const model = sequential(
    [T, F],
    layers,
    {
      l: [
        ['cell/kernel', random(F * 4 * U, 220), [F, 4 * U]],
        ['cell/recurrent_kernel', random(U * 4 * U, 221), [U, 4 * U]],
      ],
      d: [['kernel', random(T * U * 2, 222), [T * U, 2]]],
    },
    '2.15.0',
  );
  const x = { shape: [1, T, F], data: random(T * F, 223) };
  x.data.fill(0, 1 * F, 3 * F); // steps 1 and 2 masked: their outputs are step 0's
  const g = (analyze(model, x, { method: 'gradient', target: 0 }) as Tensor).data;
  for (let i = 0; i < x.data.length; i++) {
    const t = Math.floor(i / F);
    if (t === 1 || t === 2) {
      assert.is(g[i], 0, `masked step ${t}`);
      continue;
    }
    const at = (d: number): number => {
      const y = x.data.slice();
      y[i] += d;
      return out(model.logits({ shape: x.shape, data: y }))[0];
    };
    const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
    assert.ok(Math.abs(g[i] - fd) <= 2e-3 * Math.max(...Array.from(g, Math.abs)), `[${i}]: ${g[i]} vs ${fd}`);
  }
  const z = out(model.logits(x))[0];
  const R = (analyze(model, x, { method: 'epsilon', epsilon: 1e-9, target: 0 }) as Tensor).data;
  assert.ok(Math.abs(R.reduce((a, v) => a + v, 0) - z) <= 1e-4 * Math.abs(z), 'conservation through copied outputs');
  assert.equal(Array.from(R.subarray(F, 3 * F)), new Array(2 * F).fill(0));
});

test.run();
