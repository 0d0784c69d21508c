import { engine, why, type KernelEngine } from './wasm/engine.js';
import type { Precision } from './wasm/gemm.js';

export { prepareKernels, setKernelModule } from './wasm/engine.js';
export type { Precision } from './wasm/gemm.js';

/**
 * Which kernels run the products: the WebAssembly SIMD128 kernels where the runtime starts them,
 * else the TypeScript ones. Precision (WebAssembly only): 'float32' sums each output in float32, mul
 * then add (the same bits in every engine and on any number of threads); 'float64' sums in float64,
 * bit for bit the TypeScript kernels' results, about half as fast. The TypeScript kernels always sum
 * in float64.
 */
let precision: Precision = 'float32';
let typescriptOnly = false;

/** Run `f` with the products summed in `p` (see above). */
export function withPrecision<T>(p: Precision, f: () => T): T {
  const previous = precision;
  precision = p;
  try {
    return f();
  } finally {
    precision = previous;
  }
}

/** Run `f` on the TypeScript kernels (the reference the tests compare the WebAssembly kernels with). */
export function withTypeScriptKernels<T>(f: () => T): T {
  const previous = typescriptOnly;
  typescriptOnly = true;
  try {
    return f();
  } finally {
    typescriptOnly = previous;
  }
}

export const currentPrecision = (): Precision => precision;

/** The WebAssembly kernels when they run here and now, else null. */
export const wasmKernels = (): KernelEngine | null => (typescriptOnly ? null : engine());

/** The kernels in use (`model.backend`), and why the TypeScript ones run when they do. */
export function kernelBackend(): { name: string; reason?: string } {
  if (typescriptOnly) return { name: 'typescript', reason: 'withTypeScriptKernels' };
  return engine() ? { name: `wasm-simd128 (${precision})` } : { name: 'typescript', reason: why() };
}
