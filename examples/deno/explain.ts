// Deno, one file: deno run --allow-read --allow-write explain.ts model.h5 image.png [heatmap.png]
// In a folder where `npm install lrp-keras` ran (or with deno.json "imports": { "lrp-keras":
// "npm:lrp-keras@0.1.0", "lrp-keras/viz": "npm:lrp-keras@0.1.0/viz" }).
import { loadModel, lrp } from 'lrp-keras';
import { heatmap, imageToTensor, overlay, toPNG } from 'lrp-keras/viz';

const [modelPath, imagePath, outPath = 'heatmap.png'] = Deno.args;
const model = await loadModel(await Deno.readFile(modelPath));
const started = performance.now();
const x = imageToTensor(await Deno.readFile(imagePath), model);
const scores = model.predict(x).data;
const [map] = heatmap(lrp(model, x), { colormap: 'coldnhot', scale: 8 });
await Deno.writeFile(outPath, toPNG(overlay(x, map)));
console.log(`${outPath}: class ${scores.indexOf(Math.max(...scores))}, ${(performance.now() - started).toFixed(1)} ms`);
