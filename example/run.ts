// The original project's README example: explain ten MNIST test digits with LRP and look at the
// relevance. Loads a trained Keras 3 CNN (99.05 % test accuracy, see PROVENANCE.md), explains its
// prediction for each digit with the epsilon-plus composite (Dense ε, Conv z⁺) and writes
// example/heatmaps.png: a 2×5 grid, each digit with its relevance overlaid, labelled "predicted class
// (probability)" and its true class, under the method's name and over a colour legend. It imports
// the package by its name, as an application does. Run it with `npm run example` (or
// `node build/example/run.js <out.png>` to write elsewhere).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, lrp } from 'lrp-keras';
import { grid, heatmap, imageToTensor, overlay, scoreLabel, toPNG } from 'lrp-keras/viz';

/** The example folder, from build/example/run.js where the compiled script runs. */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../../example');

interface DigitIndex {
  images: { file: string; index: number; label: number }[];
}

const digits = (JSON.parse(readFileSync(join(here, 'digits/index.json'), 'utf8')) as DigitIndex).images;
const model = await loadModel(join(here, 'jhas_mnist_cnn_keras3.h5'));

// The model reads (28, 28, 1) pixels scaled to [0, 1], as it was trained: imageToTensor's defaults.
const x = imageToTensor(
  digits.map((d) => readFileSync(join(here, 'digits', d.file))),
  model,
);
const probabilities = model.predict(x).data;
const relevance = lrp(model, x);

// coldnhot keeps zero relevance black, like the digits' background: positive relevance glows red to
// yellow along the strokes, negative relevance shows blue. Symmetric normalisation per digit, ×6 larger.
const maps = heatmap(relevance, { colormap: 'coldnhot', normalize: 'symmetric', scale: 6 });
const size = 28 * 28;
const cells = maps.map((map, i) => {
  const row = Array.from(probabilities.subarray(i * 10, (i + 1) * 10));
  const predicted = row.indexOf(Math.max(...row));
  console.log(`digit ${digits[i].index}: true ${digits[i].label}, predicted ${predicted} (${row[predicted].toFixed(4)})`);
  const digit = { shape: [28, 28, 1], data: x.data.subarray(i * size, (i + 1) * size) };
  return { image: overlay(digit, map, { alpha: 0.65 }), label: scoreLabel(predicted, row[predicted]), trueLabel: digits[i].label };
});

const out = process.argv[2] ?? join(here, 'heatmaps.png');
const legend = { colormap: 'coldnhot' as const, sequential: false };
writeFileSync(out, toPNG(grid(cells, { columns: 5, padding: 8, labelScale: 2, title: 'LRP epsilon-plus', legend })));
console.log(`wrote ${out}`);
