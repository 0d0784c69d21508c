// Worker threads change nothing but the time: every kernel and every method gives bit-identical
// results on 1 and 2 threads.
import { fixedShape } from '../src/tensor.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { analyze, loadModel, type Model } from '../src/index.js';
import { conv2dForward, conv2dTranspose, type ConvGeometry } from '../src/kernels/conv2d.js';
import { denseForward, denseTranspose } from '../src/kernels/dense.js';
import { withExecutor } from '../src/kernels/gemm.js';
import { plainWeights } from '../src/kernels/gemm-problem.js';
import { executorFor } from '../src/parallel/threads.js';
import { createThreadPool } from '../src/threads.js';
import { fixturePath } from './fixtures.js';
import { randomArray } from './kernel-reference.js';

const pool = createThreadPool(2);

const identical = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** Run `f` on one thread and on the pool; both results, and how many GEMMs the pool split. */
function both(f: () => Float32Array): { one: Float32Array; two: Float32Array; split: number } {
  const one = f();
  const before = pool.jobs;
  const two = withExecutor(pool, f);
  return { one, two, split: pool.jobs - before };
}

test('Dense forward and transpose: bit-identical on 2 threads, for row counts that do not split evenly', () => {
  for (const [n, inF, outF] of [
    [9, 700, 130],
    [37, 513, 77],
    [130, 300, 9],
  ]) {
    const x = randomArray(n * inF, n);
    const W = randomArray(inF * outF, inF);
    const b = randomArray(outF, outF);
    const gy = randomArray(n * outF, 7);
    const fwd = both(() => {
      const y = new Float32Array(n * outF);
      denseForward(x, plainWeights(W), b, y, n, inF, outF, 'positive');
      return y;
    });
    const bwd = both(() => {
      const gx = new Float32Array(n * inF);
      denseTranspose(gy, plainWeights(W), gx, n, inF, outF);
      return gx;
    });
    assert.ok(fwd.split > 0 && bwd.split > 0, 'the pool split the GEMMs');
    assert.ok(identical(fwd.one, fwd.two), `forward ${n}×${inF}→${outF}`);
    assert.ok(identical(bwd.one, bwd.two), `transpose ${n}×${inF}→${outF}`);
  }
});

test('Conv forward and transpose (strided, dilated, grouped, depthwise): bit-identical on 2 threads', () => {
  const geoms: ConvGeometry[] = [
    { H: 17, W: 19, C: 16, OH: 9, OW: 10, O: 24, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padT: 1, padL: 1, groups: 1 },
    { H: 20, W: 20, C: 24, OH: 16, OW: 16, O: 36, kh: 3, kw: 3, sh: 1, sw: 1, dh: 2, dw: 2, padT: 0, padL: 0, groups: 3 },
    // Depthwise: MobileNet's 3×3 (same padding), and a strided one with a channel multiplier of 2.
    { H: 28, W: 28, C: 32, OH: 28, OW: 28, O: 32, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, padT: 1, padL: 1, groups: 32 },
    { H: 57, W: 55, C: 16, OH: 28, OW: 27, O: 32, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, padT: 0, padL: 0, groups: 16 },
  ];
  for (const g of geoms) {
    const n = 3;
    const x = randomArray(n * g.H * g.W * g.C, 1);
    const K = randomArray(g.kh * g.kw * (g.C / g.groups) * g.O, 2);
    const b = randomArray(g.O, 3);
    const gy = randomArray(n * g.OH * g.OW * g.O, 4);
    const fwd = both(() => {
      const y = new Float32Array(n * g.OH * g.OW * g.O);
      conv2dForward(x, { W: K, transform: (w) => (w > 0 ? w : 0), cacheKey: 'positive' }, b, y, n, g);
      return y;
    });
    const bwd = both(() => {
      const gx = new Float32Array(n * g.H * g.W * g.C);
      conv2dTranspose(gy, plainWeights(K), gx, n, g);
      return gx;
    });
    assert.ok(fwd.split > 0 && bwd.split > 0, 'the pool split the GEMMs');
    assert.ok(identical(fwd.one, fwd.two), `forward ${JSON.stringify(g)}`);
    assert.ok(identical(bwd.one, bwd.two), `transpose ${JSON.stringify(g)}`);
  }
});

test('every method on a CNN: threads 1, threads 2 and a pool give bit-identical relevance', async () => {
  const model: Model = await loadModel(new Uint8Array(readFileSync(fixturePath('models/cnn_small.h5'))));
  const size = fixedShape(model.inputShape, 'model.inputShape').reduce((a, b) => a * b, 1);
  const x = { shape: [64, ...fixedShape(model.inputShape, 'model.inputShape')], data: randomArray(64 * size, 11).map((v) => v + 0.5) };
  const before = pool.jobs;
  for (const method of ['epsilon-plus', 'epsilon-gamma-box', 'alpha-beta', 'gradient-x-input', 'integrated-gradients']) {
    const one = analyze(model, x, { method, threads: 1 }).data;
    const two = analyze(model, x, { method, threads: 2 }).data;
    const own = analyze(model, x, { method, threads: pool }).data;
    assert.ok(identical(one, two), `${method}: threads 2`);
    assert.ok(identical(one, own), `${method}: own pool`);
  }
  assert.ok(pool.jobs > before, 'the pool split some GEMMs');
});

test('threads is checked: a bad count names the option', () => {
  assert.throws(() => executorFor(0), /option threads/);
  assert.throws(() => executorFor(1.5), /option threads/);
  assert.is(executorFor(1), null);
  assert.is(executorFor(pool), pool);
});

test('close', () => {
  pool.close();
  assert.throws(
    () =>
      withExecutor(pool, () =>
        denseForward(randomArray(64 * 512, 1), plainWeights(randomArray(512 * 64, 2)), null, new Float32Array(64 * 64), 64, 512, 64),
      ),
    /closed/,
  );
});

test.run();
