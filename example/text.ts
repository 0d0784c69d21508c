// The README's text example: which words decided a sentiment LSTM's prediction. Loads a trained
// tf.keras 2.9 model (Embedding → LSTM → Dense, see text/PROVENANCE.md) and the vocabulary it was
// trained with, turns a few reviews into token ids with Keras' own preprocessing (Tokenizer with
// num_words 5000 and its OOV token, post-padding to 20), explains each with LRP-ε (ε = 1e-3, the value
// of Arras et al.) and writes example/text-heatmap.png: each review's words on their relevance colour
// (red for positive, blue against), under the model's score. Run it with `npm run example:text`
// (or `node build/example/text.js <out.png>`).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, loadModel } from 'lrp-keras';
import { encodeText, parseVocabulary, textHeatmapANSI, textHeatmapImage, toPNG, type RGBAImage } from 'lrp-keras/viz';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '../../example');
const model = await loadModel(join(here, 'text/spotify_reviews_lstm.h5'));
const vocab = parseVocabulary(readFileSync(join(here, 'text/spotify_reviews_word_index.json'), 'utf8'), 'word_index.json');
const recipe = { numWords: 5000, oovToken: '<OOV>', maxlen: 20, padding: 'post', truncating: 'post' } as const;

// The notebook's own check: "Great music service," pre-padded (its get_predictions()) scores 0.78499.
const check = encodeText('Great music service,', vocab, { ...recipe, padding: 'pre' });
console.log(
  `check: ${model.predict({ shape: [1, 20], data: Float32Array.from(check.ids) }).data[0].toFixed(5)} (the notebook printed 0.7849921)`,
);

const reviews = [
  'Great music service, the audio is high quality',
  'Please ignore previous negative rating.',
  'I love the playlists but the ads are annoying',
];
const pictures: RGBAImage[] = reviews.map((text) => {
  const { ids, words } = encodeText(text, vocab, recipe);
  const x = { shape: [1, ids.length], data: Float32Array.from(ids) };
  const score = model.predict(x).data[0];
  const R = analyze(model, x, { method: 'epsilon', epsilon: 1e-3 }).data;
  // Padding positions are '' in `words` and are not drawn (this model has no mask_zero, so it reads the
  // padding too and gives it a little relevance).
  const title = `p(positive) = ${score.toFixed(3)}`;
  process.stdout.write(textHeatmapANSI(words, R, { title, legend: false }));
  return textHeatmapImage(words, R, { title, width: 760, legend: false });
});

// LRP explains the output as it is, P(positive) (a final sigmoid stays): a negative review's tiny
// score leaves little to distribute, so the example shows reviews the model finds at least partly positive.
// One picture: the reviews stacked, each with its own colour scale (relevance / its largest |R|).
const height = pictures.reduce((h, p) => h + p.height, 0);
const out: RGBAImage = { width: 760, height, data: new Uint8ClampedArray(760 * height * 4) };
let top = 0;
for (const p of pictures) {
  out.data.set(p.data, top * 760 * 4);
  top += p.height;
}
const path = process.argv[2] ?? join(here, 'text-heatmap.png');
writeFileSync(path, toPNG(out));
console.log(`wrote ${path}`);
