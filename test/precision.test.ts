// The precision option and model.backend: float64 sums are the TypeScript kernels' bit for bit, float32
// ones agree with them to float32 rounding; a bad value is named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { analyze, type Explanation } from '../src/index.js';
import { withTypeScriptKernels } from '../src/kernels/backend.js';
import { loadModel } from '../src/node.js';
import { repoRoot } from './fixtures.js';

const model = await loadModel(join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5'));
const x = { shape: [2, 28, 28, 1], data: Float32Array.from({ length: 2 * 784 }, (_, i) => ((i * 37) % 101) / 101) };

test('precision float64 is the TypeScript kernels bit for bit; float32 agrees within float32 rounding', () => {
  for (const method of ['epsilon-plus', 'gradient']) {
    const reference = withTypeScriptKernels(() => analyze(model, x, { method })) as Explanation;
    const f64 = analyze(model, x, { method, precision: 'float64' }) as Explanation;
    assert.equal(Array.from(f64.data), Array.from(reference.data), `${method} float64`);
    const f32 = analyze(model, x, { method, precision: 'float32' }) as Explanation;
    const scale = reference.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    f32.data.forEach((v, i) => assert.ok(Math.abs(v - reference.data[i]) <= 1e-5 * scale, `${method} float32 [${i}]`));
  }
});

test('model.backend names the kernels in use; a bad precision is an LrpKerasError naming the option', () => {
  assert.type(model.backend.name, 'string');
  assert.is(
    withTypeScriptKernels(() => model.backend.name),
    'typescript',
  );
  assert.throws(
    () => analyze(model, x, { method: 'gradient', precision: 'half' as never }),
    /option precision must be 'float32' or 'float64', got "half"/,
  );
});

test.run();
