// A fresh process: import the package, load the MNIST MLP, return the first LRP explanation.
// Prints the milliseconds since the process started (Node's own start-up included).
const reader = process.argv[2] ?? 'h5wasm';
const file = process.argv[3];
const { loadModel, lrp } = await import('../src/index.js');
const { readFileSync } = await import('node:fs');
const options = reader === 'pure' ? { reader: (await import('../src/io/hdf5-pure/index.js')).pureReader } : {};
const model = await loadModel(new Uint8Array(readFileSync(file!)), options);
const x = { shape: [1, ...model.inputShape], data: new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)).fill(0.5) };
const R = lrp(model, x);
if (!(R.data.length > 0)) throw new Error('no relevance');
console.log(JSON.stringify({ reader, ms: performance.now() }));
