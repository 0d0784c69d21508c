// The quick, seeded fuzz run for CI (the long run is `npm run fuzz -- --runs N`): byte mutants of
// every fixture and corpus file in test/fixtures with both readers, every structural truncation of
// a small .h5 and .keras, hostile config mutations, and the regression files in test/fixtures/fuzz.
// Each case loads (then predicts and explains a sample) or throws an LrpKerasError within 2 s, and
// touches no built-in prototype; afterwards the process still loads a normal model the same way.
import { fixedShape } from '../src/tensor.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { loadModel } from '../src/node.js';
import { h5wasmRestarts } from '../src/io/h5wasm-reader.js';
import { fixturePath } from './fixtures.js';
import { writeH5 } from './keras-writer.js';
import { loadSeeds } from './fuzz/corpus.js';
import {
  bytesCaseArb,
  configCaseArb,
  describeCase,
  materialise,
  READERS,
  runCase,
  WASM_TRAP,
  type FuzzCase,
  type Outcome,
  type ReaderName,
} from './fuzz/harness.js';

const SEED = 20260408;
const BOUND_MS = 2000;
/** Byte mutants per seed file and reader; with 34 files and 2 readers, about 1,000 cases. */
const PER_SEED = 14;
const CONFIG_RUNS = 300;

const seeds = await loadSeeds();
const tally: Record<ReaderName, Record<Outcome['status'], number>> = {
  pure: { loaded: 0, refused: 0, failed: 0 },
  h5wasm: { loaded: 0, refused: 0, failed: 0 },
};
let slowest = { ms: 0, what: '' };

/** Run one case; anything but a load or an LrpKerasError in time fails the property, with the case spelled out. */
async function check(c: FuzzCase): Promise<void> {
  const { bytes, options } = materialise(seeds, c);
  const outcome = await runCase((b, o) => loadModel(b, o), bytes, options, BOUND_MS);
  record(c.reader, outcome, describeCase(seeds, c));
  if (outcome.status === 'failed')
    throw new Error(`${describeCase(seeds, c)}\n  → ${outcome.phase}: ${outcome.message}\n${outcome.stack ?? ''}`);
}

function record(reader: ReaderName, outcome: Outcome, what: string): void {
  tally[reader][outcome.status]++;
  if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, what };
  // h5wasm-reader's structure check exists so that the HDF5 library never traps on a mutant.
  assert.not.ok(outcome.status === 'refused' && WASM_TRAP.test(outcome.message), `${what}: the HDF5 library trapped: ${outcome.message}`);
}

// --- A normal model before and after: the process stays usable -----------------------------------

const HEALTH = ['keras3/conv1d_net.h5', 'keras3/conv1d_net.keras', 'corpus/k1_th_weights_mnist_cnn_keras2cpp.h5'];
const x = (shape: number[]) => ({
  shape: [1, ...shape],
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.7)),
});

async function healthyLogits(): Promise<string[]> {
  const out: string[] = [];
  for (const seed of seeds.filter((s) => HEALTH.includes(s.name))) {
    for (const reader of READERS) {
      const model = await loadModel(seed.bytes, { reader, config: seed.sidecar });
      out.push(
        `${seed.name} [${reader}]: ${Array.from(model.logits(x(fixedShape(model.inputShape, 'model.inputShape'))).data, (v) => v.toPrecision(6)).join(' ')}`,
      );
    }
  }
  return out;
}

let before: string[] = [];

test('the seeds: every model file in test/fixtures, .keras zips and corpus files included', async () => {
  assert.ok(seeds.length >= 30, `only ${seeds.length} seed files`);
  assert.ok(seeds.filter((s) => s.kind === 'zip').length >= 8, 'the .keras zips are seeds');
  assert.ok(
    seeds.some((s) => s.name.startsWith('corpus/') && s.sidecar),
    'weights-only corpus files come with their architecture',
  );
  before = await healthyLogits();
  assert.is(before.length, HEALTH.length * 2);
});

// --- Byte mutants ------------------------------------------------------------------------------

for (const reader of READERS) {
  test(`byte mutants of every seed load or fail with an LrpKerasError within ${BOUND_MS} ms (${reader})`, async () => {
    for (let i = 0; i < seeds.length; i++) {
      const one = [seeds[i]];
      const arb = bytesCaseArb(one, [reader]).map((c) => ({ ...c, seed: i }) as FuzzCase);
      await fc.assert(fc.asyncProperty(arb, check), { seed: SEED + i, numRuns: PER_SEED, endOnFailure: true });
    }
  });
}

/** Every structural boundary of a file (and of the weights inside a .keras), cut there. */
test('truncation at every structural boundary of an .h5 and a .keras, with both readers', async () => {
  let cases = 0;
  for (const name of ['keras3/conv1d_net.h5', 'keras3/conv1d_net.keras']) {
    const index = seeds.findIndex((s) => s.name === name);
    const seed = seeds[index];
    const targets = [['file', seed.map] as const, ...Object.entries(seed.members ?? {}).map(([m, v]) => [m, v.map] as const)];
    for (const [target, map] of targets) {
      for (const at of map.boundaries) {
        for (const reader of READERS) {
          await check({ kind: 'bytes', seed: index, reader, target: target as 'file', mutations: [{ op: 'truncate', at }] });
          cases++;
        }
      }
    }
  }
  assert.ok(cases > 200, `only ${cases} truncations`);
});

// --- Hostile configs ---------------------------------------------------------------------------

test('config mutations (absurd values, deleted fields, prototype-key names, shuffled inbound nodes) load or fail with an LrpKerasError', async () => {
  await fc.assert(fc.asyncProperty(configCaseArb(seeds), check), { seed: SEED, numRuns: CONFIG_RUNS, endOnFailure: true });
});

// --- Regressions -------------------------------------------------------------------------------

/** Written by `npm run fuzz` for each new failure; `expect` is filled in once the defect is fixed. */
interface Regression {
  file: string;
  readers: ReaderName[];
  expect: string;
  what: string;
  config?: string | object;
}

test('every minimised reproduction in test/fixtures/fuzz is refused with an LrpKerasError (or loads and runs), quickly', async () => {
  const dir = fixturePath('fuzz');
  const regressions = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Regression);
  assert.ok(regressions.length >= 3, `only ${regressions.length} regression files`);
  for (const r of regressions) {
    for (const reader of r.readers) {
      const outcome = await runCase(
        (b, o) => loadModel(b, o),
        new Uint8Array(readFileSync(`${dir}/${r.file}`)),
        { reader, config: r.config },
        BOUND_MS,
      );
      record(reader, outcome, r.file);
      // `expect`: 'loaded' (the file is fine once the defect is fixed), or part of the refusal.
      assert.is(outcome.status, r.expect === 'loaded' ? 'loaded' : 'refused', `${r.file} [${reader}] (${r.what}): ${outcome.message}`);
      if (r.expect !== 'loaded') assert.match(outcome.message, new RegExp(r.expect), `${r.file} [${reader}]`);
    }
  }
});

test('a .keras whose weights file links groups back to their ancestors (a cycle) is refused quickly', async () => {
  const config = {
    class_name: 'Sequential',
    config: {
      name: 's',
      layers: [
        { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4] } },
        { class_name: 'Dense', config: { name: 'd', units: 2 } },
      ],
    },
  };
  const h5 = await writeH5((root) => {
    const vars = root.create_group('layers').create_group('dense').create_group('vars');
    vars.create_dataset({ name: '0', data: new Float32Array(8), shape: [4, 2], dtype: '<f4' });
    vars.create_dataset({ name: '1', data: new Float32Array(2), shape: [2], dtype: '<f4' });
    // Hard links may form cycles in HDF5; a walk that follows them must stop.
    root.create_hard_link('/', 'again');
    root.create_hard_link('/layers', 'layers/dense/up');
  });
  const zip = zipSync({ 'config.json': strToU8(JSON.stringify(config)), 'model.weights.h5': h5 });
  for (const reader of READERS) {
    const outcome = await runCase((b, o) => loadModel(b, o), zip, { reader }, BOUND_MS);
    record(reader, outcome, `cyclic .keras [${reader}]`);
    assert.is(outcome.status, 'refused', `${reader}: ${outcome.message}`);
    assert.match(outcome.message, /groups that contain themselves/);
  }
});

// --- Afterwards --------------------------------------------------------------------------------

test('afterwards a normal model still loads with each reader and gives the same logits', async () => {
  assert.equal(await healthyLogits(), before);
  assert.is(h5wasmRestarts(), 0, 'no mutant made the HDF5 library trap');
  const total = (s: Outcome['status']) => tally.pure[s] + tally.h5wasm[s];
  console.log(
    `  ${total('loaded') + total('refused')} cases: ${total('loaded')} loaded, ${total('refused')} refused (pure ${tally.pure.loaded}/${tally.pure.refused}, h5wasm ${tally.h5wasm.loaded}/${tally.h5wasm.refused}); slowest ${slowest.ms.toFixed(0)} ms: ${slowest.what}`,
  );
});

test('a WebAssembly trap retires the HDF5 instance: the next file loads on a fresh one (child process)', () => {
  // Scribbling over the instance's memory makes its next call trap, as a heap overflow in the C
  // library would; h5wasm-reader must turn that into an LrpKerasError and start a fresh instance.
  const script = `
    import { readFileSync } from 'node:fs';
    import * as h5 from 'h5wasm';
    const { loadModel } = await import(${JSON.stringify(new URL('../src/node.js', import.meta.url).href)});
    const { h5wasmRestarts } = await import(${JSON.stringify(new URL('../src/io/h5wasm-reader.js', import.meta.url).href)});
    const bytes = new Uint8Array(readFileSync(${JSON.stringify(fixturePath('keras3/conv1d_net.h5'))}));
    const x = { shape: [1, 32, 3], data: new Float32Array(96).fill(0.5) };
    const good = Array.from((await loadModel(bytes, { reader: 'h5wasm' })).logits(x).data);
    h5.Module.HEAPU8.fill(0xff, 1024);
    const first = await loadModel(bytes, { reader: 'h5wasm' }).then(() => 'loaded', (e) => e.name + ': ' + e.message);
    const again = Array.from((await loadModel(bytes, { reader: 'h5wasm' })).logits(x).data);
    console.log(JSON.stringify({ first, same: JSON.stringify(again) === JSON.stringify(good), restarts: h5wasmRestarts() }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60000,
    cwd: fixturePath('.'),
  });
  assert.is(run.status, 0, run.stderr.slice(-2000));
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { first: string; same: boolean; restarts: number };
  assert.match(result.first, /^LrpKerasError: .*HDF5 library/, result.first);
  assert.ok(result.same, 'the fresh instance reads the file as before');
  assert.is(result.restarts, 1);
});

test.run();
