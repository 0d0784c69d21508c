import { LrpKerasError } from './errors.js';
import type { H5Reader } from './io/hdf5.js';
import { readKerasH5, type KerasArchive } from './io/keras-h5.js';
import { readKerasZip } from './io/keras-zip.js';
import { withDefaults, type Limits } from './io/limits.js';
import { detectKind, readSource, type FileReader, type ModelSource } from './io/source.js';
import { buildGraph } from './model/build.js';
import { foldBatchNorms } from './model/canonize.js';
import { describeRules } from './lrp/composites.js';
import { parseModelConfig } from './model/config.js';
import { createModel, type Model } from './model/model.js';

export interface LoadOptions {
  /**
   * The HDF5 reader: `'pure'` (TypeScript, everywhere), `'h5wasm'` (the HDF5 C library in WebAssembly;
   * Node entry and `lrp-keras/h5wasm`) or any H5Reader. Default: h5wasm in Node, pure elsewhere.
   */
  reader?: string | H5Reader;
  /** The architecture for weights-only files: `model.to_json()` text or the parsed object. */
  config?: string | object;
  /** Flip convolution kernels spatially (Theano-trained weights); default: when the file says Theano. */
  flipKernels?: boolean;
  /** Resource limits for untrusted files (see `DEFAULT_LIMITS`). */
  limits?: Partial<Limits>;
}

/** What an entry point supplies: its readers, its default, and how it reads file paths (if it can). */
export interface LoaderEnvironment {
  readers: Record<string, H5Reader>;
  defaultReader: string;
  readFile?: FileReader;
}

/** `loadModel` for one runtime's entry point. */
export function createLoadModel(env: LoaderEnvironment): (source: ModelSource, options?: LoadOptions) => Promise<Model> {
  /** Load a Keras model file as Keras saved it: full-model HDF5, `.keras` zip, weights-only HDF5 with `options.config`. */
  return async function loadModel(source, options = {}) {
    const choice = options.reader ?? env.defaultReader;
    const reader = typeof choice === 'string' ? env.readers[choice] : choice;
    if (!reader || typeof reader.open !== 'function') {
      throw new LrpKerasError(`option reader: ${JSON.stringify(choice)} is not available here; choose one of ${Object.keys(env.readers).join(', ')} or pass an H5Reader`);
    }
    const { bytes, name } = await readSource(source, env.readFile);
    const kind = detectKind(bytes, name);
    if (kind === 'zip') return modelFromArchive(await readKerasZip(bytes, name, reader, withDefaults(options.limits)), options);
    const file = await reader.open(bytes, name);
    let archive: KerasArchive;
    try {
      archive = readKerasH5(file, name);
    } finally {
      file.close();
    }
    return modelFromArchive(archive, options);
  };
}

export function modelFromArchive(archive: KerasArchive, options: LoadOptions): Model {
  const given = options.config;
  if (archive.config === undefined && given === undefined) {
    throw new LrpKerasError(`${archive.fileName}: a weights-only file (no model_config); pass the architecture as options.config (model.to_json())`);
  }
  const rawConfig = given ?? archive.config;
  const spec = parseModelConfig(rawConfig, archive.fileName);
  const configJson = typeof rawConfig === 'string' ? JSON.parse(rawConfig) : rawConfig;
  const withVersion: KerasArchive = {
    ...archive,
    kerasVersion: archive.kerasVersion ?? (typeof configJson?.keras_version === 'string' ? configJson.keras_version : undefined),
    backend: archive.backend ?? (typeof configJson?.backend === 'string' ? configJson.backend : undefined),
  };
  const { graph, layers } = buildGraph(spec, withVersion, { flipKernels: options.flipKernels, maxTensorElements: withDefaults(options.limits).maxTensorElements });
  const folded = foldBatchNorms(graph);
  const rules = describeRules(folded.graph);
  const described = layers.map((l) => ({ ...l, rules: rules.get(l.name) ?? {} }));
  return createModel({ name: spec.name, kerasVersion: withVersion.kerasVersion, fileName: archive.fileName }, graph, folded.graph, described, folded.merges);
}
