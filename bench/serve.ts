// Serving figures for docs/serving.md: `lrp-keras serve` on loopback under autocannon, latency
// percentiles and requests/s for the MNIST CNN of the example (JSON tensors, multipart PNG digits,
// PNG answers) and MobileNetV2 (224×224×3, random weights). Run: npm run build && npx tsc -p
// tsconfig.test.json && node build/bench/serve.js. Needs ../shared (skips a model that is absent).
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoRoot, sharedPath } from '../test/fixtures.js';
import { multipart, pattern } from '../test/server/cases.js';
import { startServe } from '../test/server/serve-process.js';

interface Scenario {
  label: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  connections: number;
  amount: number;
}

const json = { 'content-type': 'application/json' };
const tensorBody = (shape: number[], method: string): string =>
  JSON.stringify({ inputs: { shape, data: Array.from(pattern(shape).data) }, method });

async function measure(model: string, flags: string[], scenarios: (name: string) => Scenario[]): Promise<void> {
  const name = model.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
  const server = await startServe([model, ...flags]);
  try {
    for (const s of scenarios(name)) {
      const request = { method: 'POST', path: s.path, headers: s.headers, body: s.body };
      await autocannon({ url: server.url, connections: 1, amount: 3, requests: [request] }); // warm-up
      const r = await autocannon({ url: server.url, connections: s.connections, amount: s.amount, timeout: 120, requests: [request] });
      console.log(
        `| ${name} | ${s.label} | ${s.connections} | ${r.requests.total} | ${r.latency.p50} | ${r.latency.p99} | ${(r.requests.total / r.duration).toFixed(1)} | ${r.non2xx} | ${server.rssMiB()?.toFixed(0)} |`,
      );
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

const digitsDir = join(repoRoot, 'example/digits');
const digit = readFileSync(join(digitsDir, 'mnist_test_00_label7.png'));
const form = multipart([{ name: 'image', value: digit, filename: 'seven.png' }]);

const load = (): string =>
  loadavg()
    .map((v) => v.toFixed(1))
    .join(' ');
console.log(
  `${new Date().toISOString().slice(0, 16)} UTC, ${cpus()[0].model} (${cpus().length} vCPU), Node ${process.version}; server defaults (concurrency 2, queue 64); load average ${load()}\n`,
);
console.log('| model | request | connections | requests | p50 ms | p99 ms | req/s | non-2xx | server RSS MiB |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
await measure(join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5'), [], (name): Scenario[] => [
  {
    label: 'JSON 1×28×28×1, epsilon-plus',
    path: `/v1/models/${name}/explain`,
    headers: json,
    body: tensorBody([1, 28, 28, 1], 'epsilon-plus'),
    connections: 8,
    amount: 400,
  },
  {
    label: 'JSON 8×28×28×1, epsilon-plus',
    path: `/v1/models/${name}/explain`,
    headers: json,
    body: tensorBody([8, 28, 28, 1], 'epsilon-plus'),
    connections: 8,
    amount: 100,
  },
  {
    label: 'multipart PNG digit → JSON',
    path: `/v1/models/${name}/explain`,
    headers: { 'content-type': form.type },
    body: Buffer.from(form.body),
    connections: 8,
    amount: 400,
  },
  {
    label: 'multipart PNG digit → PNG heatmap',
    path: `/v1/models/${name}/explain`,
    headers: { 'content-type': form.type, accept: 'image/png' },
    body: Buffer.from(form.body),
    connections: 8,
    amount: 400,
  },
  {
    label: 'JSON 1×28×28×1, gradient',
    path: `/v1/models/${name}/explain`,
    headers: json,
    body: tensorBody([1, 28, 28, 1], 'gradient'),
    connections: 8,
    amount: 400,
  },
]);
const mobilenet = sharedPath('bench-models/mobilenet_v2_224.h5');
if (mobilenet) {
  await measure(mobilenet, ['--timeout', '600000'], (name): Scenario[] => [
    {
      label: 'JSON 1×224×224×3, epsilon-plus',
      path: `/v1/models/${name}/explain`,
      headers: json,
      body: tensorBody([1, 224, 224, 3], 'epsilon-plus'),
      connections: 2,
      amount: 16,
    },
    {
      label: 'JSON 1×224×224×3, gradient',
      path: `/v1/models/${name}/explain`,
      headers: json,
      body: tensorBody([1, 224, 224, 3], 'gradient'),
      connections: 2,
      amount: 16,
    },
  ]);
}
console.log(`\nload average at the end: ${load()}`);
