// The Node entry point (also Bun): everything of the universal one, plus file paths and the h5wasm
// reader, which is the default here (the HDF5 C library itself; `reader: 'pure'` starts faster).
import { readFile } from 'node:fs/promises';
import { h5wasmReader } from './io/h5wasm-reader.js';
import { pureReader } from './io/hdf5-pure/index.js';
import { createLoadModel } from './load.js';

export * from './index.js';
export { h5wasmReader };

export const loadModel = createLoadModel({
  readers: { h5wasm: h5wasmReader, pure: pureReader },
  defaultReader: 'h5wasm',
  readFile: async (path) => new Uint8Array(await readFile(path)),
});
