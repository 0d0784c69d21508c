// A worker that fails makes the calling thread throw, naming what failed, and leaves the pool usable:
// the next call hands the staging buffer over again and gives one thread's results.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageChannel, Worker } from 'node:worker_threads';
import { withTypeScriptKernels } from '../src/kernels/backend.js';
import { denseForward } from '../src/kernels/dense.js';
import { withExecutor } from '../src/kernels/gemm.js';
import { plainWeights } from '../src/kernels/gemm-problem.js';
import { poolOver } from '../src/parallel/pool-core.js';
import { CONTROL_INTS, Slot } from '../src/parallel/protocol.js';
import { randomArray } from './kernel-reference.js';

// The staging buffer is the TypeScript kernels' protocol (the WebAssembly kernels share their memory instead).
test('a worker that cannot take a staging buffer: the call throws, the next one is right', () =>
  withTypeScriptKernels(() => {
    const control = new SharedArrayBuffer(CONTROL_INTS * 4);
    const ctrl = new Int32Array(control);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./pool-flaky-worker.js', import.meta.url), {
      workerData: { control, port: port2 },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    while (Atomics.load(ctrl, Slot.ready) < 1) Atomics.wait(ctrl, Slot.ready, 0, 50);
    const pool = poolOver(2, ctrl, { count: 1, post: (b) => port1.postMessage(b), errors: [], stop: () => port1.close() });
    const [n, inF, outF] = [64, 256, 64];
    const x = randomArray(n * inF, 1);
    const W = randomArray(inF * outF, 2);
    const dense = (rows: number): Float32Array => {
      const y = new Float32Array(rows * outF);
      denseForward(x.subarray(0, rows * inF), plainWeights(W), null, y, rows, inF, outF);
      return y;
    };
    assert.throws(() => withExecutor(pool, () => dense(64)), /a worker thread failed to take a staging buffer of \d+ floats/);
    const split = pool.jobs;
    const y = withExecutor(pool, () => dense(32));
    assert.ok(pool.jobs > split, 'the second call ran on the pool');
    const one = dense(32);
    assert.ok(
      y.every((v, i) => Object.is(v, one[i])),
      'and equals one thread bit for bit',
    );
    pool.close();
  }));

test.run();
