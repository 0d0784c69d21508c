// Runs the recipes in examples/ as their runtimes run them, from an application folder where
// 'lrp-keras' resolves (this repository, or a fresh app that installed the packed tarball): the
// Worker bundled as wrangler bundles it and run by miniflare in workerd with the model in R2, the
// Next.js edge route bundled for the edge-light condition and run in edge-runtime with the model
// fetched from the app's static files, the page in Chromium with the CDN module served from the
// package, and the Deno, Bun and Node scripts by their binaries. Each returns the heatmap PNG, the
// class, its bundle size and how long a request took (printed, not asserted).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { Miniflare } from 'miniflare';
import { loadModel, lrp } from '../src/index.js';
import { decodeImage, heatmap, imageToTensor, overlay, type DecodedImage } from '../src/viz/index.js';
import { launchChromium, serveStatic } from './runtimes/chromium/browser.js';
import { findBinary } from './runtimes/harness.js';
import * as assert from 'uvu/assert';
import { repoRoot, skipTest } from './fixtures.js';

/** The model and the digit every recipe is run with: the example's MNIST CNN and a 7. */
export const RECIPE_MODEL = join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5');
export const RECIPE_DIGIT = join(repoRoot, 'example/digits/mnist_test_00_label7.png');

export interface RecipeResult {
  png: Uint8Array;
  predicted: number;
  /** What a deployment uploads: minified script (and WebAssembly) bytes, and gzipped; undefined for scripts run from node_modules. */
  bundle?: { bytes: number; gzip: number };
  /** The first request (it loads the model), then the median of the next ones, in ms; for scripts, the whole run and its one explanation. */
  firstMs: number;
  requestMs: number;
}

/** The recipes' picture computed here with the library's own code: what every runtime must draw. */
export async function referencePicture(): Promise<{ rgba: Uint8ClampedArray; predicted: number }> {
  const model = await loadModel(new Uint8Array(readFileSync(RECIPE_MODEL)));
  const x = imageToTensor(new Uint8Array(readFileSync(RECIPE_DIGIT)), model);
  const scores = Array.from(model.predict(x).data);
  const [map] = heatmap(lrp(model, x), { colormap: 'coldnhot', scale: 8 });
  return { rgba: overlay(x, map).data, predicted: scores.indexOf(Math.max(...scores)) };
}

/** Largest difference of any channel between a recipe's PNG and the reference (runtimes may round float32 sums differently). */
export function pictureDifference(png: Uint8Array, reference: Uint8ClampedArray): number {
  const image: DecodedImage = decodeImage(png);
  if (image.channels !== 4 || image.data.length !== reference.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(image.data[i] - reference[i]));
  return worst;
}

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x64';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Times `request` once (the model loads) and then `runs` more times. */
async function timed<T>(request: () => Promise<T>, runs = 5): Promise<{ last: T; firstMs: number; requestMs: number }> {
  let started = performance.now();
  let last = await request();
  const firstMs = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    started = performance.now();
    last = await request();
    times.push(performance.now() - started);
  }
  return { last, firstMs, requestMs: median(times) };
}

const size = (parts: (string | Uint8Array)[]): { bytes: number; gzip: number } => ({
  bytes: parts.reduce((a, p) => a + Buffer.byteLength(p), 0),
  gzip: parts.reduce((a, p) => a + gzipSync(p).length, 0),
});

/** A TOML string value `key = "value"` (wrangler.toml's few lines need no parser). */
const tomlValue = (toml: string, key: string): string => {
  const value = new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm').exec(toml)?.[1];
  if (value === undefined) throw new Error(`wrangler.toml has no ${key}`);
  return value;
};

/** examples/cloudflare-worker: bundled as wrangler bundles it, run by miniflare with wrangler.toml's bindings. */
export async function runWorker(recipe: string, packageRoot: string): Promise<RecipeResult> {
  const toml = readFileSync(join(recipe, 'wrangler.toml'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-recipe-worker-'));
  const mf = await (async () => {
    const result = await build({
      entryPoints: [join(recipe, tomlValue(toml, 'main'))],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      minify: true,
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      external: ['*.wasm'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const script = result.outputFiles[0].text;
    writeFileSync(join(dir, 'worker.js'), script);
    const modules: Uint8Array[] = [];
    for (const i of Object.values(result.metafile.outputs)[0].imports.filter((imp) => imp.path.endsWith('.wasm'))) {
      // A .wasm import keeps its path, relative to the package's bundle it sits beside.
      const from = join(packageRoot, 'dist/bundle', i.path);
      copyFileSync(from, join(dir, i.path));
      modules.push(new Uint8Array(readFileSync(from)));
    }
    const worker = new Miniflare({
      modules: true,
      scriptPath: join(dir, 'worker.js'),
      modulesRoot: dir,
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: tomlValue(toml, 'compatibility_date'),
      r2Buckets: [tomlValue(toml, 'binding')],
      bindings: { MODEL_KEY: tomlValue(toml, 'MODEL_KEY') },
    });
    (worker as unknown as { bundle: ReturnType<typeof size> }).bundle = size([script, ...modules]);
    return worker;
  })();
  try {
    const bucket = (await mf.getR2Bucket(tomlValue(toml, 'binding'))) as unknown as {
      put(key: string, value: Uint8Array): Promise<unknown>;
    };
    await bucket.put(tomlValue(toml, 'MODEL_KEY'), new Uint8Array(readFileSync(RECIPE_MODEL)));
    const image = readFileSync(RECIPE_DIGIT);
    const { last, firstMs, requestMs } = await timed(async () => {
      const response = await mf.dispatchFetch('http://worker.test/', { method: 'POST', body: image });
      const body = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200) throw new Error(`worker: ${response.status} ${new TextDecoder().decode(body)}`);
      return { png: body, predicted: Number(response.headers.get('x-class')) };
    });
    return { ...last, bundle: (mf as unknown as { bundle: ReturnType<typeof size> }).bundle, firstMs, requestMs };
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** examples/vercel-edge: the route bundled as Next.js bundles edge code (edge-light condition), in edge-runtime; the model from the app's static files. */
export async function runEdge(recipe: string): Promise<RecipeResult> {
  const result = await build({
    entryPoints: [join(recipe, 'app/api/explain/route.js')],
    bundle: true,
    format: 'iife',
    globalName: 'route',
    platform: 'browser',
    minify: true,
    conditions: ['edge-light', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  });
  const script = result.outputFiles[0].text;
  const model = readFileSync(RECIPE_MODEL);
  const files = createServer((request, response) => {
    if (request.url === '/models/mnist.h5') response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(model);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const runtime = new EdgeRuntime({
    initialCode: `${script}\naddEventListener('fetch', (event) => event.respondWith(route.POST(event.request)));`,
  });
  try {
    const image = readFileSync(RECIPE_DIGIT);
    const { last, firstMs, requestMs } = await timed(async () => {
      const response = await runtime.dispatchFetch(`${origin}/api/explain`, {
        method: 'POST',
        body: image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) as ArrayBuffer,
      });
      const body = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200) throw new Error(`edge: ${response.status} ${new TextDecoder().decode(body)}`);
      return { png: body, predicted: Number(response.headers.get('x-class')) };
    });
    return { ...last, bundle: size([script]), firstMs, requestMs };
  } finally {
    await new Promise((resolve) => files.close(resolve));
  }
}

/** examples/browser: the page in Chromium; its CDN module answered with the package's dist/browser/lrp-keras.js. Undefined (with the reason) without Chromium. */
export async function runBrowser(recipe: string, packageRoot: string): Promise<RecipeResult | string> {
  const module = readFileSync(join(packageRoot, 'dist/browser/lrp-keras.js'));
  const browser = await launchChromium();
  if (typeof browser === 'string') return browser;
  const server = await serveStatic(recipe, {
    '/mnist.h5': { type: 'application/octet-stream', body: new Uint8Array(readFileSync(RECIPE_MODEL)) },
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('https://cdn.jsdelivr.net/npm/lrp-keras@*/dist/browser/lrp-keras.js', (route) =>
      route.fulfill({ body: module, contentType: 'text/javascript' }),
    );
    let started = performance.now();
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => document.getElementById('result')?.textContent === 'choose an image', undefined, { timeout: 30_000 });
    const load = performance.now() - started;
    const times: number[] = [];
    let predicted = -1;
    for (let i = 0; i < 6; i++) {
      started = performance.now();
      await page.evaluate(() => {
        (document.getElementById('result') as HTMLOutputElement).textContent = '';
      });
      await page.setInputFiles('#image', []);
      await page.setInputFiles('#image', RECIPE_DIGIT);
      await page.waitForFunction(() => /^class \d+$/.test(document.getElementById('result')?.textContent ?? ''), undefined, {
        timeout: 30_000,
      });
      times.push(performance.now() - started);
      predicted = Number((await page.textContent('#result'))!.split(' ')[1]);
    }
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const png = new Uint8Array(
      await page.evaluate(async () =>
        Array.from(new Uint8Array(await (await fetch((document.getElementById('heatmap') as HTMLImageElement).src)).arrayBuffer())),
      ),
    );
    return { png, predicted, bundle: size([module]), firstMs: load + times[0], requestMs: median(times.slice(1)) };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Deno, Bun and Node one-file scripts: run by their binaries in `cwd` (where 'lrp-keras' resolves); they print "<out>: class N, T ms". Undefined binary → the reason. */
export async function runScript(runtime: 'deno' | 'bun' | 'node', script: string, cwd: string): Promise<RecipeResult | string> {
  const modules = join(repoRoot, 'node_modules');
  const binary =
    runtime === 'node'
      ? process.execPath
      : runtime === 'deno'
        ? findBinary([join(modules, 'deno/deno'), join(modules, `@deno/linux-${process.arch}-glibc/deno`)])
        : findBinary([
            join(modules, 'bun/bin/bun.exe'),
            join(modules, `@oven/bun-linux-${ARCH}/bin/bun`),
            join(modules, `@oven/bun-linux-${ARCH}-baseline/bin/bun`),
          ]);
  if (!binary) return `no ${runtime} binary in node_modules`;
  const dir = mkdtempSync(join(tmpdir(), `lrp-keras-recipe-${runtime}-`));
  try {
    const out = join(dir, 'heatmap.png');
    const args =
      runtime === 'deno'
        ? [
            'run',
            '--no-lock',
            '--no-prompt',
            '--allow-read',
            `--allow-write=${dir}`,
            '--allow-env',
            script,
            RECIPE_MODEL,
            RECIPE_DIGIT,
            out,
          ]
        : [script, RECIPE_MODEL, RECIPE_DIGIT, out];
    const started = performance.now();
    const { stdout } = await promisify(execFile)(binary, args, {
      cwd,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeout: 120_000,
    });
    const wall = performance.now() - started;
    const m = /: class (\d+), ([\d.]+) ms/.exec(stdout);
    if (!m) throw new Error(`${runtime}: unexpected output ${stdout}`);
    return { png: new Uint8Array(readFileSync(out)), predicted: Number(m[1]), firstMs: wall, requestMs: Number(m[2]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for the test output: what a recipe costs. */
export function recipeLine(name: string, r: RecipeResult): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  if (!r.bundle)
    return `${name}: whole run ${r.firstMs.toFixed(0)} ms (start, load the model, explain once), the explanation ${r.requestMs.toFixed(1)} ms`;
  return `${name}: bundle ${kib(r.bundle.bytes)} (${kib(r.bundle.gzip)} gzip), first request ${r.firstMs.toFixed(0)} ms (loads the model), then ${r.requestMs.toFixed(1)} ms a request`;
}

/** A recipe's answer must be Node's picture (within a byte a channel) and class; a missing runtime is a skip. */
export async function checkRecipe(name: string, result: RecipeResult | string): Promise<void> {
  if (typeof result === 'string') return skipTest(`recipe ${name}: ${result}`);
  const reference = await referencePicture();
  assert.is(result.predicted, reference.predicted, `${name}: class`);
  const difference = pictureDifference(result.png, reference.rgba);
  assert.ok(difference <= 1, `${name}: differs from Node's picture by ${difference} in a channel`);
  console.log(`  ${recipeLine(name, result)}`);
}
