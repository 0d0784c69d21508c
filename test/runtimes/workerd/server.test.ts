// Cloudflare Workers: lrp-keras/server's handler as a Worker's fetch, bundled by esbuild and run in
// workerd by miniflare, models loaded once per isolate from bytes in the script; the request cases
// of test/server/cases.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Miniflare } from 'miniflare';
import { fixturePath, repoRoot } from '../../fixtures.js';
import { assertCases, type TestRequest } from '../../server/cases.js';
import { SERVED_MODELS, TEST_LIMITS } from '../../server/config.js';
import { bundle, distIndex } from '../harness.js';

const base64 = (rel: string): string => readFileSync(fixturePath(rel)).toString('base64');

const worker = `
import { loadModel } from ${JSON.stringify(distIndex)};
import { createHandler } from ${JSON.stringify(join(repoRoot, 'dist/server/index.js'))};
const files = ${JSON.stringify(Object.fromEntries(Object.entries(SERVED_MODELS).map(([name, rel]) => [name, base64(rel)])))};
const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const models = Object.fromEntries(Object.entries(files).map(([name, text]) => [name, loadModel(bytes(text))]));
export default { fetch: createHandler({ models, limits: ${JSON.stringify(TEST_LIMITS)} }) };`;

let mf: Miniflare;

test.before(async () => {
  const script = await bundle(worker, { format: 'esm', platform: 'browser' });
  // Edge-safe: no Node module (workerd would refuse it without nodejs_compat) and no code generation.
  assert.not.match(script, /from\s*["']node:|\brequire\(|new Function|\beval\(/);
  console.log(
    `  worker bundle with lrp-keras/server and Hono: ${(script.length / 1024).toFixed(0)} KiB unminified (two models in base64 included)`,
  );
  mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-01-01' });
  await mf.ready;
});

test.after(async () => {
  await mf?.dispose();
});

// Within 1e-6·max|R| of Node, as the probe's runtime tests: Node may run the WebAssembly kernels,
// whose float32 products round differently from the TypeScript kernels workerd runs (it refuses to compile WebAssembly).
test('workerd: the server handler as a Worker passes every request case, within 1e-6 of Node', async () => {
  await assertCases(async (r: TestRequest) => {
    const response = await mf.dispatchFetch(`http://worker.test${r.path}`, { method: r.method, headers: r.headers, body: r.body });
    return { status: response.status, headers: response.headers as unknown as Headers, body: new Uint8Array(await response.arrayBuffer()) };
  }, 1e-6);
});

test.run();
