// Vercel Edge Functions: the bundled universal entry as a fetch handler in edge-runtime (Vercel's
// runtime: a V8 context with Web APIs only and code generation from strings refused).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EdgeRuntime } from 'edge-runtime';
import { PROBE_MODELS, type ProbeResult } from '../probe.js';
import { agreement, assertSameAsNode, bundle, distIndex, modelBytes, nodeReference, probeModule } from '../harness.js';

const handler = `
import * as lib from ${JSON.stringify(distIndex)};
import { probeModel } from ${JSON.stringify(probeModule)};
async function handle(request) {
  const { pathname } = new URL(request.url);
  try {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (pathname === '/explain') return Response.json(await probeModel(lib, bytes, 'edge-runtime'));
    if (pathname === '/code-generation') new Function('return 1')();
    return new Response('no error');
  } catch (e) {
    return new Response(e.name + ': ' + e.message, { status: 422 });
  }
}
addEventListener('fetch', (event) => event.respondWith(handle(event.request)));`;

let runtime: EdgeRuntime;

test.before(async () => {
  // An Edge Function is a script in the context, not a module: bundle as an IIFE.
  runtime = new EdgeRuntime({ initialCode: await bundle(handler, { format: 'iife' }) });
});

for (const rel of PROBE_MODELS) {
  test(`edge-runtime: an Edge Function loads ${rel} from the request body; lrp and two methods equal Node's`, async () => {
    const response = await runtime.dispatchFetch('http://edge.test/explain', {
      method: 'POST',
      body: modelBytes(rel).buffer as ArrayBuffer,
    });
    const text = await response.text();
    assert.is(response.status, 200, text);
    const worst = assertSameAsNode(JSON.parse(text) as ProbeResult, (await nodeReference()).get(rel)!, `edge-runtime ${rel}`);
    console.log(`  edge-runtime ${rel}: ${agreement(worst)}`);
  });
}

test('edge-runtime refuses code generation, as Vercel does', async () => {
  const response = await runtime.dispatchFetch('http://edge.test/code-generation', { method: 'POST', body: '' });
  assert.is(response.status, 422);
  assert.match(await response.text(), /EvalError: Code generation from strings disallowed/);
});

test.run();
