// Browsers: the bundled universal entry in headless Chromium, loading each fixture model from bytes
// (and from an http URL); lrp and two other methods must equal Node's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../../fixtures.js';
import { PROBE_MODELS, type ProbeResult } from '../probe.js';
import { join } from 'node:path';
import { agreement, assertSameAsNode, bundle, nodeReference, probeEntrySource, skipNotice } from '../harness.js';
import { launchChromium, serveStatic, type StaticServer } from './browser.js';

let browser: Browser | string;
let server: StaticServer;
let page: Page;
const errors: string[] = [];

test.before(async () => {
  server = await serveStatic(repoRoot, {
    '/__probe.js': { type: 'text/javascript', body: await bundle(probeEntrySource(), { format: 'esm', platform: 'browser' }) },
    // lrp-keras/h5wasm, for browsers that want the HDF5 C library (WebAssembly is allowed there).
    '/__h5wasm.js': {
      type: 'text/javascript',
      body: await bundle(`export { h5wasmReader } from ${JSON.stringify(join(repoRoot, 'dist/h5wasm.js'))};`, {
        format: 'esm',
        platform: 'browser',
      }),
    },
    '/__blank.html': { type: 'text/html', body: '<!doctype html><title>probe</title>' },
  });
  browser = await launchChromium();
  if (typeof browser === 'string') return;
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/__blank.html`);
});

test.after(async () => {
  if (typeof browser !== 'string') await browser?.close();
  await server?.close();
});

test("chromium: every probe model, fetched as bytes, gives Node's relevance", async () => {
  if (typeof browser === 'string') return skipNotice('chromium', browser);
  const results = (await page.evaluate(async (models) => {
    const { lib, probeModel } = await import('/__probe.js' as string);
    const out = [];
    for (const rel of models) {
      const bytes = new Uint8Array(await (await fetch(`/test/fixtures/${rel}`)).arrayBuffer());
      out.push(await probeModel(lib, bytes, navigator.userAgent));
    }
    return out;
  }, PROBE_MODELS)) as ProbeResult[];
  assert.match(results[0].runtime, /HeadlessChrome\/\d+/);
  const reference = await nodeReference();
  results.forEach((result, i) => {
    const worst = assertSameAsNode(result, reference.get(PROBE_MODELS[i])!, `chromium ${PROBE_MODELS[i]}`);
    console.log(`  chromium ${/HeadlessChrome\/[\d.]+/.exec(result.runtime)?.[0]} ${PROBE_MODELS[i]}: ${agreement(worst)}`);
  });
  assert.equal(errors, []);
});

test('chromium: lrp-keras/h5wasm reads the same models to the same relevance', async () => {
  if (typeof browser === 'string') return skipNotice('chromium', browser);
  const rel = PROBE_MODELS[0];
  const result = (await page.evaluate(async (path) => {
    const { lib, probeModel } = await import('/__probe.js' as string);
    const { h5wasmReader } = await import('/__h5wasm.js' as string);
    return probeModel(lib, new Uint8Array(await (await fetch(`/test/fixtures/${path}`)).arrayBuffer()), 'chromium h5wasm', h5wasmReader);
  }, rel)) as ProbeResult;
  assert.is(assertSameAsNode(result, (await nodeReference()).get(rel)!, `chromium h5wasm ${rel}`), 0);
});

test('chromium: loadModel takes an http URL; a file path is refused with a message saying what to pass', async () => {
  if (typeof browser === 'string') return skipNotice('chromium', browser);
  const answer = await page.evaluate(async () => {
    const { lib } = await import('/__probe.js' as string);
    const model = await lib.loadModel(`${location.origin}/test/fixtures/models/cnn_keras3.h5`);
    const refused = await lib.loadModel('/tmp/model.h5').then(
      () => 'loaded',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    return { inputShape: model.inputShape, refused };
  });
  assert.equal(answer.inputShape, [16, 16, 3]);
  assert.match(answer.refused, /LrpKerasError: \/tmp\/model\.h5: this runtime's entry point reads no file paths/);
});

test.run();
