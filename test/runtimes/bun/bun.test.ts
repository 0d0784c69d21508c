// Bun: the bun npm package's binary runs main.ts (compiled), which imports `lrp-keras` as a Bun
// application would (the node entry) and loads each fixture model from its bytes with both readers;
// its answers must equal Node's. Bun is JavaScriptCore, not V8: its Math.exp may round differently.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixturePath, repoRoot } from '../../fixtures.js';
import { PROBE_MODELS, type ProbeResult } from '../probe.js';
import { agreement, assertSameAsNode, findBinary, nodeReference, skipNotice } from '../harness.js';

const modules = join(repoRoot, 'node_modules');
// The bun package's postinstall replaces its placeholder bin/bun.exe with the binary of its platform
// package; without install scripts the binary stays in the platform package.
const arch = process.arch === 'arm64' ? 'aarch64' : 'x64';
const bun = findBinary([
  join(modules, 'bun/bin/bun.exe'),
  join(modules, `@oven/bun-linux-${arch}/bin/bun`),
  join(modules, `@oven/bun-linux-${arch}-baseline/bin/bun`),
]);

test('bun: lrp-keras resolves to the node entry; both readers load every probe model from bytes and equal Node', async () => {
  if (!bun) return skipNotice('bun', 'no Bun binary in node_modules (the bun npm package or its @oven/* platform package did not install)');
  const { stdout } = await promisify(execFile)(bun, [join(repoRoot, 'build/test/runtimes/bun/main.js'), ...PROBE_MODELS.map(fixturePath)], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
    maxBuffer: 1 << 26,
  });
  const out = JSON.parse(stdout) as { entryHasH5wasm: boolean; results: ProbeResult[] };
  assert.is(out.entryHasH5wasm, true, 'Bun must get the node entry');
  assert.is(out.results.length, 2 * PROBE_MODELS.length);
  const reference = await nodeReference();
  out.results.forEach((result, i) => {
    const rel = PROBE_MODELS[Math.floor(i / 2)];
    const worst = assertSameAsNode(result, reference.get(rel)!, `${result.runtime} ${rel}`);
    console.log(`  ${result.runtime} ${rel}: ${agreement(worst)}`);
  });
});

test.run();
