// Every zoo reference (fixtures/zoo: real Keras 3.15 files) against its references: `<file>.json` from
// Keras itself (logits, gradient, gradient × input), `<file>.lrp.json` from the team's float64 oracle
// (every method). Per sample max|R − R_ref| ≤ tol · max|R_ref|, tol from CONVENTIONS.md. A model that
// needs what is not built yet (a layer class without a builder, several inputs or outputs) is skipped
// with the reason printed; extend `canRun` as it gets built.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, loadModel, type Model } from '../src/node.js';
import { LAYER_BUILDERS } from '../src/model/layers/registry.js';
import { fixturePath, repoRoot } from './fixtures.js';
import { readNpy, sampleError, type RefTensor } from './references.js';
import { REFERENCE_METHODS, toleranceFor } from './reference-methods.js';

interface ZooReference {
  model_file: string;
  input_names?: string[];
  output_names?: string[];
  target: number[];
  /** One model input and output: `input`, `logits`; several: `inputs`, `outputs_logits` and `target_output`. */
  input?: unknown;
  logits?: unknown;
  inputs?: unknown[];
  outputs_logits?: unknown[];
  target_output?: number;
  /** Per input where the model has several. */
  attributions: Record<string, Attribution | Attribution[]>;
}

interface Attribution {
  relevance: unknown;
  float32_deviation: number[];
}

const shared = resolve(repoRoot, '../shared/fixtures/zoo');
const zoo = existsSync(shared) ? shared : fixturePath('zoo');
if (zoo !== shared) console.log('  note: ../shared/fixtures/zoo is absent; the zoo test uses the copies in test/fixtures/zoo');

const tensorOf = (value: unknown): RefTensor => {
  const v = value as { shape: number[]; data?: number[]; npy?: string };
  return v.npy ? readNpy(join(zoo, 'reference', v.npy)) : { shape: v.shape, data: Float32Array.from(v.data ?? []) };
};

/** The zoo's index: each model file's layer classes. */
const index = new Map(
  (
    JSON.parse(readFileSync(join(zoo, 'index.json'), 'utf8')) as { files: { file: string; layers_by_class: Record<string, number> }[] }
  ).files.map((f) => [f.file, f]),
);

/** Why this reference cannot run yet, or undefined when it can. */
function blocker(ref: ZooReference): string | undefined {
  const classes = Object.keys(index.get(ref.model_file)?.layers_by_class ?? {});
  if (classes.length === 0) return `${ref.model_file} is not in the zoo's index.json`;
  const missing = [...new Set(classes.filter((c) => c !== 'InputLayer' && !LAYER_BUILDERS[c]))];
  return missing.length ? `needs ${missing.join(', ')}` : undefined;
}

/** The analyzer's result as one tensor per model input. */
const perInput = (r: RefTensor | RefTensor[]): RefTensor[] => (Array.isArray(r) ? r : [r]);

const references = readdirSync(join(zoo, 'reference'))
  .filter((f) => f.endsWith('.json'))
  .sort();
const models = new Map<string, Promise<Model>>();
const checked: string[] = [];
let worst = { ratio: 0, where: '' };

for (const file of references) {
  const ref = JSON.parse(readFileSync(join(zoo, 'reference', file), 'utf8')) as ZooReference;
  const why = blocker(ref);
  if (why) {
    console.log(`  skip: zoo ${file}: ${why}`);
    test.skip(`zoo ${file}`, () => {});
    continue;
  }
  test(`zoo ${file}: logits and every method match`, async () => {
    const path = join(zoo, ref.model_file);
    if (!models.has(path)) models.set(path, loadModel(path));
    const model = await models.get(path)!;
    const inputs = (ref.inputs ?? [ref.input]).map(tensorOf);
    const input = inputs.length === 1 ? inputs[0] : inputs;
    const failures: string[] = [];
    const logits = model.logits(input);
    (ref.outputs_logits ?? [ref.logits]).map(tensorOf).forEach((expectLogits, k) => {
      const got = Array.isArray(logits) ? logits[k] : logits;
      const size = expectLogits.data.length / expectLogits.shape[0];
      for (let s = 0; s < expectLogits.shape[0]; s++) {
        const { err, scale } = sampleError(got.data, expectLogits.data, s, size);
        if (err > 1e-5 * scale) failures.push(`logits of output ${k} [${s}]: ${(err / scale).toExponential(2)} of max|logit|`);
      }
    });
    for (const [key, att] of Object.entries(ref.attributions)) {
      const options = REFERENCE_METHODS[key];
      assert.ok(options, `unknown reference key ${key}`);
      const R = perInput(analyze(model, input, { ...options, target: ref.target, output: ref.target_output ?? 0 }));
      (Array.isArray(att) ? att : [att]).forEach((part, k) => {
        const expected = tensorOf(part.relevance);
        assert.equal(R[k].shape, expected.shape, `${key}: shape of input ${k}`);
        const n = expected.data.length / expected.shape[0];
        for (let s = 0; s < expected.shape[0]; s++) {
          const tol = toleranceFor(key, part.float32_deviation[s]);
          const { err, scale } = sampleError(R[k].data, expected.data, s, n);
          const ratio = scale > 0 ? err / (tol * scale) : err > 0 ? Infinity : 0;
          if (ratio > 1)
            failures.push(
              `${key}[input ${k}, sample ${s}]: ${(err / scale).toExponential(2)} of max|R_ref|, tolerance ${tol.toExponential(1)}`,
            );
          else if (ratio > worst.ratio) worst = { ratio, where: `${file} ${key}[input ${k}, sample ${s}]` };
        }
      });
    }
    checked.push(file);
    assert.equal(failures, [], failures.join('\n'));
  });
}

test('zoo report', () => {
  console.log(`\n  zoo: ${checked.length} references checked; worst ${worst.where} at ${(worst.ratio * 100).toFixed(1)}% of its tolerance`);
  assert.ok(checked.length > 0, 'no zoo reference could run');
});

test.run();
