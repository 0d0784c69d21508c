// The entry for Cloudflare Workers (package.json condition `workerd`): the universal entry, with the
// WebAssembly kernels imported as a compiled module. workerd refuses to compile WebAssembly at run
// time, but a bundler for Workers (wrangler) uploads an imported .wasm file as a module the runtime
// compiles beforehand.
import kernels from './kernels/wasm/kernels-simd128.wasm';
import { setKernelModule } from './kernels/backend.js';

setKernelModule(kernels);

export * from './index.js';
