// Deno: lrp-keras/server's handler under Deno.serve (server.ts, in the deno npm package's binary)
// passes the request cases of test/server/cases.ts.
import { join } from 'node:path';
import { test } from 'uvu';
import { repoRoot } from '../../fixtures.js';
import { casesInProcess } from '../../server/runtime-process.js';
import { findBinary, skipNotice } from '../harness.js';

const modules = join(repoRoot, 'node_modules');
const deno = findBinary([join(modules, 'deno/deno'), join(modules, `@deno/linux-${process.arch}-glibc/deno`)]);

// Within 1e-6·max|R| of Node: Node may run the WebAssembly kernels, whose float32 products round
// differently from the TypeScript kernels.
test('deno: the server handler under Deno.serve passes every request case, within 1e-6 of Node', async () => {
  if (!deno)
    return skipNotice('deno', 'no Deno binary in node_modules (the deno npm package or its @deno/* platform package did not install)');
  await casesInProcess(
    deno,
    [
      'run',
      '--no-lock',
      '--no-prompt',
      `--allow-read=${repoRoot}`,
      '--allow-net=127.0.0.1',
      join(repoRoot, 'build/test/runtimes/deno/server.js'),
      join(repoRoot, 'test/fixtures'),
    ],
    { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    1e-6,
  );
});

test.run();
