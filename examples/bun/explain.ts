// Bun, one file: bun explain.ts model.h5 image.png [heatmap.png]   (after `bun add lrp-keras`)
import { loadModel, lrp } from 'lrp-keras';
import { heatmap, imageToTensor, overlay, toPNG } from 'lrp-keras/viz';

const [modelPath, imagePath, outPath = 'heatmap.png'] = Bun.argv.slice(2);
const model = await loadModel(modelPath);
const started = performance.now();
const x = imageToTensor(await Bun.file(imagePath).bytes(), model);
const scores = model.predict(x).data;
const [map] = heatmap(lrp(model, x), { colormap: 'coldnhot', scale: 8 });
await Bun.write(outPath, toPNG(overlay(x, map)));
console.log(`${outPath}: class ${scores.indexOf(Math.max(...scores))}, ${(performance.now() - started).toFixed(1)} ms`);
