// The WebAssembly kernels on a thread pool: the workers run the same module on the shared kernel
// memory, and every result is bit-identical to one thread's, in both precisions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withPrecision } from '../src/kernels/backend.js';
import { conv2dForward, conv2dTranspose } from '../src/kernels/conv2d.js';
import { denseForward, denseTranspose } from '../src/kernels/dense.js';
import { withExecutor } from '../src/kernels/gemm.js';
import { plainWeights } from '../src/kernels/gemm-problem.js';
import { engine } from '../src/kernels/wasm/engine.js';
import { createThreadPool } from '../src/threads.js';
import { random, randomArray } from './kernel-reference.js';
import { describe, identical, randomConv } from './kernels-wasm-cases.js';

const pool = createThreadPool(2);

/** `f` on one thread and on the pool, in both precisions: each pair must be the same bits. */
function sameOnTwoThreads(label: string, f: () => Float32Array): number {
  const before = pool.jobs;
  for (const precision of ['float32', 'float64'] as const) {
    const one = withPrecision(precision, f);
    const two = withPrecision(precision, () => withExecutor(pool, f));
    assert.ok(identical(one, two), `${label}, ${precision}: 2 threads differ from 1`);
  }
  return pool.jobs - before;
}

test('the kernel memory is shared, so the pool can run the module', () => {
  assert.ok(engine()?.shared);
});

test('Dense forward and transpose: bit-identical on 2 threads, rows that split unevenly', () => {
  for (const [n, inF, outF] of [
    [41, 700, 130],
    [37, 513, 77],
    [133, 300, 9],
    [61, 64, 80],
  ]) {
    const x = randomArray(n * inF, n);
    const W = randomArray(inF * outF, inF);
    const b = randomArray(outF, outF);
    const gy = randomArray(n * outF, 7);
    const split =
      sameOnTwoThreads(`dense ${n}×${inF}→${outF}`, () => {
        const y = new Float32Array(n * outF);
        denseForward(x, plainWeights(W), b, y, n, inF, outF, 'positive');
        return y;
      }) +
      sameOnTwoThreads(`dense-t ${n}×${inF}→${outF}`, () => {
        const gx = new Float32Array(n * inF);
        denseTranspose(gy, plainWeights(W), gx, n, inF, outF);
        return gx;
      });
    assert.ok(split > 0, 'the pool split the products');
  }
});

test('Conv forward and transpose on 40 random geometries (depthwise too), large enough to split', () => {
  const r = random(5);
  let split = 0;
  for (let i = 0; i < 40; i++) {
    const c = randomConv(r, 4);
    const { g: geo, n } = c;
    const x = randomArray(n * geo.H * geo.W * geo.C, i);
    const K = randomArray(geo.kh * geo.kw * (geo.C / geo.groups) * geo.O, 100 + i);
    const b = randomArray(geo.O, 200 + i);
    const gy = randomArray(n * geo.OH * geo.OW * geo.O, 300 + i);
    split += sameOnTwoThreads(`conv ${describe(c)}`, () => {
      const y = new Float32Array(n * geo.OH * geo.OW * geo.O);
      conv2dForward(x, plainWeights(K), b, y, n, geo, 'negative');
      return y;
    });
    split += sameOnTwoThreads(`conv-t ${describe(c)}`, () => {
      const gx = new Float32Array(n * geo.H * geo.W * geo.C);
      conv2dTranspose(gy, plainWeights(K), gx, n, geo);
      return gx;
    });
  }
  assert.ok(split > 0, 'the pool split the products');
});

test('close', () => {
  pool.close();
});

test.run();
