// Loading: logits of every reference model, model metadata, and the errors for files we refuse.
import { fixedShape } from '../src/tensor.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, LrpKerasError, type Model } from '../src/node.js';
import { allReferences, sampleError } from './references.js';
import { fixturePath, sharedPath } from './fixtures.js';

async function rejects(promise: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<string> {
  try {
    await promise;
  } catch (e) {
    assert.instance(e, LrpKerasError, `expected LrpKerasError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    for (const part of parts) assert.match((e as Error).message, part);
    return (e as Error).message;
  }
  throw new assert.Assertion({ message: 'expected an LrpKerasError', operator: 'rejects' } as never);
}

for (const ref of allReferences()) {
  test(`${ref.name}: logits match the reference within 1e-5`, async () => {
    const model = await loadModel(ref.modelPath, ref.configPath ? { config: readFileSync(ref.configPath, 'utf8') } : {});
    const out = model.logits(ref.input);
    assert.equal(out.shape, ref.logits.shape);
    const classes = ref.logits.data.length / ref.logits.shape[0];
    for (let s = 0; s < ref.logits.shape[0]; s++) {
      const { err, scale } = sampleError(out.data, ref.logits.data, s, classes);
      assert.ok(err <= 1e-5 * scale, `sample ${s}: max|Δ| ${err} vs max|logit| ${scale}`);
    }
  });
}

test('predict applies the removed softmax; summary lists layers like Keras', async () => {
  const model = await loadModel(fixturePath('models/cnn_small.h5'));
  assert.equal(model.inputShape, [28, 28, 1]);
  assert.equal(model.outputShape, [10]);
  assert.equal(model.kerasVersion, '2.11.0');
  const x = { shape: [2, 28, 28, 1], data: new Float32Array(2 * 784).map((_, i) => (i % 7) / 7) };
  const logits = model.logits(x).data;
  const probs = model.predict(x).data;
  for (let s = 0; s < 2; s++) {
    let sum = 0;
    let z = 0;
    for (let k = 0; k < 10; k++) z += Math.exp(logits[s * 10 + k]);
    for (let k = 0; k < 10; k++) {
      sum += probs[s * 10 + k];
      assert.ok(Math.abs(probs[s * 10 + k] - Math.exp(logits[s * 10 + k]) / z) < 1e-6);
    }
    assert.ok(Math.abs(sum - 1) < 1e-5);
  }
  const summary = model.summary();
  assert.match(summary, 'conv2d (Conv2D)');
  assert.match(summary, '(None, 26, 26, 8)');
  // 3·3·1·8+8 + 3·3·8·16+16 + 576·32+32 + 32·10+10
  assert.match(summary, 'Total params: 20,042');
  assert.equal(
    model.layers.map((l) => l.className),
    ['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'AveragePooling2D', 'Flatten', 'Dense', 'Dense'],
  );
});

test('the .h5 and .keras saves of one model give the same logits, bit for bit', async () => {
  const x = { shape: [1, 16, 16, 3], data: new Float32Array(768).map((_, i) => Math.sin(i)) };
  const a = await loadModel(fixturePath('keras3/residual_cnn.h5'));
  const b = await loadModel(fixturePath('keras3/residual_cnn.keras'));
  assert.equal(a.inputShape, fixedShape(b.inputShape, 'b.inputShape'));
  const xs = {
    shape: [1, ...fixedShape(a.inputShape, 'a.inputShape')],
    data: new Float32Array(fixedShape(a.inputShape, 'a.inputShape').reduce((p, d) => p * d, 1)).map((_, i) => Math.sin(i)),
  };
  assert.equal(Array.from(a.logits(xs).data), Array.from(b.logits(xs).data));
  void x;
});

test('sources: path, URL, Uint8Array and ArrayBuffer load the same model', async () => {
  const path = fixturePath('models/mlp.h5');
  const bytes = readFileSync(path);
  const models: Model[] = await Promise.all([
    loadModel(path),
    loadModel(new URL(`file://${path}`)),
    loadModel(new Uint8Array(bytes)),
    loadModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
  ]);
  const shape = fixedShape(models[0].inputShape, 'input');
  const x = { shape: [1, ...shape], data: new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(0.5) };
  const first = Array.from(models[0].logits(x).data);
  for (const m of models) assert.equal(Array.from(m.logits(x).data), first);
});

test('conv kernels are flipped when the file says Theano, and flipKernels overrides it', async () => {
  const ref = allReferences().find((r) => r.name === 'keras2_theano_cf')!;
  const flipped = await loadModel(ref.modelPath);
  const plain = await loadModel(ref.modelPath, { flipKernels: false });
  const forced = await loadModel(fixturePath('models/keras2_theano_cf.h5'), { flipKernels: true });
  const a = flipped.logits(ref.input).data;
  const b = plain.logits(ref.input).data;
  assert.equal(Array.from(forced.logits(ref.input).data), Array.from(a));
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  // The reference (Keras with the Theano flip) matches `a` to 1e-5 (above); unflipped kernels are far off.
  assert.ok(diff > 1e-2, `unflipped logits differ by only ${diff}`);
});

test('an input of the wrong shape names both shapes', async () => {
  const model = await loadModel(fixturePath('models/cnn_small.h5'));
  assert.throws(() => model.logits({ shape: [1, 28, 27, 1], data: new Float32Array(28 * 27) }), /\(1, 28, 27, 1\).*\(None, 28, 28, 1\)/);
  assert.throws(() => model.predict({ shape: [28, 28, 1], data: new Float32Array(784) }), /add the batch axis/);
});

test('bad files: not a model, truncated, missing, weights-only without config', async () => {
  await rejects(loadModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), /not a Keras model file/);
  await rejects(loadModel(new Uint8Array(0)), /empty/);
  await rejects(loadModel('/nonexistent/model.h5'), '/nonexistent/model.h5');
  const bytes = readFileSync(fixturePath('models/cnn_small.h5'));
  for (const cut of [100, 2000, bytes.length >> 1, bytes.length - 100]) {
    await rejects(loadModel(bytes.subarray(0, cut)), '<bytes>');
  }
  await rejects(loadModel(fixturePath('corpus/k1_th_weights_mnist_cnn_keras2cpp.h5')), /weights-only/, /options\.config/);
  const zip = readFileSync(fixturePath('keras3/mlp_activations.keras'));
  await rejects(loadModel(zip.subarray(0, zip.length >> 1)), '<bytes>');
});

/** Corpus files we refuse, with what the message must name (file, layer name and class, reason). */
const REFUSED: Record<string, (string | RegExp)[]> = {
  'k1.2.0_full_seq_nvidia_lambda_elu_opt.h5': ["'lambda_1' (Lambda)"],
  'k2.2.4_full_func_densenet_concat_lambda_opt.h5': ['(Lambda)'],
  'tfk2.13.1_full_func_hgq_custom_layers_int8.h5': ['(FixedPointQuantizer)', /custom or unknown/],
  'k3.14.1_keras_zip_seq_qkeras_custom.keras': ['(QDense)', /custom or unknown/],
  'k1_theano_weights_dqn_cartpole_mlp.h5f': [/weights-only/],
  'k1_theano_weights_ddpg_pendulum_nested.h5f': [/weights-only/],
  'k2.2.4_weights_lenet_nobias_avgpool.h5': [/weights-only/],
};

test('every corpus file loads or is refused with a message naming the file and the layer', async () => {
  const dir = sharedPath('keras-corpus');
  const files = dir
    ? readdirSync(dir)
        .filter((f) => /\.(h5|hdf5|h5f|keras)$/.test(f))
        .map((f) => join(dir, f))
    : readdirSync(fixturePath('corpus'))
        .filter((f) => /\.(h5|hdf5|h5f|keras)$/.test(f))
        .map((f) => fixturePath(`corpus/${f}`));
  const report: string[] = [];
  for (const path of files) {
    const name = path.split('/').pop()!;
    const sidecar = path.replace(/\.[^.]+$/, '.arch.json');
    const options = existsSync(sidecar) ? { config: readFileSync(sidecar, 'utf8') } : {};
    try {
      const model = await loadModel(path, options);
      report.push(`loads: ${name} (${model.layers.length} layers)`);
      assert.not.ok(REFUSED[name], `${name} was expected to be refused`);
    } catch (e) {
      assert.instance(e, LrpKerasError, `${name}: ${(e as Error).message}`);
      const message = (e as Error).message;
      assert.match(message, name);
      for (const part of REFUSED[name] ?? [/\(\w+\)/]) assert.match(message, part);
      report.push(`refused: ${message}`);
    }
  }
  console.log(`\n  corpus:\n    ${report.join('\n    ')}`);
  assert.ok(files.length > 0);
});

test.run();
