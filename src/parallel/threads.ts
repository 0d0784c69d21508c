import { LrpKerasError } from '../errors.js';
import type { GemmExecutor } from '../kernels/gemm.js';
import { getOrCreate } from '../get-or-create.js';

/**
 * Worker threads as the engine sees them: something that runs a GEMM on several threads. The engine
 * imports no runtime module; `lrp-keras/threads` (Node's worker_threads) registers how to make pools.
 */
export interface ThreadPool extends GemmExecutor {
  /** GEMMs this pool has split among its threads so far. */
  readonly jobs: number;
  /** Stop the workers; the pool must not be used afterwards. */
  close(): void;
}

let makePool: ((threads: number) => ThreadPool) | null = null;
const defaultPools = new Map<number, ThreadPool>();

export function registerThreadPools(factory: (threads: number) => ThreadPool): void {
  makePool = factory;
}

/**
 * The executor for an options' `threads`: undefined or 1 is this thread alone; a pool is used as it
 * is; a count n > 1 uses a pool of n threads (this one and n − 1 workers) kept for later calls.
 */
export function executorFor(threads: unknown, what = 'option threads'): GemmExecutor | null {
  if (threads === undefined || threads === 1) return null;
  if (typeof threads === 'object' && threads !== null && typeof (threads as ThreadPool).gemm === 'function') return threads as ThreadPool;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new LrpKerasError(
      `${what} must be a whole number of threads from 1 to 256 or a pool from createThreadPool, got ${JSON.stringify(threads)}`,
    );
  }
  const make = makePool;
  if (!make) {
    throw new LrpKerasError(
      `${what}: ${threads} threads need worker threads; import 'lrp-keras/threads' once first (Node), pass a pool from createWebThreadPool ('lrp-keras/web-threads', browsers), or pass threads: 1`,
    );
  }
  return getOrCreate(defaultPools, threads, () => make(threads));
}
