// Pixel-flipping tiles a flattened square image (MNIST as 784 values) as the square, like every other
// image view, when given its width: the CLI passes the width the one layout helper finds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../src/index.js';
import { pixelFlipping } from '../src/evaluate/pixel-flipping.js';
import { imageGeometry } from '../src/viz/layout.js';
import { legacyH5 } from './keras-writer.js';

test('a (N, 16) input: 2×2 regions of a 4×4 image with width 4, 1×2 strips of one row without', async () => {
  const model = await loadModel(
    await legacyH5(
      {
        class_name: 'Sequential',
        config: {
          name: 'flat',
          layers: [
            { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 16], dtype: 'float32' } },
            { class_name: 'Dense', config: { name: 'd', units: 2, activation: 'linear', use_bias: true } },
          ],
        },
      },
      {
        d: [
          { name: 'd/kernel:0', shape: [16, 2], data: Float32Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? i / 32 : -i / 64)) },
          { name: 'd/bias:0', shape: [2], data: new Float32Array(2) },
        ],
      },
    ),
  );
  const x = { shape: [1, 16], data: Float32Array.from({ length: 16 }, (_, i) => 1 + i / 16) };
  // Relevance on the image's top-left 2×2 block only: pixels 0, 1, 4 and 5 of the 4×4 image.
  const relevance = { shape: [1, 16], data: Float32Array.from({ length: 16 }, (_, i) => ([0, 1, 4, 5].includes(i) ? 1 : 0)) };
  assert.equal(imageGeometry([16])?.width, 4);
  const square = pixelFlipping(model, x, relevance, { region: 2, steps: 1, perturbation: 0, target: 0, width: 4 });
  const row = pixelFlipping(model, x, relevance, { region: 2, steps: 1, perturbation: 0, target: 0 });
  assert.is(square.regions, 4);
  assert.is(row.regions, 8);
  // The first step removes the whole relevant block as a square, half of it as a strip.
  const w = (i: number): number => (i * 2) / 32; // the target's weight of input i
  const drop = (inputs: number[]): number => inputs.reduce((a, i) => a + w(i) * x.data[i], 0);
  assert.ok(Math.abs(square.curves[0][0] - square.curves[0][1] - drop([0, 1, 4, 5])) < 1e-5);
  assert.ok(Math.abs(row.curves[0][0] - row.curves[0][1] - drop([0, 1])) < 1e-5);
});

test.run();
