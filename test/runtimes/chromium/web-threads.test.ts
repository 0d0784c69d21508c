// Browsers' thread pool (lrp-keras/web-threads) in headless Chromium: in a Web Worker of a
// cross-origin isolated page, lrp and epsilon-gamma-box on a pool of two Web Workers equal one
// thread's bit for bit; on the page's main thread, creating a pool is refused with a reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../../fixtures.js';
import { skipNotice } from '../harness.js';
import { launchChromium, serveStatic, type StaticServer } from './browser.js';

let browser: Browser | string;
let server: StaticServer;
let page: Page;

// The worker imports the package's bundles as served (their only bare import, fflate, is for .keras files).
const workerSource = `
import { loadModel, lrp, analyze } from '/dist/bundle/index.js';
import { createWebThreadPool } from '/dist/bundle/web-threads.js';
onmessage = async () => {
  try {
    const bytes = new Uint8Array(await (await fetch('/test/fixtures/models/cnn_keras3.h5')).arrayBuffer());
    const model = await loadModel(bytes);
    const n = 32;
    const size = model.inputShape.reduce((a, b) => a * b, 1);
    const x = { shape: [n, ...model.inputShape], data: Float32Array.from({ length: n * size }, (_, i) => ((i * 7919) % 1000) / 1000) };
    const pool = await createWebThreadPool(2);
    const same = (a, b) => a.data.length === b.data.length && a.data.every((v, i) => Object.is(v, b.data[i]));
    const lrpSame = same(lrp(model, x), lrp(model, x, { threads: pool }));
    const egb = { method: 'epsilon-gamma-box', low: 0, high: 1 };
    const egbSame = same(analyze(model, x, egb), analyze(model, x, { ...egb, threads: pool }));
    const jobs = pool.jobs;
    pool.close();
    postMessage({ isolated: crossOriginIsolated, lrpSame, egbSame, jobs });
  } catch (e) {
    postMessage({ error: String(e && e.stack || e) });
  }
};
`;

test.before(async () => {
  server = await serveStatic(
    repoRoot,
    {
      '/__isolated.html': { type: 'text/html', body: '<!doctype html><title>web threads</title>' },
      '/__pool-worker.js': { type: 'text/javascript', body: workerSource },
    },
    { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
  );
  browser = await launchChromium();
  if (typeof browser === 'string') return;
  page = await browser.newPage();
  await page.goto(`${server.origin}/__isolated.html`);
});

test.after(async () => {
  if (typeof browser !== 'string') await browser?.close();
  await server?.close();
});

test("chromium: a pool of Web Workers gives one thread's relevance bit for bit", async () => {
  if (typeof browser === 'string') return skipNotice('chromium', browser);
  const result = (await page.evaluate(
    () =>
      new Promise((resolve) => {
        const worker = new Worker('/__pool-worker.js', { type: 'module' });
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => resolve({ error: e.message });
        worker.postMessage('go');
      }),
  )) as { isolated?: boolean; lrpSame?: boolean; egbSame?: boolean; jobs?: number; error?: string };
  assert.is(result.error, undefined);
  assert.is(result.isolated, true);
  assert.ok(result.jobs! > 0, `the pool split ${result.jobs} GEMMs`);
  assert.ok(result.lrpSame, 'lrp on 2 threads equals 1 thread');
  assert.ok(result.egbSame, 'epsilon-gamma-box on 2 threads equals 1 thread');
  console.log(`  chromium web-threads: ${result.jobs} GEMMs split between two Web Workers, bit-identical`);
});

test("chromium: on the page's main thread a pool is refused, saying where to create it", async () => {
  if (typeof browser === 'string') return skipNotice('chromium', browser);
  const message = await page.evaluate(async () => {
    const { createWebThreadPool } = await import('/dist/bundle/web-threads.js' as string);
    return createWebThreadPool(2).then(
      () => 'created',
      (e: Error) => `${e.name}: ${e.message}`,
    );
  });
  assert.match(
    message,
    /LrpKerasError: createWebThreadPool: this thread may not wait \(a page's main thread\); create the pool and run the model in a Web Worker/,
  );
});

test.run();
