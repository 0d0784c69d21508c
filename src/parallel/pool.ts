import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { LrpKerasError } from '../errors.js';
import { gemmRows, GemmScratch, type GemmProblem } from '../kernels/gemm.js';
import { claimRows, Command, CONTROL_INTS, Slot, writeJob } from './protocol.js';
import type { ThreadPool } from './threads.js';

/** Node's flags for the workers: the parent's, less --input-type, which a worker started from a file refuses. */
const workerExecArgv = (): string[] => process.execArgv.filter((a) => !a.startsWith('--input-type'));

/** How long a new pool waits for its workers to start. */
const START_TIMEOUT_MS = 30_000;

/**
 * A pool of `threads` threads for Node: this one and threads − 1 worker_threads parked in
 * Atomics.wait. The threads claim runs of rows of each GEMM as they go (protocol.ts): the main
 * thread on its own arrays, the workers on an exact copy of the operands in
 * shared memory. Every row is computed alone, so the result is bit-identical to one thread's. Created synchronously (it blocks until the workers run);
 * the workers do not keep the process alive, `close()` stops them.
 */
export function createThreadPool(threads: number): ThreadPool {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new LrpKerasError(`createThreadPool: threads must be a whole number from 1 to 256, got ${threads}`);
  const control = new SharedArrayBuffer(CONTROL_INTS * 4);
  const ctrl = new Int32Array(control);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  const errors: unknown[] = [];
  for (let w = 1; w < threads; w++) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { control, port: port2 }, transferList: [port2], execArgv: workerExecArgv() });
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
      throw new LrpKerasError(`createThreadPool: ${workers.length - ready} of ${workers.length} worker threads did not start within ${START_TIMEOUT_MS / 1000} s`);
    }
    Atomics.wait(ctrl, Slot.ready, ready, 50);
  }

  let staging: Float32Array = new Float32Array(0);
  const scratch = new GemmScratch();
  let closed = false;

  const stage = (size: number): Float32Array => {
    if (staging.length < size) {
      staging = new Float32Array(new SharedArrayBuffer(Math.max(size, Math.ceil(staging.length * 1.5)) * 4));
      for (const port of ports) port.postMessage(staging.buffer);
    }
    return staging;
  };

  const signal = (command: number): void => {
    Atomics.store(ctrl, Slot.command, command);
    Atomics.store(ctrl, Slot.done, 0);
    Atomics.add(ctrl, Slot.generation, 1);
    Atomics.notify(ctrl, Slot.generation);
  };

  const waitDone = (): void => {
    for (let done = Atomics.load(ctrl, Slot.done); done < workers.length; done = Atomics.load(ctrl, Slot.done)) Atomics.wait(ctrl, Slot.done, done);
  };

  let jobs = 0;
  return {
    threads,
    get jobs() {
      return jobs;
    },
    gemm(p: GemmProblem): void {
      if (closed) throw new LrpKerasError('the thread pool was closed');
      jobs++;
      const { M, N } = p;
      const aLength = p.a.length;
      const rightOffset = aLength;
      const biasOffset = p.bias ? rightOffset + p.right.length : -1;
      const cOffset = rightOffset + p.right.length + (p.bias ? N : 0);
      const s = stage(cOffset + M * N);
      s.set(p.a, 0);
      s.set(p.right, rightOffset);
      if (p.bias) s.set(p.bias.subarray(p.biasOffset, p.biasOffset + N), biasOffset);
      writeJob(ctrl, p, { aOffset: 0, aLength, rightOffset, rightLength: p.right.length, biasOffset, cOffset }, threads);
      Atomics.store(ctrl, Slot.failed, 0);
      signal(Command.gemm);
      for (let m0 = 0, rows = claimRows(ctrl, M, threads); rows > 0; m0 += rows, rows = claimRows(ctrl, M, threads)) gemmRows(p, m0, m0 + rows, scratch);
      waitDone();
      if (Atomics.load(ctrl, Slot.failed)) throw new LrpKerasError(`a worker thread failed on a ${M}×${p.K}·${p.K}×${N} GEMM${errors.length ? `: ${String(errors[0])}` : ''}`);
      const first = M - Atomics.load(ctrl, Slot.back);
      if (p.ldc === N) {
        p.c.set(s.subarray(cOffset + first * N, cOffset + M * N), p.cOffset + first * N);
      } else {
        const c = p.c;
        for (let m = first; m < M; m++) {
          const from = cOffset + m * N;
          const to = p.cOffset + m * p.ldc;
          for (let n = 0; n < N; n++) c[to + n] = s[from + n];
        }
      }
    },
    close(): void {
      if (closed) return;
      closed = true;
      signal(Command.exit);
      for (const port of ports) port.close();
    },
  };
}
