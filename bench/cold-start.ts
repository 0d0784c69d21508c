// A fresh process: import the package as an application does, load a model, return the first LRP
// explanation. Prints the milliseconds since the process started (Node's own start-up included) and
// those of the three steps.
const t0 = performance.now();
const reader = process.argv[2] ?? 'h5wasm';
const file = process.argv[3]!;
const { loadModel, lrp } = await import('lrp-keras');
const t1 = performance.now();
const model = await loadModel(file, { reader });
const t2 = performance.now();
const shape = model.inputShape.map((d) => d ?? 1);
const x = { shape: [1, ...shape], data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5) };
const R = lrp(model, x);
const t3 = performance.now();
if (!(R.data.length > 0)) throw new Error('no relevance');
console.log(JSON.stringify({ reader, ms: t3, importMs: t1 - t0, loadMs: t2 - t1, lrpMs: t3 - t2 }));
