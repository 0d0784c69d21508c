import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { LrpKerasError } from '../errors.js';
import { poolOver } from './pool-core.js';
import { CONTROL_INTS, Slot } from './protocol.js';
import type { ThreadPool } from './threads.js';

/** Node's flags for the workers: the parent's, less --input-type, which a worker started from a file refuses. */
const workerExecArgv = (): string[] => process.execArgv.filter((a) => !a.startsWith('--input-type'));

/** How long a new pool waits for its workers to start. */
const START_TIMEOUT_MS = 30_000;

/**
 * A pool of `threads` threads for Node: this one and threads − 1 worker_threads parked in
 * Atomics.wait, driven by pool-core.ts (results bit-identical to one thread's). Created
 * synchronously (it blocks until the workers run); the workers do not keep the process alive,
 * `close()` stops them.
 */
export function createThreadPool(threads: number): ThreadPool {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new LrpKerasError(`createThreadPool: threads must be a whole number from 1 to 256, got ${threads}`);
  const control = new SharedArrayBuffer(CONTROL_INTS * 4);
  const ctrl = new Int32Array(control);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  const errors: unknown[] = [];
  for (let w = 1; w < threads; w++) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { control, port: port2 },
      transferList: [port2],
      execArgv: workerExecArgv(),
    });
    worker.on('error', (e) => errors.push(e));
    worker.unref();
    port1.unref();
    ports.push(port1);
    workers.push(worker);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let ready = Atomics.load(ctrl, Slot.ready); ready < workers.length; ready = Atomics.load(ctrl, Slot.ready)) {
    if (Date.now() > deadline) {
      for (const w of workers) void w.terminate();
      throw new LrpKerasError(
        `createThreadPool: ${workers.length - ready} of ${workers.length} worker threads did not start within ${START_TIMEOUT_MS / 1000} s`,
      );
    }
    Atomics.wait(ctrl, Slot.ready, ready, 50);
  }

  return poolOver(threads, ctrl, {
    count: workers.length,
    post: (message) => {
      for (const port of ports) port.postMessage(message);
    },
    errors,
    stop: () => {
      for (const port of ports) port.close();
    },
  });
}
