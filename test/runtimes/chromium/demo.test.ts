// The demo page (demo/) in headless Chromium, as a person uses it: choose the example MNIST model and
// a digit, pick a method, and a heatmap appears. Saves a screenshot to test/artifacts/demo.png.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../../fixtures.js';
import { skipNotice } from '../harness.js';
import { launchChromium, serveStatic, type StaticServer } from './browser.js';

const artifacts = join(repoRoot, 'test/artifacts');

let browser: Browser | string;
let server: StaticServer;
let page: Page;
const errors: string[] = [];

test.before(async () => {
  // What `npm run demo:build` does (the bundle is not committed).
  await build({
    entryPoints: [join(repoRoot, 'demo/lib.js')],
    outfile: join(repoRoot, 'demo/lrp-keras.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    logLevel: 'silent',
  });
  server = await serveStatic(repoRoot);
  browser = await launchChromium();
  if (typeof browser === 'string') return;
  page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  await page.goto(`${server.origin}/demo/`);
});

test.after(async () => {
  if (typeof browser !== 'string') await browser?.close();
  await server?.close();
});

/** How many pixels of a canvas are not black (the page's empty canvases are black). */
const litPixels = (id: string): Promise<number> =>
  page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] + data[i + 1] + data[i + 2] > 30) lit++;
    return lit;
  }, id);

test('demo: a model file and a digit in, the prediction and a heatmap out', async () => {
  if (typeof browser === 'string') return skipNotice('chromium demo', browser);
  assert.ok((await page.locator('#method option').count()) >= 19, 'the method list is filled from METHODS');
  assert.is(await litPixels('heatmap-canvas'), 0, 'the heatmap canvas starts empty');
  await page.setInputFiles('#model-file', join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5'));
  await page.waitForFunction(() => document.getElementById('model-info')!.textContent!.includes('input (28, 28, 1)'));
  await page.selectOption('#method', 'epsilon-gamma-box');
  await page.setInputFiles('#image-file', join(repoRoot, 'example/digits/mnist_test_00_label7.png'));
  await page.waitForFunction(() => /Predicted class/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 30_000 });
  const text = await page.textContent('#status');
  assert.match(text!, /Predicted class 7 \(p = (0\.9\d+|1\.0000)\); epsilon-gamma-box for class 7/, text!);
  const [input, heat, blended] = [await litPixels('input-canvas'), await litPixels('heatmap-canvas'), await litPixels('overlay-canvas')];
  assert.ok(heat > 2000, `heatmap has ${heat} lit pixels of 224×224`);
  assert.ok(input > 2000 && blended > 2000, `input ${input}, overlay ${blended} lit pixels`);
  assert.is(await page.getAttribute('#heatmap-canvas', 'width'), '224');
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'demo.png'), fullPage: true });
  console.log(`  screenshot: test/artifacts/demo.png (${text})`);
});

test('demo: another method or target explains again; dropped files are sorted by their bytes; a broken model file says why', async () => {
  if (typeof browser === 'string') return skipNotice('chromium demo', browser);
  await page.selectOption('#target', '1');
  await page.waitForFunction(() => /epsilon-gamma-box for class 1/.test(document.getElementById('status')!.textContent!));
  await page.selectOption('#method', 'gradient');
  await page.waitForFunction(() => /gradient for class 1/.test(document.getElementById('status')!.textContent!));
  assert.ok((await litPixels('heatmap-canvas')) > 2000);
  // Dropped files are told apart by their bytes: the model by its HDF5 signature, the rest as images.
  const dropped = await page.evaluateHandle(async () => {
    const transfer = new DataTransfer();
    for (const path of ['/example/digits/mnist_test_01_label2.png', '/example/jhas_mnist_cnn_keras3.h5']) {
      transfer.items.add(new File([await (await fetch(path)).blob()], path.split('/').pop()!));
    }
    return transfer;
  });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
  await page.waitForFunction(() => /Predicted class 2 .*gradient for class 2/.test(document.getElementById('status')!.textContent!));
  await page.setInputFiles('#model-file', {
    name: 'broken.h5',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]),
  });
  await page.waitForFunction(() => document.getElementById('status')!.className === 'error');
  assert.match((await page.textContent('#status'))!, /broken|HDF5|superblock|truncated|<bytes>/i);
  assert.equal(errors, []);
});

test.run();
