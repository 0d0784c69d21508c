// Cold start in Node, per reader: a fresh process imports lrp-keras, loads the example MNIST model
// (2.7 MB .h5) and computes its first lrp. Prints the medians of several runs as the README's table.
// Run: `npm run cold-start` (add a number of runs per reader, default 9).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../fixtures.js';

const runs = Number(process.argv[2] ?? 9);
const model = join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5');

/** What one fresh process does, timing each step from its own start (performance.now() = 0 at start). */
const child = (reader: string): string => `
const t0 = performance.now();
const { loadModel, lrp } = await import('lrp-keras');
const t1 = performance.now();
const model = await loadModel(${JSON.stringify(model)}, { reader: ${JSON.stringify(reader)} });
const t2 = performance.now();
const size = model.inputShape.reduce((a, b) => a * b, 1);
const x = { shape: [1, ...model.inputShape], data: new Float32Array(size).map((_, i) => ((i * 37) % 101) / 100) };
const R = lrp(model, x);
const t3 = performance.now();
if (!(R.data.length === size)) throw new Error('no relevance');
console.log(JSON.stringify({ boot: t0, importMs: t1 - t0, loadMs: t2 - t1, lrpMs: t3 - t2, totalMs: t3 - t0 }));`;

interface Sample { boot: number; importMs: number; loadMs: number; lrpMs: number; totalMs: number; wallMs: number }

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const readers = ['h5wasm', 'pure'];
const samples: Record<string, Sample[]> = { h5wasm: [], pure: [] };
for (let run = 0; run < runs; run++) {
  for (const reader of run % 2 ? [...readers].reverse() : readers) {
    const started = performance.now();
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', child(reader)], { cwd: repoRoot, encoding: 'utf8' });
    samples[reader].push({ ...JSON.parse(out), wallMs: performance.now() - started });
  }
}

console.log(`Node ${process.version}, ${runs} fresh processes per reader, medians (ms):\n`);
console.log('| reader | import | load model | first lrp | import + load + lrp | whole process (node start to exit) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const reader of readers) {
  const m = (key: keyof Sample): string => String(Math.round(median(samples[reader].map((s) => s[key]))));
  console.log(`| ${reader} | ${m('importMs')} | ${m('loadMs')} | ${m('lrpMs')} | ${m('totalMs')} | ${m('wallMs')} |`);
}
