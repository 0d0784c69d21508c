// Bun: lrp-keras/server's handler under Bun.serve (server.ts, in the bun npm package's binary)
// passes the request cases of test/server/cases.ts.
import { join } from 'node:path';
import { test } from 'uvu';
import { repoRoot } from '../../fixtures.js';
import { casesInProcess } from '../../server/runtime-process.js';
import { findBinary, skipNotice } from '../harness.js';

const modules = join(repoRoot, 'node_modules');
const arch = process.arch === 'arm64' ? 'aarch64' : 'x64';
const bun = findBinary([
  join(modules, 'bun/bin/bun.exe'),
  join(modules, `@oven/bun-linux-${arch}/bin/bun`),
  join(modules, `@oven/bun-linux-${arch}-baseline/bin/bun`),
]);

// Within 1e-6·max|R| of Node: Bun is JavaScriptCore (its Math.exp may round differently), and the
// kernels it runs may differ from Node's.
test('bun: the server handler under Bun.serve passes every request case, within 1e-6 of Node', async () => {
  if (!bun) return skipNotice('bun', 'no Bun binary in node_modules (the bun npm package or its @oven/* platform package did not install)');
  await casesInProcess(
    bun,
    [join(repoRoot, 'build/test/runtimes/bun/server.js'), join(repoRoot, 'test/fixtures')],
    { NO_COLOR: '1' },
    1e-6,
  );
});

test.run();
