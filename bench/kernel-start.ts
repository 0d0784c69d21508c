// What starting the WebAssembly kernels costs a fresh process: decode the shipped base64, validate
// (the feature probe), compile and instantiate, as the first product does; the median of several runs.
import { instantiate } from '../src/kernels/wasm/engine.js';
import { SIMD128_SHARED } from '../src/kernels/wasm/kernel-bytes.js';
import { timing, type Timing } from './stats.js';

export function kernelStart(runs: number): { bytes: number; start: Timing; runs: number } {
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const module = Uint8Array.from(atob(SIMD128_SHARED), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(module)) throw new Error('this engine has no SIMD128');
    instantiate(new WebAssembly.Module(module), new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }));
    times.push(performance.now() - t0);
    bytes = module.length;
  }
  return { bytes, start: timing(times), runs };
}
