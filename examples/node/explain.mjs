// Node, one file (the README's "Use"): node explain.mjs model.h5 image.png [heatmap.png]
import { readFile, writeFile } from 'node:fs/promises';
import { loadModel, lrp } from 'lrp-keras';
import { heatmap, imageToTensor, overlay, toPNG } from 'lrp-keras/viz';

const [modelPath, imagePath, outPath = 'heatmap.png'] = process.argv.slice(2);
const model = await loadModel(modelPath);                    // a path, a URL or the file's bytes
const started = performance.now();
const x = imageToTensor(await readFile(imagePath), model);   // (1, ...model.inputShape): channels, size, pixels / 255
const R = lrp(model, x);                                     // relevance, x's shape; Σ R ≈ the top class's logit
const [map] = heatmap(R, { colormap: 'coldnhot', scale: 8 }); // one RGBA image per sample
await writeFile(outPath, toPNG(overlay(x, map)));            // the heatmap over the image, as PNG bytes
const scores = model.predict(x).data;
console.log(`${outPath}: class ${scores.indexOf(Math.max(...scores))}, ${(performance.now() - started).toFixed(1)} ms`);
