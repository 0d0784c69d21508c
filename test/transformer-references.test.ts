// Transformer models against their references (zoo format, CONVENTIONS-TRANSFORMERS.md): the team's
// fixtures in the layouts of Keras 3 and tf.keras 2.15 (../shared/fixtures/transformers, small copies
// in test/fixtures/transformers) and real files from public repositories
// (../shared/keras-corpus/transformers, MIT). Logits within 1e-5 relative; every method per sample
// max|R − R_ref| ≤ tol · max|R_ref|, tol from CONVENTIONS.md.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, loadModel, type Model } from '../src/node.js';
import { fixturePath, repoRoot, skipTest } from './fixtures.js';
import { sampleError, type RefTensor } from './references.js';
import { REFERENCE_METHODS, toleranceFor } from './reference-methods.js';

interface Attribution {
  relevance: { shape: number[]; npy: string };
  float32_deviation: number[];
}
interface Reference {
  model_file: string;
  target: number[];
  target_output?: number;
  token_inputs?: boolean;
  input?: { shape: number[]; npy: string };
  inputs?: { shape: number[]; npy: string }[];
  logits?: { shape: number[]; npy: string };
  outputs_logits?: { shape: number[]; npy: string }[];
  attributions: Record<string, Attribution | Attribution[]>;
}

function readNpy(path: string): RefTensor {
  const buf = readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const start = 10 + headerLen;
  const bytes = buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length);
  if (header.includes("'<f4'")) return { shape, data: new Float32Array(bytes) };
  if (header.includes("'<f8'")) return { shape, data: Float32Array.from(new Float64Array(bytes)) };
  if (header.includes("'<i8'")) return { shape, data: Float32Array.from(new BigInt64Array(bytes), Number) };
  if (header.includes("'<i4'")) return { shape, data: Float32Array.from(new Int32Array(bytes)) };
  throw new Error(`${path}: unsupported dtype in ${header}`);
}

/** The folders with references: shared ones when present, else the copies in test/fixtures. */
function folders(): string[] {
  const shared = resolve(repoRoot, '../shared');
  const found = [join(shared, 'fixtures/transformers'), join(shared, 'keras-corpus/transformers')].filter(existsSync);
  if (found.length) return found;
  console.log('  note: ../shared is absent; the transformer references use the copies in test/fixtures/transformers');
  return [fixturePath('transformers')];
}

const models = new Map<string, Promise<Model>>();
let checked = 0;
let worst = { ratio: 0, where: '' };

for (const folder of folders()) {
  const refDir = join(folder, 'reference');
  for (const file of readdirSync(refDir)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort()) {
    const ref = JSON.parse(readFileSync(join(refDir, file), 'utf8')) as Reference;
    const modelPath = join(folder, ref.model_file);
    if (!existsSync(modelPath)) {
      test(`transformer ${file}`, () => skipTest(`transformer ${file}: ${ref.model_file} is not here`));
      continue;
    }
    test(`transformer ${file}: logits and every method match`, async () => {
      if (!models.has(modelPath)) models.set(modelPath, loadModel(modelPath));
      const model = await models.get(modelPath)!;
      const tensor = (t: { npy: string }): RefTensor => readNpy(join(refDir, t.npy));
      const inputs = (ref.inputs ?? [ref.input!]).map(tensor);
      const input = inputs.length === 1 ? inputs[0] : inputs;
      const failures: string[] = [];
      const logits = model.logits(input);
      (ref.outputs_logits ?? [ref.logits!]).map(tensor).forEach((expected, k) => {
        const got = Array.isArray(logits) ? logits[k] : logits;
        const size = expected.data.length / expected.shape[0];
        for (let s = 0; s < expected.shape[0]; s++) {
          const { err, scale } = sampleError(got.data, expected.data, s, size);
          if (err > 1e-5 * Math.max(scale, 1e-30))
            failures.push(`logits of output ${k} [${s}]: ${(err / scale).toExponential(2)} of max|logit|`);
        }
      });
      for (const [key, att] of Object.entries(ref.attributions)) {
        const options = REFERENCE_METHODS[key];
        assert.ok(options, `unknown reference key ${key}`);
        let result: ReturnType<typeof analyze>;
        try {
          result = analyze(model, input, { ...options, target: ref.target, output: ref.target_output ?? 0 });
        } catch (e) {
          failures.push(`${key}: ${(e as Error).message}`);
          continue;
        }
        const R = Array.isArray(result) ? result : [result];
        (Array.isArray(att) ? att : [att]).forEach((part, k) => {
          const expected = tensor(part.relevance);
          const n = expected.data.length / expected.shape[0];
          if (R[k].data.length !== expected.data.length) {
            failures.push(`${key}[input ${k}]: shape ${JSON.stringify(R[k].shape)}, expected ${JSON.stringify(expected.shape)}`);
            return;
          }
          for (let s = 0; s < expected.shape[0]; s++) {
            const tol = toleranceFor(key, part.float32_deviation[s]);
            const { err, scale } = sampleError(R[k].data, expected.data, s, n);
            const ratio = scale > 0 ? err / (tol * scale) : err > 1e-30 ? Infinity : 0;
            if (ratio > 1)
              failures.push(
                `${key}[input ${k}, sample ${s}]: ${(err / scale).toExponential(2)} of max|R_ref|, tolerance ${tol.toExponential(1)}`,
              );
            else if (ratio > worst.ratio) worst = { ratio, where: `${file} ${key}[input ${k}, sample ${s}]` };
          }
        });
      }
      checked++;
      assert.equal(failures, [], failures.join('\n'));
    });
  }
}

test('transformer references: report', () => {
  console.log(
    `\n  transformers: ${checked} references checked; worst ${worst.where} at ${(worst.ratio * 100).toFixed(1)}% of its tolerance`,
  );
  assert.ok(checked > 0, 'no transformer reference could run');
});

test.run();
