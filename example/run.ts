// The original project's README example: explain ten MNIST test digits with LRP and look at the
// relevance. Loads a trained Keras 3 CNN (99.05 % test accuracy, see PROVENANCE.md), explains its
// prediction for each digit with the epsilon-plus composite (Dense ε, Conv z⁺) and writes
// example/heatmaps.png: a 2×5 grid, each digit with its relevance overlaid, labelled
// "predicted class (probability)". Run it with `npm run example` (or `node build/example/run.js
// <out.png>` to write elsewhere).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, lrp } from '../src/node.js';
import { decodeImage, grid, heatmap, overlay, scoreLabel, toPNG } from '../src/viz/index.js';

/** The example folder, from build/example/run.js where the compiled script runs. */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../../example');

interface DigitIndex { images: { file: string; index: number; label: number }[] }

const digits = (JSON.parse(readFileSync(join(here, 'digits/index.json'), 'utf8')) as DigitIndex).images;
const model = await loadModel(join(here, 'jhas_mnist_cnn_keras3.h5'));

// The model reads (28, 28, 1) pixels scaled to [0, 1], as it was trained.
const size = 28 * 28;
const x = { shape: [digits.length, 28, 28, 1], data: new Float32Array(digits.length * size) };
digits.forEach((digit, i) => {
  const image = decodeImage(readFileSync(join(here, 'digits', digit.file)));
  for (let p = 0; p < size; p++) x.data[i * size + p] = image.data[p * image.channels] / 255;
});

const probabilities = model.predict(x).data;
const relevance = lrp(model, x);

// coldnhot keeps zero relevance black, like the digits' background: positive relevance glows red to
// yellow along the strokes, negative relevance shows blue. Symmetric normalisation per digit, ×6 larger.
const maps = heatmap(relevance, { colormap: 'coldnhot', normalize: 'symmetric', scale: 6 });
const cells = maps.map((map, i) => {
  const row = Array.from(probabilities.subarray(i * 10, (i + 1) * 10));
  const predicted = row.indexOf(Math.max(...row));
  console.log(`digit ${digits[i].index}: true ${digits[i].label}, predicted ${predicted} (${row[predicted].toFixed(4)})`);
  const digit = { shape: [28, 28, 1], data: x.data.subarray(i * size, (i + 1) * size) };
  return { image: overlay(digit, map, { alpha: 0.65 }), label: scoreLabel(predicted, row[predicted]) };
});

const out = process.argv[2] ?? join(here, 'heatmaps.png');
writeFileSync(out, toPNG(grid(cells, { columns: 5, padding: 8, labelScale: 2 })));
console.log(`wrote ${out}`);
