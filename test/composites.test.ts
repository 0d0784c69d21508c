// Which layer each composite treats as "first", and which BatchNorms are folded, against the references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadModel } from '../src/node.js';
import { modelInternals } from '../src/model/model.js';
import { allReferences } from './references.js';

/** Reference layer names may carry nested-model paths (`outer/inner/conv`) and a note in parentheses. */
const bare = (name: string): string => name.split(' ')[0].split('/').pop()!;

for (const ref of allReferences()) {
  const json = ref.json as unknown as {
    first_layer: { dense_or_conv: { keras_layer: string } | null; conv: { keras_layer: string } | null };
    batchnorm_merges: [string, string][];
  };
  test(`${ref.name}: first layers and BatchNorm folds agree with the reference`, async () => {
    const model = await loadModel(ref.modelPath, ref.configPath ? { config: readFileSync(ref.configPath, 'utf8') } : {});
    const firstOf = (composite: string, rule: string): string[] =>
      model.layers.filter((l) => l.rules[composite]?.split(' then ')[0] === rule).map((l) => l.name);
    assert.equal(
      firstOf('epsilon-plus-flat', 'flat'),
      json.first_layer.dense_or_conv ? [bare(json.first_layer.dense_or_conv.keras_layer)] : [],
    );
    assert.equal(firstOf('epsilon-gamma-box', 'z-box'), json.first_layer.conv ? [bare(json.first_layer.conv.keras_layer)] : []);
    const merges = modelInternals(model)
      .batchNormMerges.map(([a, b]) => `${a}+${b}`)
      .sort();
    assert.equal(merges, json.batchnorm_merges.map(([a, b]) => `${bare(a)}+${bare(b)}`).sort());
  });
}

test.run();
