import { LrpKerasError } from '../errors.js';
import { poolOver } from './pool-core.js';
import { CONTROL_INTS, Slot } from './protocol.js';
import type { ThreadPool } from './threads.js';

/** How long a new pool waits for its workers to start. */
const START_TIMEOUT_MS = 30_000;

/** Whether this thread may block in Atomics.wait (a Web Worker may; a page's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pool of `threads` threads for browsers: the calling Web Worker and threads − 1 module Web Workers
 * parked in Atomics.wait on shared memory, the same protocol and results as Node's pool. Asynchronous,
 * because a browser starts a worker only once its creator yields. It needs SharedArrayBuffer (a
 * cross-origin isolated page: `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`) and a thread that may block: create it, and run the
 * model, in a Web Worker.
 */
export async function createWebThreadPool(threads: number): Promise<ThreadPool> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new LrpKerasError(`createWebThreadPool: threads must be a whole number from 1 to 256, got ${threads}`);
  if (typeof SharedArrayBuffer === 'undefined') {
    throw new LrpKerasError(
      'createWebThreadPool needs SharedArrayBuffer: serve the page cross-origin isolated (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)',
    );
  }
  if (!canBlock())
    throw new LrpKerasError(
      "createWebThreadPool: this thread may not wait (a page's main thread); create the pool and run the model in a Web Worker",
    );
  const control = new SharedArrayBuffer(CONTROL_INTS * 4);
  const ctrl = new Int32Array(control);
  const errors: unknown[] = [];
  const workers: Worker[] = [];
  for (let w = 1; w < threads; w++) {
    const worker = new Worker(new URL('./web-worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (e) => errors.push(e.message));
    worker.postMessage(control);
    workers.push(worker);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Atomics.load(ctrl, Slot.ready) < workers.length) {
    if (Date.now() > deadline || errors.length) {
      for (const w of workers) w.terminate();
      throw new LrpKerasError(
        `createWebThreadPool: ${workers.length - Atomics.load(ctrl, Slot.ready)} of ${workers.length} Web Workers did not start${errors.length ? `: ${String(errors[0])}` : ` within ${START_TIMEOUT_MS / 1000} s`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return poolOver(threads, ctrl, {
    count: workers.length,
    post: (message) => {
      for (const w of workers) w.postMessage(message);
    },
    errors,
    stop: () => {
      for (const w of workers) w.terminate();
    },
  });
}
