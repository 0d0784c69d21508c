// The Node entry point (also Bun): everything of the universal one, plus file paths and the h5wasm
// reader. The pure-TypeScript reader is the default, as everywhere (it starts in a tenth of the time
// and memory, with bit-identical results); h5wasm, the HDF5 C library, takes over by itself when a
// file uses what the pure reader lacks (filters such as compression, exotic layouts), or on request
// (`reader: 'h5wasm'`). h5wasm is imported on its first file only.
import { readFile } from 'node:fs/promises';
import { LrpKerasError } from './errors.js';
import { h5wasmReader } from './io/h5wasm-reader.js';
import { pureReader } from './io/hdf5-pure/index.js';
import type { ModelSource } from './io/source.js';
import { createLoadModel, type LoadOptions } from './load.js';
import type { Model } from './model/model.js';

export * from './index.js';
export { h5wasmReader };

const load = createLoadModel({
  readers: { pure: pureReader, h5wasm: h5wasmReader },
  defaultReader: 'pure',
  readFile: async (path) => new Uint8Array(await readFile(path)),
});

/**
 * An error that h5wasm may not share: the pure reader refuses what it does not implement with "… is
 * not supported" (a corrupt file gets other words). Unsupported layers say so too; for them h5wasm
 * fails the same way and the first error is the one reported.
 */
const mayNeedH5wasm = (e: unknown): boolean => e instanceof LrpKerasError && /\bnot supported\b/.test(e.message);

/**
 * Load a Keras model file as Keras saved it: full-model HDF5, `.keras` zip, weights-only HDF5 with
 * `options.config`; from a path, a URL or bytes. Without `options.reader`, the pure reader, then
 * h5wasm if the file needs it.
 */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  if (options.reader !== undefined) return load(source, options);
  try {
    return await load(source, options);
  } catch (e) {
    if (!mayNeedH5wasm(e)) throw e;
    try {
      return await load(source, { ...options, reader: 'h5wasm' });
    } catch {
      throw e;
    }
  }
}
