// One SHA-256 over every output a refactor must keep bit for bit: for each reference model, its logits,
// and the relevance (with every layer's relevance and the conservation report) of every reference
// method. `node build/test/output-hash.js` prints it; run it before and after a change.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { analyze, loadModel } from '../src/node.js';
import { allReferences } from './references.js';
import { REFERENCE_METHODS } from './reference-methods.js';

const total = createHash('sha256');
let outputs = 0;
for (const ref of allReferences()) {
  const model = await loadModel(ref.modelPath, ref.configPath ? { config: readFileSync(ref.configPath, 'utf8') } : {});
  const add = (data: Float32Array): void => {
    total.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    outputs++;
  };
  add(model.logits(ref.input).data);
  for (const [key, options] of Object.entries(REFERENCE_METHODS)) {
    if (ref.json.omitted_methods?.[key] || !ref.json.attributions[key]) continue;
    const r = analyze(model, ref.input, { ...options, returnLayers: true });
    add(r.data);
    for (const name of Object.keys(r.layers ?? {}).sort()) add(r.layers![name].data);
    total.update(JSON.stringify(r.conservation ?? null));
  }
}
console.log(`${outputs} outputs, sha256 ${total.digest('hex')}`);
