// The published package: `npm pack` → install into an empty app, which then has lrp-keras and its
// dependencies and nothing else. There plain Node loads a model and explains it, the README's "Use"
// snippet runs as printed, TypeScript type-checks the public entries, and every recipe of examples/
// (copied into the app) runs in its runtime with the installed package, drawing Node's picture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, repoRoot } from './fixtures.js';
import {
  checkRecipe,
  pictureDifference,
  RECIPE_DIGIT,
  RECIPE_MODEL,
  referencePicture,
  runBrowser,
  runEdge,
  runScript,
  runWorker,
} from './recipes.js';

const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-pack-'));
const app = join(dir, 'app');
const installed = join(app, 'node_modules/lrp-keras');
const quiet = { cwd: repoRoot, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
let tarball = '';

test.before(() => {
  // npm test has just built dist: pack it as it is (prepare would rebuild it under the other tests' feet).
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], quiet);
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')) ?? '');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', tarball], { ...quiet, cwd: app });
  cpSync(join(repoRoot, 'examples'), join(app, 'examples'), { recursive: true });
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the app depends on lrp-keras alone; the tarball holds dist, not the tests', () => {
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.equal(Object.keys(manifest.dependencies), ['lrp-keras']);
  const packed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  assert.match(packed, 'package/dist/index.d.ts');
  assert.match(packed, 'package/dist/viz/index.d.ts');
  assert.match(packed, 'package/dist/browser/lrp-keras.js');
  assert.not.match(packed, 'package/test/');
});

test('plain Node loads a model from a path and explains it', () => {
  writeFileSync(
    join(app, 'main.js'),
    `
    import { loadModel, lrp } from 'lrp-keras';
    const model = await loadModel(${JSON.stringify(fixturePath('models/mlp.h5'))});
    const x = { shape: [1, ...model.inputShape], data: new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)).fill(0.5) };
    const R = lrp(model, x);
    console.log(JSON.stringify({ shape: R.shape, finite: R.data.every(Number.isFinite), classes: model.outputShape }));
  `,
  );
  const out = JSON.parse(execFileSync('node', ['main.js'], { ...quiet, cwd: app }).trim());
  assert.equal(out.shape[0], 1);
  assert.ok(out.finite);
  assert.equal(out.classes, [10]);
});

test('the README\'s "Use" snippet runs as printed: a PNG in, the heatmap PNG out', async () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const use = readme.slice(readme.indexOf('\n## Use'));
  const snippet = /```js\n([\s\S]*?)```/.exec(use)?.[1];
  assert.ok(snippet, 'README has a js block under ## Use');
  assert.ok(snippet.split('\n').filter((l) => l.trim() !== '').length <= 10, 'ten lines at most');
  copyFileSync(RECIPE_MODEL, join(app, 'mnist.h5'));
  copyFileSync(RECIPE_DIGIT, join(app, 'digit.png'));
  writeFileSync(join(app, 'use.mjs'), snippet);
  execFileSync('node', ['use.mjs'], { ...quiet, cwd: app });
  const difference = pictureDifference(new Uint8Array(readFileSync(join(app, 'heatmap.png'))), (await referencePicture()).rgba);
  assert.is(difference, 0);
});

test('TypeScript type-checks an app that uses lrp-keras, lrp-keras/viz and lrp-keras/browser', () => {
  writeFileSync(
    join(app, 'typed.ts'),
    `
    import { loadModel, lrp, type Explanation, type Model } from 'lrp-keras';
    import { heatmap, imageToTensor, overlay, toJPEG, toPNG, type RGBAImage } from 'lrp-keras/viz';
    import * as browser from 'lrp-keras/browser';
    export async function explain(bytes: Uint8Array, image: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
      const model: Model = await loadModel(bytes);
      const x = imageToTensor(image, model, { scale: 1 / 255, resize: 'bilinear' });
      const R: Explanation = lrp(model, x);
      const [map]: RGBAImage[] = heatmap(R, { colormap: 'viridis', sequential: true });
      return [toPNG(overlay(x, map)), toJPEG(map, 80)];
    }
    export const same: typeof browser.heatmap = heatmap;
  `,
  );
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      'es2022,dom',
      '--types',
      '',
      '--skipLibCheck',
      'typed.ts',
    ],
    { ...quiet, cwd: app },
  );
});

test('installed: the Cloudflare Worker recipe in workerd', async () => {
  await checkRecipe('installed cloudflare-worker', await runWorker(join(app, 'examples/cloudflare-worker'), installed));
});

test('installed: the Next.js edge route in edge-runtime', async () => {
  await checkRecipe('installed vercel-edge', await runEdge(join(app, 'examples/vercel-edge')));
});

test("installed: the page in Chromium, its module the package's dist/browser/lrp-keras.js", async () => {
  await checkRecipe('installed browser', await runBrowser(join(app, 'examples/browser'), installed));
});

for (const [runtime, file] of [
  ['deno', 'deno/explain.ts'],
  ['bun', 'bun/explain.ts'],
  ['node', 'node/explain.mjs'],
] as const) {
  test(`installed: examples/${file} run by ${runtime}`, async () => {
    await checkRecipe(`installed ${runtime}`, await runScript(runtime, join(app, 'examples', file), app));
  });
}

test.run();
