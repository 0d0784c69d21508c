// Cloudflare Workers: the bundled universal entry as a Worker in workerd (Cloudflare's runtime, run
// by miniflare). The Worker receives a model file in a POST request and answers with its relevance.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Miniflare } from 'miniflare';
import { PROBE_MODELS, type ProbeResult } from '../probe.js';
import { agreement, assertSameAsNode, bundle, distIndex, modelBytes, nodeReference, probeModule } from '../harness.js';

const worker = `
import * as lib from ${JSON.stringify(distIndex)};
import { probeModel } from ${JSON.stringify(probeModule)};
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (pathname === '/explain') return Response.json(await probeModel(lib, bytes, 'workerd'));
      if (pathname === '/h5wasm') await lib.loadModel(bytes, { reader: 'h5wasm' });
      if (pathname === '/code-generation') new Function('return 1')();
      return new Response('no error', { status: 200 });
    } catch (e) {
      return new Response(e.name + ': ' + e.message, { status: 422 });
    }
  },
};`;

let mf: Miniflare;

test.before(async () => {
  const script = await bundle(worker, { format: 'esm' });
  mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-01-01' });
  await mf.ready;
});

test.after(async () => {
  await mf?.dispose();
});

for (const rel of PROBE_MODELS) {
  test(`workerd: a Worker loads ${rel} from the request body; lrp and two methods equal Node's`, async () => {
    const response = await mf.dispatchFetch('http://worker.test/explain', { method: 'POST', body: modelBytes(rel) });
    const text = await response.text();
    assert.is(response.status, 200, text);
    const worst = assertSameAsNode(JSON.parse(text) as ProbeResult, (await nodeReference()).get(rel)!, `workerd ${rel}`);
    console.log(`  workerd ${rel}: ${agreement(worst)}`);
  });
}

test('workerd refuses code generation, as in production, and the h5wasm reader is not offered there', async () => {
  const codegen = await mf.dispatchFetch('http://worker.test/code-generation', { method: 'POST', body: '' });
  assert.is(codegen.status, 422);
  assert.match(await codegen.text(), /EvalError: Code generation from strings disallowed/);
  const h5wasm = await mf.dispatchFetch('http://worker.test/h5wasm', { method: 'POST', body: modelBytes(PROBE_MODELS[0]) });
  assert.is(h5wasm.status, 422);
  assert.match(await h5wasm.text(), /LrpKerasError: option reader: "h5wasm" is not available here; choose one of pure/);
});

test.run();
