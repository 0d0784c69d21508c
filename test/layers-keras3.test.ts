// The second-round layers as Keras 3 writes them to .keras (config.json layout, variables under
// layers/<snake_case class>/vars, a TimeDistributed's layer under .../layer/vars, Normalization's
// integer count): the same predictions and relevance as the h5 layout of the same weights.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../src/node.js';
import type { Tensor } from '../src/tensor.js';
import { kerasZip, type StoredWeight } from './keras-writer.js';
import { explain, functionalModel, relativeError, uniform } from './layers-models.js';

const w = (shape: number[], seed: number, low = -1, high = 1): StoredWeight => ({
  name: 'w',
  shape,
  data: uniform(shape, seed, low, high).data,
});

const NORM = [w([2], 1), w([2], 2, 0.5, 2), { name: 'count', shape: [], data: Float32Array.from([10]) }];
const TRANSPOSE = [w([3, 3, 2, 2], 3), w([2], 4)];
const LAYER_NORM = [w([2], 5), w([2], 6)];
const TD_DENSE = [w([2, 3], 7), w([3], 8)];
const PRELU = [w([1, 1, 3], 9)];
const HEAD = [w([192, 2], 10), w([2], 11)];

const LAYERS: [string, string, Record<string, unknown>, StoredWeight[], string][] = [
  ['Normalization', 'norm', { axis: [-1], mean: null, variance: null, invert: false }, NORM, 'layers/normalization'],
  [
    'Conv2DTranspose',
    'up',
    {
      filters: 2,
      kernel_size: [3, 3],
      strides: [2, 2],
      padding: 'same',
      output_padding: null,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'relu',
      use_bias: true,
    },
    TRANSPOSE,
    'layers/conv2d_transpose',
  ],
  [
    'LayerNormalization',
    'ln',
    { axis: [-1], epsilon: 0.001, center: true, scale: true, rms_scaling: false },
    LAYER_NORM,
    'layers/layer_normalization',
  ],
  [
    'TimeDistributed',
    'td',
    {
      layer: {
        module: 'keras.layers',
        class_name: 'Dense',
        config: { name: 'inner', units: 3, activation: 'linear', use_bias: true },
        registered_name: null,
      },
    },
    TD_DENSE,
    'layers/time_distributed/layer',
  ],
  ['PReLU', 'prelu', { shared_axes: [1, 2] }, PRELU, 'layers/p_re_lu'],
  ['Flatten', 'flat', {}, [], ''],
  ['Dense', 'out', { units: 2, activation: 'softmax' }, HEAD, 'layers/dense'],
];

test('.keras (Keras 3) and .h5 layouts of Normalization → Conv2DTranspose → LayerNormalization → TimeDistributed(Dense) → PReLU give one model', async () => {
  const config = {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'seq',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'x', batch_shape: [null, 4, 4, 2] } },
        ...LAYERS.map(([cls, name, cfg]) => ({ module: 'keras.layers', class_name: cls, config: { name, ...cfg }, registered_name: null })),
      ],
    },
  };
  const zipped = await loadModel(
    await kerasZip(
      config,
      Object.fromEntries(LAYERS.filter(([, , , ws]) => ws.length).map(([, , , weights, path]) => [path, { weights }])),
    ),
  );
  const h5 = functionalModel(
    [['x', [4, 4, 2]]],
    LAYERS.map(([cls, name, cfg, weights], k) => ({
      cls,
      name,
      config: cfg,
      inbound: [k === 0 ? 'x' : LAYERS[k - 1][1]],
      weights: weights.map((v) => ({ shape: v.shape, data: v.data })),
    })),
    ['out'],
  );
  const x = uniform([2, 4, 4, 2], 12, 0, 3);
  const p = zipped.predict(x) as Tensor;
  assert.equal(p.shape, [2, 2]);
  assert.ok(relativeError(p.data, (h5.predict(x) as Tensor).data) < 1e-6);
  for (const method of ['epsilon-plus-flat', 'gradient'] as const) {
    assert.equal(Array.from(explain(zipped, x, { method }).data), Array.from(explain(h5, x, { method }).data), method);
  }
});

test.run();
