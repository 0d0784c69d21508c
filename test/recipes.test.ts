// Every recipe in examples/ run as its runtime runs it, from this repository (test/package.test.ts
// runs them again from a fresh app that installed the packed tarball): each draws the picture
// Node draws (within a byte a channel: runtimes may round float32 sums differently) and predicts
// the digit. Bundle sizes and request times are printed for examples/README.md.
import { test } from 'uvu';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';
import { checkRecipe, runBrowser, runEdge, runScript, runWorker } from './recipes.js';

const examples = join(repoRoot, 'examples');

test('examples/cloudflare-worker in workerd (miniflare), the model in R2', async () => {
  await checkRecipe('cloudflare-worker', await runWorker(join(examples, 'cloudflare-worker'), repoRoot));
});

test('examples/vercel-edge in edge-runtime, the model fetched from the app', async () => {
  await checkRecipe('vercel-edge', await runEdge(join(examples, 'vercel-edge')));
});

test("examples/browser in Chromium, the module from the package's dist/browser", async () => {
  await checkRecipe('browser', await runBrowser(join(examples, 'browser'), repoRoot));
});

for (const [runtime, file] of [
  ['deno', 'deno/explain.ts'],
  ['bun', 'bun/explain.ts'],
  ['node', 'node/explain.mjs'],
] as const) {
  test(`examples/${file} run by ${runtime}`, async () => {
    await checkRecipe(runtime, await runScript(runtime, join(examples, file), repoRoot));
  });
}

test.run();
