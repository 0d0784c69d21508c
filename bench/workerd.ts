// npm run bench, workerd part: the example MNIST CNN explained per request in workerd (miniflare),
// by a Worker bundled as wrangler bundles it: the workerd entry (the kernels imported as a .wasm
// module) against the universal entry (workerd refuses to compile WebAssembly at run time, so there
// the TypeScript kernels run). Alternating requests; round-trip medians, miniflare's HTTP included.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { timing, type Timing } from './stats.js';

const worker = (entry: string): string => `
import * as lib from ${JSON.stringify(entry)};
let model;
export default {
  async fetch(request) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (new URL(request.url).pathname === '/load') {
      model = await lib.loadModel(bytes);
      return new Response('loaded');
    }
    const size = model.inputShape.reduce((a, b) => a * (b ?? 1), 1);
    const x = { shape: [1, ...model.inputShape.map((d) => d ?? 1)], data: new Float32Array(size).fill(0.5) };
    return new Response(String(lib.lrp(model, x).data[0]));
  },
};`;

/** One Worker per entry ('lrp-keras' under the workerd condition, or the universal bundle), in its own folder. */
async function start(root: string, entry: string, dir: string): Promise<Miniflare> {
  const result = await build({
    stdin: { contents: worker(entry), resolveDir: root, sourcefile: 'worker.js', loader: 'js' },
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
  for (const i of Object.values(result.metafile.outputs)[0].imports.filter((imp) => imp.path.endsWith('.wasm')))
    copyFileSync(join(root, 'dist/bundle', i.path), join(dir, i.path));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, 'worker.js'),
    modulesRoot: dir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2025-01-01',
  });
  await mf.ready;
  return mf;
}

export async function workerdPerRequest(root: string, modelPath: string, requests: number): Promise<{ simd: Timing; scalar: Timing }> {
  const dirs = [mkdtempSync(join(tmpdir(), 'lrp-keras-bench-worker-')), mkdtempSync(join(tmpdir(), 'lrp-keras-bench-worker-'))];
  const workers = [await start(root, 'lrp-keras', dirs[0]), await start(root, join(root, 'dist/bundle/index.js'), dirs[1])];
  try {
    const model = readFileSync(modelPath);
    for (const mf of workers) await (await mf.dispatchFetch('http://bench.test/load', { method: 'POST', body: model })).text();
    const times: number[][] = [[], []];
    for (let r = 0; r <= requests; r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const t0 = performance.now();
        await (await workers[i].dispatchFetch('http://bench.test/lrp', { method: 'POST', body: '' })).text();
        if (r > 0) times[i].push(performance.now() - t0); // the first request of each warms up
      }
    }
    return { simd: timing(times[0]), scalar: timing(times[1]) };
  } finally {
    for (const mf of workers) await mf.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
