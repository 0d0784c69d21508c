// Under load: 1,000 explanations in parallel (Promise.all over async wrappers, then over a worker
// pool) equal the same calls run one by one, bit for bit; and loading and dropping a model 1,000
// times with each reader leaves the JS heap, external memory and the HDF5 WebAssembly memory flat
// (measured after forced garbage collection in a child process started with --expose-gc).
import { fixedShape } from '../src/tensor.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { analyze, type AnalyzeOptions, type Explanation } from '../src/analyze/index.js';
import { loadModel } from '../src/node.js';
import type { Model } from '../src/model/model.js';
import { createThreadPool } from '../src/threads.js';
import { fixturePath } from './fixtures.js';

const CALLS = 1000;
const METHODS: Omit<AnalyzeOptions, 'target'>[] = [
  { method: 'epsilon-plus' },
  { method: 'epsilon-gamma-box', low: 0, high: 1 },
  { method: 'epsilon', epsilon: 0.1 },
  { method: 'alpha-beta' },
  { method: 'lrp-0', returnLayers: true },
  { method: 'gradient' },
  { method: 'gradient-x-input' },
  { method: 'integrated-gradients', steps: 4 },
  { method: 'smoothgrad', samples: 3 },
  { method: 'guided-backprop' },
];

/** Call i: its own input, method, target and (for smoothgrad) seed, so that any shared state would show. */
function call(i: number, shape: number[]): { x: { shape: number[]; data: Float32Array }; options: AnalyzeOptions } {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, (_, k) => Math.sin(i * 0.37 + k * 0.11) * 0.5 + 0.5);
  const options: AnalyzeOptions = { ...METHODS[i % METHODS.length], target: i % 3 === 0 ? 'max' : i % 4, seed: i };
  return { x: { shape: [1, ...shape], data }, options };
}

/** A digest of everything an explanation returns. */
function digest(r: Explanation): string {
  const parts = [Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64')];
  for (const [name, t] of Object.entries(r.layers ?? {}))
    parts.push(name, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64'));
  if (r.conservation) parts.push(JSON.stringify(r.conservation));
  return parts.join('|');
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** analyze behind awaits: calls interleave at every await, as requests in a server would. */
async function explainLater(model: Model, i: number, threads?: AnalyzeOptions['threads']): Promise<string> {
  await tick();
  const { x, options } = call(i, fixedShape(model.inputShape, 'model.inputShape'));
  await tick();
  return digest(analyze(model, x, { ...options, threads }));
}

let model: Model;
let serial: string[];

test(`${CALLS} explanations, one by one (the reference)`, async () => {
  model = await loadModel(fixturePath('keras3/mobilenet_block.h5'), { reader: 'pure' });
  serial = Array.from({ length: CALLS }, (_, i) => {
    const { x, options } = call(i, fixedShape(model.inputShape, 'model.inputShape'));
    return digest(analyze(model, x, options));
  });
  assert.ok(new Set(serial).size > CALLS * 0.9, 'the calls explain different things');
});

test(`${CALLS} explanations in parallel over async wrappers equal the serial ones, bit for bit`, async () => {
  const parallel = await Promise.all(Array.from({ length: CALLS }, (_, i) => explainLater(model, i)));
  const differing = parallel.flatMap((d, i) => (d === serial[i] ? [] : [i]));
  assert.equal(differing, [], `calls ${differing.slice(0, 10).join(', ')} differ`);
});

test(`${CALLS} explanations in parallel on a worker pool (3 threads) equal the serial ones`, async () => {
  const pool = createThreadPool(3);
  try {
    const parallel = await Promise.all(Array.from({ length: CALLS }, (_, i) => explainLater(model, i, pool)));
    const differing = parallel.flatMap((d, i) => (d === serial[i] ? [] : [i]));
    assert.equal(differing, [], `calls ${differing.slice(0, 10).join(', ')} differ`);
  } finally {
    pool.close();
  }
});

test('loads interleaved with explanations and with each other give the same models', async () => {
  const bytes = new Uint8Array(readFileSync(fixturePath('keras3/mobilenet_block.keras')));
  const { x } = call(7, fixedShape(model.inputShape, 'model.inputShape'));
  const want = Array.from(model.logits(x).data);
  const models = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      i % 3 === 2 ? explainLater(model, i).then(() => model) : loadModel(bytes, { reader: i % 2 ? 'h5wasm' : 'pure' }),
    ),
  );
  for (const m of models) assert.equal(Array.from(m.logits(x).data), want);
});

// --- Load and drop -----------------------------------------------------------------------------

/** Bounds on growth from load 200 to load 1,000 (measured: under 1 MiB of heap, 0 bytes of WebAssembly memory). */
const HEAP_BOUND = 4 * 2 ** 20;
const EXTERNAL_BOUND = 4 * 2 ** 20;

interface Measure {
  heap: number;
  external: number;
  wasm: number;
  files: number;
}

test('loading and dropping a model 1,000 times leaves the heap and the WebAssembly memory flat (child process, --expose-gc)', () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import * as h5 from 'h5wasm';
    const { loadModel } = await import(${JSON.stringify(new URL('../src/node.js', import.meta.url).href)});
    const { h5wasmHeapBytes } = await import(${JSON.stringify(new URL('../src/io/h5wasm-reader.js', import.meta.url).href)});
    const files = [[${JSON.stringify(fixturePath('keras3/conv1d_net.h5'))}, 'h5wasm'], [${JSON.stringify(fixturePath('keras3/conv1d_net.keras'))}, 'pure']];
    const x = { shape: [1, 32, 3], data: new Float32Array(96).fill(0.5) };
    const measure = () => {
      gc(); gc();
      const m = process.memoryUsage();
      const files = h5.FS ? h5.FS.readdir('/').filter((f) => f.startsWith('lrp-keras-')).length : 0;
      return { heap: m.heapUsed, external: m.external, wasm: h5wasmHeapBytes() ?? 0, files };
    };
    const result = {};
    for (const [path, reader] of files) {
      const bytes = new Uint8Array(readFileSync(path));
      let warm;
      const start = performance.now();
      for (let i = 1; i <= 1000; i++) {
        const model = await loadModel(bytes, { reader });
        model.predict(x);
        if (i === 200) warm = measure();
      }
      result[reader] = { warm, end: measure(), msPerLoad: (performance.now() - start) / 1000 };
    }
    console.log(JSON.stringify(result));`;
  const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: fixturePath('.'),
    timeout: 300_000,
  });
  assert.is(run.status, 0, run.stderr.slice(-2000));
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, { warm: Measure; end: Measure; msPerLoad: number }>;
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;
  for (const [reader, { warm, end, msPerLoad }] of Object.entries(result)) {
    console.log(
      `  ${reader}: 1,000 loads (${msPerLoad.toFixed(1)} ms each); heap ${mib(warm.heap)} → ${mib(end.heap)}, external ${mib(warm.external)} → ${mib(end.external)}, WebAssembly ${mib(warm.wasm)} → ${mib(end.wasm)}`,
    );
    assert.ok(end.heap - warm.heap < HEAP_BOUND, `${reader}: the heap grew by ${mib(end.heap - warm.heap)} from load 200 to 1,000`);
    assert.ok(end.external - warm.external < EXTERNAL_BOUND, `${reader}: external memory grew by ${mib(end.external - warm.external)}`);
    assert.is(end.wasm, warm.wasm, `${reader}: the HDF5 WebAssembly memory grew`);
    assert.is(end.files, 0, `${reader}: files left in h5wasm's in-memory file system`);
  }
  assert.ok(result.h5wasm.end.wasm > 0, 'the h5wasm reader was used');
});

test.run();
