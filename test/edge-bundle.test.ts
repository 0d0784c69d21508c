// The universal entry as an edge application ships it: bundled by esbuild for no particular platform,
// minified. Workers and Vercel's edge runtime refuse code generation and have no Node modules, so
// neither may appear in the bundle, and neither may h5wasm (WebAssembly compiled at run time) or
// ndarray (which generates code). Prints the bundle's size, the figure the README quotes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { repoRoot } from './fixtures.js';

const result = await build({
  entryPoints: [join(repoRoot, 'dist/index.js')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  minify: true,
  metafile: true,
  // Kept as imports, so that the test below names one instead of the build failing.
  external: ['node:*'],
  logLevel: 'silent',
});
const code = result.outputFiles[0].text;
const inputs = Object.keys(result.metafile.inputs);

test('the edge bundle generates no code: no new Function, Function(…), eval(…)', () => {
  for (const [what, pattern] of [
    ['new Function', /new Function\b/],
    ['Function(', /\bFunction\(/],
    ['eval(', /\beval\(/],
  ] as const) {
    const at = code.search(pattern);
    assert.is(at, -1, `${what} in the edge bundle: …${code.slice(Math.max(0, at - 80), at + 80)}…`);
  }
});

test('the edge bundle imports no Node module and holds neither h5wasm nor ndarray', () => {
  assert.is(code.search(/["'`]node:/), -1, 'a node: import in the edge bundle');
  assert.not.match(code, /\brequire\(/, 'a require() in the edge bundle');
  assert.not.match(code, 'h5wasm');
  for (const banned of ['node_modules/h5wasm/', 'node_modules/ndarray', 'dist/node.js', 'dist/io/h5wasm-reader.js', 'dist/ndarray.js']) {
    assert.not.ok(
      inputs.some((file) => file.includes(banned)),
      `${banned} is bundled`,
    );
  }
  // What it is made of: the library and fflate (for .keras zips), nothing else.
  const packages = new Set(inputs.filter((f) => f.includes('node_modules/')).map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)![1]));
  assert.equal([...packages], ['fflate']);
});

test('edge bundle size (esbuild, minified, gzip -9)', () => {
  const bytes = new TextEncoder().encode(code).length;
  const gzip = gzipSync(code, { level: 9 }).length;
  console.log(`  edge bundle: ${(bytes / 1024).toFixed(1)} KiB minified, ${(gzip / 1024).toFixed(1)} KiB gzip (${inputs.length} modules)`);
  assert.ok(gzip < 100 * 1024, `the edge bundle grew to ${gzip} bytes gzip`);
});

test.run();
