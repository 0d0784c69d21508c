// npm run bench [-- --quick]: load and forward/explain timings on the fixture and example models.
// Medians over repeated runs after warm-up; ratios are against the forward pass measured in the same run.
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, lrp } from '../src/index.js';
import { fmt, measure, measureAsync } from './stats.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.argv.includes('--quick');
const shared = resolve(root, '../shared');
const candidates = [
  join(root, 'test/fixtures/models/mlp.h5'),
  join(root, 'test/fixtures/models/cnn_small.h5'),
  join(root, 'test/fixtures/keras3/residual_cnn.h5'),
  join(root, 'test/fixtures/keras3/mobilenet_block.keras'),
  join(shared, 'examples/kotlindl_mnist_mlp.h5'),
  join(shared, 'bench-models/cnn_mnist.h5'),
  ...(quick ? [] : [join(shared, 'bench-models/vgg_cifar.h5')]),
].filter(existsSync);

const rows: Record<string, string | number>[] = [];
for (const path of candidates) {
  const bytes = new Uint8Array(readFileSync(path));
  const load = await measureAsync(() => loadModel(bytes), { repeats: quick ? 3 : 7 });
  const model = await loadModel(bytes);
  const size = model.inputShape.reduce((a, b) => a * b, 1);
  const batch = 8;
  const x = { shape: [batch, ...model.inputShape], data: new Float32Array(batch * size).map((_, i) => ((i * 2654435761) % 1000) / 1000) };
  const opts = { repeats: quick ? 3 : 9, minMs: quick ? 0 : 500 };
  const forward = measure(() => model.logits(x), opts);
  const explain = measure(() => lrp(model, x), opts);
  rows.push({
    model: path.split('/').pop()!,
    'load ms': fmt(load.median),
    'forward ms/sample': fmt(forward.median / batch),
    'lrp ms/sample': fmt(explain.median / batch),
    'lrp / forward': (explain.median / forward.median).toFixed(2),
    'forward range ms': `${fmt(forward.min)}–${fmt(forward.max)}`,
  });
  console.log(JSON.stringify(rows[rows.length - 1]));
}
console.table(rows);
writeFileSync(join(root, 'bench/results.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows }, null, 1));
