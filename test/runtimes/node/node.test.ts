// Node: `lrp-keras` as an application imports it (package.json exports, "node" condition) loads every
// probe model from bytes with both readers, the same to the last bit; and each runtime condition that
// bundlers and runtimes set picks the entry the README promises.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { repoRoot } from '../../fixtures.js';
import { PROBE_MODELS, probeModel, type ProbeLibrary } from '../probe.js';
import { assertSameAsNode, modelBytes, nodeReference } from '../harness.js';

test('node: the pure reader (the default) gives what h5wasm gives, from bytes, for every probe model', async () => {
  const lib = (await import('lrp-keras')) as unknown as ProbeLibrary;
  const reference = await nodeReference();
  for (const rel of PROBE_MODELS) {
    const worst = assertSameAsNode(await probeModel(lib, modelBytes(rel), 'node pure', 'pure'), reference.get(rel)!, `node pure ${rel}`);
    assert.is(worst, 0, `${rel}: the two readers must give the same weights`);
  }
});

const entryFor = (conditions: string[]): string =>
  execFileSync(
    process.execPath,
    [
      ...conditions.flatMap((c) => ['-C', c]),
      '--input-type=module',
      '-e',
      "const m = await import('lrp-keras'); console.log('h5wasmReader' in m ? 'node' : 'universal')",
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  ).trim();

test('exports conditions: edge-light, deno and browser get the universal entry; plain Node the node entry; workerd its own', () => {
  assert.is(entryFor([]), 'node');
  for (const condition of ['edge-light', 'deno', 'browser']) assert.is(entryFor([condition]), 'universal', condition);
  // The workerd entry imports the kernels as a .wasm module, which only a Workers bundler resolves: resolved here, not run.
  const workerd = execFileSync(
    process.execPath,
    ['-C', 'workerd', '--input-type=module', '-e', "console.log(import.meta.resolve('lrp-keras'))"],
    { cwd: repoRoot, encoding: 'utf8' },
  ).trim();
  assert.match(workerd, /\/dist\/bundle\/workerd\.js$/);
});

test.run();
