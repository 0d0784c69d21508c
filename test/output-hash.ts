// One SHA-256 over every output a refactor must keep bit for bit: for each reference model, its logits,
// and the relevance (with every layer's relevance and the conservation report) of every reference
// method. `node build/test/output-hash.js [float32|float64]` prints it (default: the kernels' default
// precision; float64 is the TypeScript kernels' arithmetic); run it before and after a change.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { analyze, type Explanation, loadModel, type Tensor } from '../src/node.js';
import { currentPrecision, type Precision, withPrecision } from '../src/kernels/backend.js';
import { allReferences } from './references.js';
import { REFERENCE_METHODS } from './reference-methods.js';

const precision = (process.argv[2] ?? currentPrecision()) as Precision;
const total = createHash('sha256');
let outputs = 0;
const add = (data: Float32Array): void => {
  total.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  outputs++;
};
for (const ref of allReferences()) {
  const model = await loadModel(ref.modelPath, ref.configPath ? { config: readFileSync(ref.configPath, 'utf8') } : {});
  add(withPrecision(precision, () => model.logits(ref.input) as Tensor).data);
  for (const [key, options] of Object.entries(REFERENCE_METHODS)) {
    if (ref.json.omitted_methods?.[key] || !ref.json.attributions[key]) continue;
    const r = analyze(model, ref.input, { ...options, returnLayers: true, precision }) as Explanation;
    add(r.data);
    for (const name of Object.keys(r.layers ?? {}).sort()) add(r.layers?.[name].data ?? new Float32Array(0));
    total.update(JSON.stringify(r.conservation ?? null));
  }
}
console.log(`${outputs} outputs at ${precision}, sha256 ${total.digest('hex')}`);
