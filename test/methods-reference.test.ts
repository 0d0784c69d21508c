// Grad-CAM, guided Grad-CAM, occlusion, inner-unit targets and concept conditions against the float64
// references of ../shared/fixtures/methods/reference (copies in test/fixtures/methods/reference):
// each entry's own options, per sample max|R − R_ref| ≤ tol · max|R_ref|, tol = max(1e-5, 10·float32_deviation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, loadModel, type AnalyzeOptions } from '../src/node.js';
import { fixturePath, repoRoot } from './fixtures.js';
import { readNpy, sampleError } from './references.js';

interface MethodsEntry {
  options: AnalyzeOptions;
  relevance: { shape: number[]; npy: string };
  float32_deviation: number[];
  layer_used?: string;
}
interface MethodsReference {
  model_file: string;
  input: { shape: number[]; npy: string };
  target: number[];
  grad_cam_default_layer: string;
  attributions: Record<string, MethodsEntry>;
}

const shared = resolve(repoRoot, '../shared/fixtures');
const root = existsSync(join(shared, 'methods/reference')) ? shared : fixturePath('.');
if (root !== shared) console.log('  note: ../shared is absent; the methods references run on the copies in test/fixtures/methods');
const dir = join(root, 'methods/reference');
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.methods.json'))
      .sort()
  : [];

test('the methods references are there (2 models, 15 entries each)', () => {
  assert.ok(files.length >= 2, `found ${files.length} in ${dir}`);
});

for (const file of files) {
  const ref = JSON.parse(readFileSync(join(dir, file), 'utf8')) as MethodsReference;
  test(`${file}: every entry within tolerance`, async () => {
    const model = await loadModel(new Uint8Array(readFileSync(join(root, ref.model_file))));
    const input = readNpy(join(dir, ref.input.npy));
    const size = input.data.length / input.shape[0];
    const logits = model.logits(input).data;
    const classes = logits.length / input.shape[0];
    ref.target.forEach((t, s) => {
      assert.ok(
        logits.subarray(s * classes, (s + 1) * classes).every((v, k) => v <= logits[s * classes + t] || k === t),
        `${file}: target of sample ${s}`,
      );
    });
    for (const [key, entry] of Object.entries(ref.attributions)) {
      const R = analyze(model, input, entry.options);
      const expected = readNpy(join(dir, entry.relevance.npy));
      assert.equal(R.shape, expected.shape, `${key}: shape`);
      entry.float32_deviation.forEach((deviation, s) => {
        const { err, scale } = sampleError(R.data, expected.data, s, size);
        const tol = Math.max(1e-5, 10 * deviation);
        assert.ok(
          err <= tol * scale,
          `${file} ${key} sample ${s}: max error ${err.toExponential(3)} > ${tol.toExponential(1)} · ${scale.toExponential(3)}`,
        );
      });
      if (entry.options.method === 'grad-cam' && entry.layer_used) {
        const layers = analyze(model, input, { ...entry.options, returnLayers: true }).layers ?? {};
        assert.equal(Object.keys(layers), [entry.layer_used], `${key}: the layer used`);
      }
    }
  });
}

test.run();
