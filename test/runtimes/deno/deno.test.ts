// Deno: the deno npm package's binary runs main.ts (compiled), which imports `lrp-keras` as a Deno
// application would and loads each fixture model from its bytes; its answers must equal Node's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixturePath, repoRoot } from '../../fixtures.js';
import { PROBE_MODELS, type ProbeResult } from '../probe.js';
import { agreement, assertSameAsNode, findBinary, nodeReference, skipNotice } from '../harness.js';

const modules = join(repoRoot, 'node_modules');
// The deno package's postinstall moves the binary of its platform package into itself; without
// install scripts it stays in the platform package.
const deno = findBinary([join(modules, 'deno/deno'), join(modules, `@deno/linux-${process.arch}-glibc/deno`)]);

test('deno: lrp-keras resolves to the universal entry; every probe model loads from bytes and equals Node', async () => {
  if (!deno)
    return skipNotice('deno', 'no Deno binary in node_modules (the deno npm package or its @deno/* platform package did not install)');
  const { stdout } = await promisify(execFile)(
    deno,
    [
      'run',
      '--no-lock',
      '--no-prompt',
      `--allow-read=${repoRoot}`,
      join(repoRoot, 'build/test/runtimes/deno/main.js'),
      ...PROBE_MODELS.map(fixturePath),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeout: 60_000,
      maxBuffer: 1 << 26,
    },
  );
  const out = JSON.parse(stdout) as { entryHasH5wasm: boolean; results: ProbeResult[] };
  assert.is(out.entryHasH5wasm, false, 'Deno must get the universal entry (the "deno" condition), not the node one');
  const reference = await nodeReference();
  out.results.forEach((result, i) => {
    const worst = assertSameAsNode(result, reference.get(PROBE_MODELS[i])!, `${result.runtime} ${PROBE_MODELS[i]}`);
    console.log(`  ${result.runtime} ${PROBE_MODELS[i]}: ${agreement(worst)}`);
  });
});

test.run();
