// What the demo page uses from lrp-keras: the universal entry (no Node modules, no WebAssembly, no code
// generation) and three pieces of its visualisation. `npm run demo:build` bundles this file with
// esbuild into demo/lrp-keras.js, the one script the page loads besides app.js.
export { loadModel, analyze, METHODS, LrpKerasError } from '../dist/index.js';
export { heatmap } from '../dist/viz/heatmap.js';
export { overlay } from '../dist/viz/overlay.js';
export { colormaps } from '../dist/viz/colormaps.js';
