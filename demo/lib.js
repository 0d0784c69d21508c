// What the demo page uses from lrp-keras: the universal entry (no Node modules, no code generation) and
// lrp-keras/viz (images into the model's layout, heatmaps, overlays). `npm run demo:build` bundles this
// file with esbuild into demo/lrp-keras.js, the one script the page loads besides app.js.
export { loadModel, analyze, METHODS, LrpKerasError } from '../dist/index.js';
export { colormaps, heatmap, imageGeometry, imageToTensor, overlay } from '../dist/viz/index.js';
