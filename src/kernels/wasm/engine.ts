import { SIMD128, SIMD128_SHARED } from './kernel-bytes.js';

/**
 * The WebAssembly kernel module of this thread: compiled from the shipped bytes at first use (or
 * handed over by the host, `setKernelModule`), instantiated on one memory. Where SharedArrayBuffer
 * exists the memory is shared, so that a thread pool's workers run the same module on it; elsewhere
 * it is ordinary memory. When neither works (no SIMD, code generation refused), `engine()` is null
 * and `why()` says why: the TypeScript kernels run instead.
 */
export interface KernelEngine {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: boolean;
  run(job: number, m0: number, m1: number, thread: number): void;
  scratchBytes(K: number, precision: number): number;
  depthwiseScratchBytes(kh: number, kw: number): number;
  /** Columns per packed panel of B (0: float32, 1: float64). */
  panelWidth(precision: number): number;
  /** Rows of a micro-kernel tile (0: float32, 1: float64). */
  tileRows(precision: number): number;
}

/** The module's memory may grow to 4 GiB (wasm32's whole address space). */
const MAX_PAGES = 65536;

let current: KernelEngine | null | undefined;
let reason = '';
let hostModule: WebAssembly.Module | null = null;

const decode = (base64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** A shared memory if this runtime makes one (SharedArrayBuffer, cross-origin isolation in browsers), else null. */
function sharedMemory(): WebAssembly.Memory | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  } catch {
    return null;
  }
}

/** Instantiate `module` on `memory` (its own memory import decides whether it must be shared). */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelEngine {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Omit<
    KernelEngine,
    'module' | 'memory' | 'shared'
  >;
  for (const name of ['run', 'scratchBytes', 'depthwiseScratchBytes', 'panelWidth', 'tileRows'] as const) {
    if (typeof exports[name] !== 'function') throw new Error(`the module is not lrp-keras' kernel module (it exports no function ${name})`);
  }
  return {
    module,
    memory,
    shared: typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer,
    run: exports.run,
    scratchBytes: exports.scratchBytes,
    depthwiseScratchBytes: exports.depthwiseScratchBytes,
    panelWidth: exports.panelWidth,
    tileRows: exports.tileRows,
  };
}

function start(): KernelEngine | null {
  if (typeof WebAssembly === 'undefined') {
    reason = 'this runtime has no WebAssembly';
    return null;
  }
  try {
    if (hostModule) {
      try {
        return instantiate(hostModule, new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES }));
      } catch {
        const memory = sharedMemory();
        if (!memory) throw new Error('the module given to setKernelModule imports a shared memory, which this runtime cannot make');
        return instantiate(hostModule, memory);
      }
    }
    const memory = sharedMemory();
    const bytes = decode(memory ? SIMD128_SHARED : SIMD128);
    // The probe: an engine without SIMD128 (or without shared memory for the shared module) rejects the bytes.
    if (!WebAssembly.validate(bytes)) {
      reason = 'this engine does not support WebAssembly SIMD128';
      return null;
    }
    return instantiate(new WebAssembly.Module(bytes), memory ?? new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES }));
  } catch (e) {
    // Workers refuse to compile at run time ("Wasm code generation disallowed by embedder"); a page's main thread refuses modules over 4 KB.
    reason = `the WebAssembly kernels could not start: ${e instanceof Error ? e.message : String(e)}`;
    return null;
  }
}

/** This thread's kernel module, started at first use; null when only the TypeScript kernels can run. */
export function engine(): KernelEngine | null {
  if (current === undefined) current = start();
  return current;
}

/** Why `engine()` is null ('' when it is not). */
export const why = (): string => (engine() ? '' : reason);

/**
 * Use this compiled kernel module (`dist/kernels/wasm/kernels-simd128.wasm`, imported as a module by
 * hosts that forbid compiling at run time, such as Cloudflare Workers) instead of compiling the
 * shipped bytes; null goes back to those.
 */
export function setKernelModule(module: WebAssembly.Module | null): void {
  hostModule = module;
  current = undefined;
}

/** Compile the shipped bytes off the calling thread (for a page's main thread, which refuses to compile them synchronously). */
export async function prepareKernels(): Promise<void> {
  if (engine() || hostModule || typeof WebAssembly === 'undefined') return;
  const memory = sharedMemory();
  const bytes = decode(memory ? SIMD128_SHARED : SIMD128);
  if (!WebAssembly.validate(bytes)) return;
  hostModule = await WebAssembly.compile(bytes);
  current = undefined;
}
