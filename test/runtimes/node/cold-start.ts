// Cold start in Node, per reader: a fresh process imports lrp-keras, loads the example MNIST model
// (2.7 MB .h5) and computes its first lrp. Prints the medians of several runs as the README's table.
// Run: `npm run cold-start` (add a number of runs per reader, default 9).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { timing } from '../../../bench/stats.js';
import { repoRoot } from '../../fixtures.js';

const runs = Number(process.argv[2] ?? 9);
const model = join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5');

/** One fresh process: bench/cold-start.ts, which imports the package as an application does. */
const child = join(repoRoot, 'build/bench/cold-start.js');

interface Sample {
  importMs: number;
  loadMs: number;
  lrpMs: number;
  totalMs: number;
  wallMs: number;
}

const readers = ['h5wasm', 'pure'];
const samples: Record<string, Sample[]> = { h5wasm: [], pure: [] };
for (let run = 0; run < runs; run++) {
  for (const reader of run % 2 ? [...readers].reverse() : readers) {
    const started = performance.now();
    const out = JSON.parse(
      execFileSync(process.execPath, [child, reader, model], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').pop()!,
    );
    samples[reader].push({ ...out, totalMs: out.importMs + out.loadMs + out.lrpMs, wallMs: performance.now() - started });
  }
}

console.log(`Node ${process.version}, ${runs} fresh processes per reader, medians (ms):\n`);
console.log('| reader | import | load model | first lrp | import + load + lrp | whole process (node start to exit) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const reader of readers) {
  const m = (key: keyof Sample): string => String(Math.round(timing(samples[reader].map((s) => s[key])).median));
  console.log(`| ${reader} | ${m('importMs')} | ${m('loadMs')} | ${m('lrpMs')} | ${m('totalMs')} | ${m('wallMs')} |`);
}
