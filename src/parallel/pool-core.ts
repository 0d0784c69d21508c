import { LrpKerasError } from '../errors.js';
import type { GemmProblem } from '../kernels/gemm-problem.js';
import { gemmRows, GemmScratch } from '../kernels/gemm.js';
import { instantiate, type KernelEngine } from '../kernels/wasm/engine.js';
import { backRun, claimRows, Command, jobRows, readJob, Slot, writeJob, writeKernelJob } from './protocol.js';
import type { ThreadPool } from './threads.js';

/** What a runtime supplies to a pool: how to hand workers a new staging buffer, and how to stop them. */
export interface PoolWorkers {
  /** Workers besides the calling thread, all started and parked on the control block. */
  count: number;
  /** Post a message to every worker (a new staging buffer, the kernel module and memory); each takes it when told to. */
  post(message: WorkerMessage): void;
  /** Errors the workers reported (named when a GEMM fails). */
  errors: unknown[];
  stop(): void;
}

/** What a worker is handed besides the control block: a staging buffer, or the kernel module and its shared memory. */
export type WorkerMessage = SharedArrayBuffer | { module: WebAssembly.Module; memory: WebAssembly.Memory };

/**
 * The calling thread's side of a pool: stage the operands, wake the workers, claim rows with them
 * (protocol.ts), copy back what they computed. The same for Node's worker_threads and Web Workers.
 */
export function poolOver(threads: number, ctrl: Int32Array, workers: PoolWorkers): ThreadPool {
  let staging: Float32Array = new Float32Array(0);
  const scratch = new GemmScratch();
  let closed = false;
  let jobs = 0;
  let attached: WebAssembly.Memory | null = null;

  const signal = (command: number): void => {
    Atomics.store(ctrl, Slot.command, command);
    Atomics.store(ctrl, Slot.done, 0);
    Atomics.add(ctrl, Slot.generation, 1);
    Atomics.notify(ctrl, Slot.generation);
  };

  const waitDone = (): void => {
    for (let done = Atomics.load(ctrl, Slot.done); done < workers.count; done = Atomics.load(ctrl, Slot.done))
      Atomics.wait(ctrl, Slot.done, done);
  };

  const failed = (what: string): void => {
    if (Atomics.load(ctrl, Slot.failed))
      throw new LrpKerasError(`a worker thread failed ${what}${workers.errors.length ? `: ${String(workers.errors[0])}` : ''}`);
  };

  const stage = (size: number): Float32Array => {
    if (staging.length < size) {
      staging = new Float32Array(new SharedArrayBuffer(Math.max(size, Math.ceil(staging.length * 1.5)) * 4));
      workers.post(staging.buffer as SharedArrayBuffer);
      Atomics.store(ctrl, Slot.failed, 0);
      signal(Command.restage);
      waitDone();
      if (Atomics.load(ctrl, Slot.failed)) {
        const size = staging.length;
        staging = new Float32Array(0); // so that the next call hands a buffer over again
        failed(`to take a staging buffer of ${size} floats`);
      }
    }
    return staging;
  };

  /** Hand the workers the kernel module and its (shared) memory, once per memory. */
  const attach = (e: KernelEngine): void => {
    if (attached === e.memory) return;
    workers.post({ module: e.module, memory: e.memory });
    Atomics.store(ctrl, Slot.failed, 0);
    signal(Command.attach);
    waitDone();
    failed('to start the WebAssembly kernels');
    attached = e.memory;
  };

  return {
    threads,
    get jobs() {
      return jobs;
    },
    runJob(e: KernelEngine, job: number, M: number, unit: number): void {
      if (closed) throw new LrpKerasError('the thread pool was closed');
      attach(e);
      jobs++;
      writeKernelJob(ctrl, job, M, threads, unit);
      Atomics.store(ctrl, Slot.failed, 0);
      signal(Command.kernel);
      try {
        for (let m0 = 0, rows = claimRows(ctrl, M, threads); rows > 0; m0 += rows, rows = claimRows(ctrl, M, threads))
          e.run(job, m0, m0 + rows, 0);
      } finally {
        waitDone();
      }
      failed(`on a kernel job of ${M} rows`);
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
      try {
        for (let m0 = 0, rows = claimRows(ctrl, M, threads); rows > 0; m0 += rows, rows = claimRows(ctrl, M, threads))
          gemmRows(p, m0, m0 + rows, scratch);
      } finally {
        waitDone(); // never leave workers running on a job the next one would overwrite
      }
      failed(`on a ${M}×${p.K}·${p.K}×${N} GEMM`);
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
      workers.stop();
    },
  };
}

/**
 * A worker's side: report ready, then park on the control block and run what it is told (claim
 * rows of a GEMM or a kernel job, take a new staging buffer or the kernel module, exit). `nextMessage` gives what the calling
 * thread posted: at once in Node, after yielding to the event loop in a browser.
 */
export async function workerLoop(ctrl: Int32Array, nextMessage: () => WorkerMessage | Promise<WorkerMessage>): Promise<void> {
  const scratch = new GemmScratch();
  let staging: Float32Array = new Float32Array(0);
  let kernels: KernelEngine | null = null;
  let generation = Atomics.load(ctrl, Slot.generation);
  // Its place among the threads (the calling thread is 0): which scratch of a kernel job is its own.
  const index = Atomics.add(ctrl, Slot.ready, 1) + 1;
  Atomics.notify(ctrl, Slot.ready);
  for (;;) {
    Atomics.wait(ctrl, Slot.generation, generation);
    generation = Atomics.load(ctrl, Slot.generation);
    const command = Atomics.load(ctrl, Slot.command);
    if (command === Command.exit) return;
    // A failure is reported, never thrown: the calling thread is waiting for this worker's `done`.
    try {
      if (command === Command.restage) {
        staging = new Float32Array((await nextMessage()) as SharedArrayBuffer);
      } else if (command === Command.attach) {
        const { module, memory } = (await nextMessage()) as { module: WebAssembly.Module; memory: WebAssembly.Memory };
        kernels = instantiate(module, memory);
      } else if (command === Command.kernel) {
        const { M, threads } = jobRows(ctrl);
        const job = Atomics.load(ctrl, Slot.kernelJob);
        // The pool sends the module (attach) before any kernel job.
        if (!kernels) throw new Error('a kernel job before the kernel module was attached');
        for (let rows = claimRows(ctrl, M, threads); rows > 0; rows = claimRows(ctrl, M, threads)) {
          const m0 = backRun(ctrl, M, rows);
          kernels.run(job, m0, m0 + rows, index);
        }
      } else {
        const { p, threads } = readJob(ctrl, staging);
        for (let rows = claimRows(ctrl, p.M, threads); rows > 0; rows = claimRows(ctrl, p.M, threads)) {
          const m0 = backRun(ctrl, p.M, rows);
          gemmRows(p, m0, m0 + rows, scratch);
        }
      }
    } catch {
      Atomics.store(ctrl, Slot.failed, 1);
    }
    Atomics.add(ctrl, Slot.done, 1);
    Atomics.notify(ctrl, Slot.done);
  }
}
