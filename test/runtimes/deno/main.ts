// Runs in Deno, not Node (deno.test.ts starts it): `lrp-keras` resolves through package.json's "deno"
// condition to the universal entry. Reads each model file given as an argument into bytes, probes it,
// and prints the results as JSON.
import * as lib from 'lrp-keras';
import { probeModel, type ProbeLibrary } from '../probe.js';

declare const Deno: { args: string[]; readFile(path: string): Promise<Uint8Array>; version: { deno: string } };

const results = [];
for (const file of Deno.args)
  results.push(await probeModel(lib as unknown as ProbeLibrary, await Deno.readFile(file), `deno ${Deno.version.deno}`));
console.log(JSON.stringify({ entryHasH5wasm: 'h5wasmReader' in lib, results }));
