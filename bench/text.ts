// npm run bench:text [-- --quick]: the text model of the README (Embedding(5000, 16) → LSTM(64) →
// Dense layers, example/text) at sequence lengths 100 and 500, batch 1 and 32: forward pass (logits),
// LRP (epsilon) and the gradient, in ms per sequence, on the WebAssembly kernels (the default) and the
// scalar TypeScript ones; the ratio of LRP to forward. Medians of repeated runs after warm-up, with
// min–max. Writes bench/text-results.json.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniformGenerator } from '../src/attribution/random.js';
import { analyze, loadModel } from '../src/node.js';
import { kernelBackend, withTypeScriptKernels } from '../src/kernels/backend.js';
import { fmt, measure, type Timing } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quick = process.argv.includes('--quick');
const model = await loadModel(join(root, 'example/text/spotify_reviews_lstm.h5'));

interface Row {
  kernels: string;
  length: number;
  batch: number;
  forward: Timing;
  lrp: Timing;
  gradient: Timing;
  lrpOverForward: number;
}

/** Token ids 1 … 4999 (the model's vocabulary), seeded. */
function tokens(batch: number, length: number): { shape: number[]; data: Float32Array } {
  const rand = uniformGenerator(7);
  return { shape: [batch, length], data: Float32Array.from({ length: batch * length }, () => 1 + Math.floor(rand() * 4999)) };
}

const perSequence = (t: Timing, batch: number): Timing => ({ median: t.median / batch, min: t.min / batch, max: t.max / batch });

const rows: Row[] = [];
for (const kernels of ['wasm', 'typescript'] as const) {
  for (const length of [100, 500]) {
    for (const batch of [1, 32]) {
      const x = tokens(batch, length);
      const options = { warmup: 1, repeats: quick ? 3 : batch === 1 ? 15 : 7 };
      const run = <T>(f: () => T): T => (kernels === 'typescript' ? withTypeScriptKernels(f) : f());
      const forward = perSequence(
        measure(() => run(() => model.logits(x)), options),
        batch,
      );
      const lrp = perSequence(
        measure(() => run(() => analyze(model, x, { method: 'epsilon', epsilon: 1e-3 })), options),
        batch,
      );
      const gradient = perSequence(
        measure(() => run(() => analyze(model, x, { method: 'gradient' })), options),
        batch,
      );
      const row = { kernels, length, batch, forward, lrp, gradient, lrpOverForward: lrp.median / forward.median };
      rows.push(row);
      console.log(
        `${kernels.padEnd(10)} T=${String(length).padStart(3)} batch ${String(batch).padStart(2)}: forward ${fmt(forward.median)} ms (${fmt(forward.min)}–${fmt(forward.max)}), lrp ${fmt(lrp.median)} ms (${fmt(lrp.min)}–${fmt(lrp.max)}), gradient ${fmt(gradient.median)} ms per sequence; lrp/forward ${row.lrpOverForward.toFixed(2)}×`,
      );
    }
  }
}
writeFileSync(
  join(root, 'bench/text-results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), backend: kernelBackend(), model: 'example/text/spotify_reviews_lstm.h5', unit: 'ms per sequence', rows }, null, 2)}\n`,
);
