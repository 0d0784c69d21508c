// Time to import each HDF5 reader and open and walk the MNIST example in a fresh process (median of
// 5 alternating runs): what a cold start pays for the reader. `node build/bench/readers.js`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, timing } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const model = resolve(here, '../../../shared/examples/kotlindl_mnist_mlp.h5');
if (!existsSync(model)) {
  console.log(`skip: ${model} is absent`);
  process.exit(0);
}
const modules = { pure: ['../src/io/hdf5-pure/index.js', 'pureReader'], h5wasm: ['../src/io/h5wasm-reader.js', 'h5wasmReader'] };
const script = (module: string, name: string): string => `
  import { readFileSync } from 'node:fs';
  const t0 = performance.now();
  const reader = (await import(${JSON.stringify(new URL(module, import.meta.url).href)}))[${JSON.stringify(name)}];
  const t1 = performance.now();
  const file = await reader.open(new Uint8Array(readFileSync(${JSON.stringify(model)})), 'mnist.h5');
  const walk = (g) => { for (const a of g.attrNames()) g.attr(a); for (const k of g.keys()) { const c = g.get(k); if (c.kind === 'group') walk(c); else c.readFloat32(); } };
  walk(file.root);
  file.close();
  console.log(JSON.stringify({ importMs: t1 - t0, openWalkMs: performance.now() - t1, rssMB: process.memoryUsage().rss / 2 ** 20 }));`;
type Run = { importMs: number; openWalkMs: number; rssMB: number; processMs: number };
const runs: Record<string, Run[]> = { pure: [], h5wasm: [] };
for (let round = 0; round < 5; round++) {
  for (const [label, [module, name]] of Object.entries(modules)) {
    const start = performance.now();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script(module, name)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    runs[label].push({ ...(JSON.parse(run.stdout) as Omit<Run, 'processMs'>), processMs: performance.now() - start });
  }
}
for (const [label, list] of Object.entries(runs)) {
  const median = (k: keyof Run): string => fmt(timing(list.map((r) => r[k])).median);
  console.log(
    `${label}: import ${median('importMs')} ms, open+walk ${median('openWalkMs')} ms, RSS ${median('rssMB')} MB, whole process ${median('processMs')} ms (median of 5)`,
  );
}
