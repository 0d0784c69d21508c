// Runs in Bun, not Node (bun.test.ts starts it): `lrp-keras` resolves through package.json's "node"
// condition, as Bun does, to the node entry. Reads each model file given as an argument into bytes and
// probes it with both readers (h5wasm and pure, the default); prints the results as JSON.
import * as lib from 'lrp-keras';
import { probeModel, type ProbeLibrary } from '../probe.js';

declare const Bun: { argv: string[]; version: string; file(path: string): { arrayBuffer(): Promise<ArrayBuffer> } };

const results = [];
for (const file of Bun.argv.slice(2)) {
  const bytes = new Uint8Array(await Bun.file(file).arrayBuffer());
  for (const reader of ['h5wasm', 'pure'])
    results.push(await probeModel(lib as unknown as ProbeLibrary, bytes, `bun ${Bun.version} ${reader}`, reader));
}
console.log(JSON.stringify({ entryHasH5wasm: 'h5wasmReader' in lib, results }));
