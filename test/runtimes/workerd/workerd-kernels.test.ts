// Cloudflare Workers with the WebAssembly kernels: a Worker that imports 'lrp-keras' bundled as
// wrangler bundles it (esbuild with the `workerd` condition; an imported .wasm file stays a module of
// its own, uploaded beside the script and compiled by the runtime before the Worker starts), run in
// workerd by miniflare from those files. workerd refuses to compile WebAssembly at run time, so only
// the imported module can give the kernels' float32 sums: the answer must equal Node's bit for bit.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { repoRoot } from '../../fixtures.js';
import { PROBE_MODELS, type ProbeResult } from '../probe.js';
import { assertSameAsNode, modelBytes, nodeReference, probeModule } from '../harness.js';

const worker = `
import * as lib from 'lrp-keras';
import { probeModel } from ${JSON.stringify(probeModule)};
export default {
  async fetch(request) {
    try {
      if (new URL(request.url).pathname === '/compile') new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
      else return Response.json(await probeModel(lib, new Uint8Array(await request.arrayBuffer()), 'workerd'));
      return new Response('compiled', { status: 200 });
    } catch (e) {
      return new Response(e.name + ': ' + e.message, { status: 422 });
    }
  },
};`;

let mf: Miniflare;
let dir: string;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lrp-keras-worker-'));
  // What wrangler does: bundle for the workerd condition, leave .wasm imports to the runtime's module loader.
  const result = await build({
    stdin: { contents: worker, resolveDir: repoRoot, sourcefile: 'worker.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['*.wasm'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'worker.js'), result.outputFiles[0].text);
  const wasm = Object.values(result.metafile.outputs)[0].imports.filter((i) => i.path.endsWith('.wasm'));
  assert.ok(wasm.length > 0, 'the Worker imports the kernel module');
  for (const i of wasm) copyFileSync(join(repoRoot, 'dist/bundle', i.path), join(dir, i.path));
  mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, 'worker.js'),
    modulesRoot: dir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2025-01-01',
  });
  await mf.ready;
});

test.after(async () => {
  await mf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('workerd refuses to compile WebAssembly at run time, as in production', async () => {
  const response = await mf.dispatchFetch('http://worker.test/compile', { method: 'POST', body: '' });
  assert.is(response.status, 422);
  assert.match(await response.text(), /disallowed/);
});

for (const rel of PROBE_MODELS) {
  test(`workerd with the imported kernel module: ${rel} gives Node's bits`, async () => {
    const response = await mf.dispatchFetch('http://worker.test/explain', { method: 'POST', body: modelBytes(rel) });
    const text = await response.text();
    assert.is(response.status, 200, text);
    const worst = assertSameAsNode(JSON.parse(text) as ProbeResult, (await nodeReference()).get(rel)!, `workerd ${rel}`);
    assert.is(worst, 0, `workerd ${rel}: within ${worst}·max|R| of Node, not the same bits (the TypeScript kernels ran)`);
  });
}

test.run();
