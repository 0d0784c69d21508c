// PReLU, LayerNormalization, Rescaling, Normalization (issue 15): forward against values computed here
// from Keras' definitions, the gradient against finite differences, and "passes unchanged" in LRP
// (a bias-free net around them conserves the logit under LRP-0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tensor } from '../src/tensor.js';
import { explain, finiteDifferences, functionalModel, relativeError, singleLayer, sum, uniform, type LayerDef } from './layers-models.js';

test('PReLU: max(x, 0) + α·min(x, 0) with α shared over shared_axes', () => {
  const alpha = [0.1, -0.5, 2];
  const model = singleLayer([2, 3], { cls: 'PReLU', config: { shared_axes: [1] }, weights: [{ shape: [1, 3], data: alpha }] });
  const x = uniform([2, 2, 3], 1, -1, 1);
  const y = model.predict(x) as Tensor;
  const want = Array.from(x.data, (v, i) => (v > 0 ? v : Math.fround(alpha[i % 3] * v)));
  assert.equal(Array.from(y.data), want);
  assert.throws(() => singleLayer([2, 3], { cls: 'PReLU', config: { shared_axes: [1] }, weights: [[2, 3]] }), /alpha/);
});

/** Keras' LayerNormalization in float64: moments over `axes` (sample axes), gamma/beta laid out over them. */
function layerNorm(
  x: Float32Array,
  shape: number[],
  axes: number[],
  gamma: number[],
  beta: number[] | null,
  eps: number,
  rms = false,
): Float64Array {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const size = shape.reduce((a, b) => a * b, 1);
  const key = (i: number, inAxes: boolean) =>
    shape.map((n, d) => (axes.includes(d) === inAxes ? Math.floor(i / strides[d]) % n : -1)).join(',');
  const groups = new Map<string, number[]>();
  for (let i = 0; i < size; i++) groups.set(key(i, false), [...(groups.get(key(i, false)) ?? []), i]);
  const y = new Float64Array(x.length);
  for (let s = 0; s < x.length / size; s++) {
    for (const cells of groups.values()) {
      const v = cells.map((i) => x[s * size + i]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      cells.forEach((i, k) => {
        const p = shape.reduce((acc, n, d) => (axes.includes(d) ? acc * n + (Math.floor(i / strides[d]) % n) : acc), 0);
        y[s * size + i] = rms
          ? (v[k] * gamma[p]) / Math.sqrt(variance + eps)
          : ((v[k] - mean) * gamma[p]) / Math.sqrt(variance + eps) + (beta ? beta[p] : 0);
      });
    }
  }
  return y;
}

test('LayerNormalization over the last axis, over two axes, and with rms_scaling, as Keras computes it', () => {
  const x = uniform([2, 3, 4], 2, -2, 2);
  const g4 = [0.5, 1, 1.5, -1];
  const b4 = [0.1, 0.2, -0.3, 0];
  const last = singleLayer([3, 4], {
    cls: 'LayerNormalization',
    config: { axis: [-1], epsilon: 1e-3 },
    weights: [
      { shape: [4], data: g4 },
      { shape: [4], data: b4 },
    ],
  });
  assert.ok(relativeError((last.predict(x) as Tensor).data, layerNorm(x.data, [3, 4], [1], g4, b4, 1e-3)) < 1e-6);
  const g12 = Array.from(uniform([12], 3).data);
  const both = singleLayer([3, 4], {
    cls: 'LayerNormalization',
    config: { axis: [1, 2], epsilon: 1e-5, center: false },
    weights: [{ shape: [3, 4], data: g12 }],
  });
  assert.ok(relativeError((both.predict(x) as Tensor).data, layerNorm(x.data, [3, 4], [0, 1], g12, null, 1e-5)) < 1e-6);
  const first = singleLayer([3, 4], {
    cls: 'LayerNormalization',
    config: { axis: 1 },
    weights: [
      { shape: [3], data: [1, 2, 3] },
      { shape: [3], data: [0, 0, 1] },
    ],
  });
  assert.ok(relativeError((first.predict(x) as Tensor).data, layerNorm(x.data, [3, 4], [0], [1, 2, 3], [0, 0, 1], 1e-3)) < 1e-6);
  const rms = singleLayer(
    [3, 4],
    { cls: 'LayerNormalization', config: { axis: -1, rms_scaling: true }, weights: [{ shape: [4], data: g4 }] },
    '3.5.0',
  );
  assert.ok(relativeError((rms.predict(x) as Tensor).data, layerNorm(x.data, [3, 4], [1], g4, null, 1e-3, true)) < 1e-6);
});

test('Rescaling: x·scale + offset, scalars or per channel', () => {
  const x = uniform([2, 2, 3], 4, 0, 255);
  const scalar = singleLayer([2, 3], { cls: 'Rescaling', config: { scale: 1 / 127.5, offset: -1 } });
  assert.ok(
    relativeError(
      (scalar.predict(x) as Tensor).data,
      Array.from(x.data, (v) => v / 127.5 - 1),
    ) < 1e-6,
  );
  const channel = singleLayer([2, 3], { cls: 'Rescaling', config: { scale: [1, 2, 3], offset: [0, 0.5, 1] } });
  const want = Array.from(x.data, (v, i) => v * [1, 2, 3][i % 3] + [0, 0.5, 1][i % 3]);
  assert.ok(relativeError((channel.predict(x) as Tensor).data, want) < 1e-6);
  // Keras 3 writes array-valued config entries as serialised numpy arrays.
  const numpy = (value: number[]) => ({ class_name: '__numpy__', config: { value, dtype: 'float32' } });
  const keras3 = singleLayer([2, 3], { cls: 'Rescaling', config: { scale: numpy([1, 2, 3]), offset: numpy([0, 0.5, 1]) } }, '3.15.1');
  assert.ok(relativeError((keras3.predict(x) as Tensor).data, want) < 1e-6);
});

test('Normalization: (x − mean) / max(√var, 1e-7), adapted or given, and invert', () => {
  const x = uniform([2, 2, 3], 5, -1, 1);
  const mean = [0.5, -1, 2];
  const variance = [4, 0, 0.25];
  const sd = variance.map((v) => Math.max(Math.sqrt(v), 1e-7));
  const want = Array.from(x.data, (v, i) => (v - mean[i % 3]) / sd[i % 3]);
  const adapted = singleLayer([2, 3], {
    cls: 'Normalization',
    config: { axis: [-1] },
    weights: [
      { shape: [3], data: mean },
      { shape: [3], data: variance },
      { shape: [], data: [100] },
    ],
  });
  assert.ok(relativeError((adapted.predict(x) as Tensor).data, want) < 1e-6);
  const given = singleLayer([2, 3], { cls: 'Normalization', config: { axis: -1, mean, variance } });
  assert.ok(relativeError((given.predict(x) as Tensor).data, want) < 1e-6);
  const inverted = singleLayer([2, 3], { cls: 'Normalization', config: { axis: -1, mean, variance, invert: true } });
  assert.ok(
    relativeError(
      (inverted.predict(x) as Tensor).data,
      Array.from(x.data, (v, i) => mean[i % 3] + v * sd[i % 3]),
    ) < 1e-6,
  );
  const whole = singleLayer([2, 3], { cls: 'Normalization', config: { axis: null, mean: 1, variance: 4 } });
  assert.ok(
    relativeError(
      (whole.predict(x) as Tensor).data,
      Array.from(x.data, (v) => (v - 1) / 2),
    ) < 1e-6,
  );
});

/** x(3, 4) → Dense(4, no bias) → `layer` → Flatten → Dense(3, no bias). */
const around = (layer: Omit<LayerDef, 'name' | 'inbound'>, kerasVersion?: string) =>
  functionalModel(
    [['x', [3, 4]]],
    [
      { cls: 'Dense', name: 'd', inbound: ['x'], config: { units: 4, use_bias: false }, weights: [[4, 4]] },
      { ...layer, name: 'layer', inbound: ['d'] },
      { cls: 'Flatten', name: 'f', inbound: ['layer'] },
      { cls: 'Dense', name: 'out', inbound: ['f'], config: { units: 3, use_bias: false }, weights: [[12, 3]] },
    ],
    ['out'],
    6,
    kerasVersion,
  );

test('gradients through PReLU, LayerNormalization, Rescaling and Normalization equal finite differences; LRP passes relevance unchanged', () => {
  const layers: [string, Omit<LayerDef, 'name' | 'inbound'>][] = [
    ['PReLU', { cls: 'PReLU', weights: [{ shape: [3, 4], data: Array.from(uniform([12], 7).data) }] }],
    ['LayerNormalization', { cls: 'LayerNormalization', config: { axis: -1 }, weights: [[4], [4]] }],
    [
      'LayerNormalization over both axes',
      {
        cls: 'LayerNormalization',
        config: { axis: [1, 2] },
        weights: [
          [3, 4],
          [3, 4],
        ],
      },
    ],
    ['rms_scaling', { cls: 'LayerNormalization', config: { axis: -1, rms_scaling: true }, weights: [[4]] }],
    ['Rescaling', { cls: 'Rescaling', config: { scale: [1, -2, 3, 0.5], offset: 0.25 } }],
    ['Normalization', { cls: 'Normalization', config: { axis: -1, mean: [0, 1, 2, 3], variance: [1, 2, 3, 4] } }],
  ];
  for (const [what, layer] of layers) {
    const model = around(layer);
    const x = uniform([1, 3, 4], 8, -1, 1);
    const g = explain(model, x, { method: 'gradient', target: 1 });
    const fd = finiteDifferences(model, x, 1, 1e-3);
    assert.ok(relativeError(g.data, fd) < 5e-3, `${what}: gradient ${relativeError(g.data, fd)}`);
    // Every LRP method: the relevance at the layer's input (layers.layer) is that at its output (the
    // input of Flatten, layers.f), and LRP-0 then conserves through the bias-free Dense layers.
    for (const method of ['lrp-0', 'epsilon', 'z-plus', 'epsilon-plus-flat'] as const) {
      const R = explain(model, x, { method, target: 1, returnLayers: true }) as Tensor & { layers: Record<string, Tensor> };
      assert.equal(Array.from(R.layers.layer.data), Array.from(R.layers.f.data), `${what} ${method}: passes unchanged`);
      if (method === 'lrp-0')
        assert.ok(Math.abs(sum(R.data) - sum(R.layers.f.data)) < 1e-4 * Math.abs(sum(R.data)), `${what}: conservation`);
    }
  }
});

test.run();
