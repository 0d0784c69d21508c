import { fail, LrpKerasError } from './errors.js';
import { prepareKernels } from './kernels/backend.js';
import type { H5Reader } from './io/hdf5.js';
import { readKerasH5, type KerasArchive } from './io/keras-h5.js';
import { readKerasZip } from './io/keras-zip.js';
import { withDefaults, type Limits } from './io/limits.js';
import { detectKind, readSource, type FileReader, type ModelSource } from './io/source.js';
import { buildGraph, type LayerInfo } from './model/build.js';
import { foldBatchNorms } from './model/canonize.js';
import { describeRules } from './lrp/composites.js';
import { parseModelConfig } from './model/config.js';
import { tensorShape, type Graph } from './model/graph.js';
import { createModel, outputInfo, type BuiltModel, type Model, type OutputInfo } from './model/model.js';
import { checkSupport } from './model/support.js';

export interface LoadOptions {
  /**
   * The HDF5 reader: `'pure'` (TypeScript, everywhere), `'h5wasm'` (the HDF5 C library in WebAssembly;
   * Node entry and `lrp-keras/h5wasm`) or any H5Reader. Default: pure (in Node, h5wasm takes over when a file needs it).
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
      throw new LrpKerasError(
        `option reader: ${JSON.stringify(choice)} is not available here; choose one of ${Object.keys(env.readers).join(', ')} or pass an H5Reader`,
      );
    }
    const { bytes, name } = await readSource(source, env.readFile);
    // Compile the WebAssembly kernels now rather than in the first explanation; where a host forbids
    // compiling, the kernels fall back to TypeScript and model.backend says why.
    await prepareKernels().catch(() => undefined);
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
    fail(`${archive.fileName}: a weights-only file (no model_config); pass the architecture as options.config (model.to_json())`);
  }
  const rawConfig = given ?? archive.config;
  const spec = parseModelConfig(rawConfig, archive.fileName);
  checkSupport(spec, archive.fileName);
  if (archive.unmatched?.length) fail(`${archive.fileName}: ${archive.unmatched.join('; ')}`);
  const configJson = typeof rawConfig === 'string' ? JSON.parse(rawConfig) : rawConfig;
  const withVersion: KerasArchive = {
    ...archive,
    kerasVersion: archive.kerasVersion ?? (typeof configJson?.keras_version === 'string' ? configJson.keras_version : undefined),
    backend: archive.backend ?? (typeof configJson?.backend === 'string' ? configJson.backend : undefined),
  };
  const buildOptions = { flipKernels: options.flipKernels, maxTensorElements: withDefaults(options.limits).maxTensorElements };
  const build = (shapes: number[][]): BuiltModel & { layers: LayerInfo[] } => {
    const { graph, layers } = buildGraph(spec, withVersion, buildOptions, shapes);
    const folded = foldBatchNorms(graph);
    return {
      graph,
      lrpGraph: folded.graph,
      outputs: graph.outputs.map((t) => outputInfo(graph, t)),
      batchNormMerges: folded.merges,
      layers,
    };
  };
  const fixed = spec.inputShapes.every((shape) => shape.every((d) => d !== null));
  const first = fixed ? build(spec.inputShapes as number[][]) : undefined;
  const { layers, outputShapes } = first
    ? { layers: first.layers, outputShapes: first.outputs.map((o) => tensorShape(first.graph, o.tensor)) }
    : probeShapes(build, spec.inputShapes);
  const rules = first ? describeRules(first.lrpGraph) : new Map<string, Record<string, string>>();
  const described = layers.map((l) => ({ ...l, rules: rules.get(l.name) ?? {} }));
  const meta = {
    name: spec.name,
    kerasVersion: withVersion.kerasVersion,
    fileName: archive.fileName,
    inputNames: spec.inputs,
    outputNames: spec.outputs.map((r) => r.layer),
    inputShapes: spec.inputShapes,
    outputShapes,
  };
  return createModel(meta, build, first, described);
}

/** Probe sizes for free dimensions: multiples of 16, so that strided convolutions and pooling divide them. */
const PROBES = [32, 48];

/**
 * The layers and output shapes of a model with free input dimensions, as Keras shows them: built at two
 * probe sizes, a dimension that differs between them is free (`null`). A model that cannot be built at
 * the probe sizes (one that needs a fixed size somewhere) shows none until it is called.
 */
function probeShapes(
  build: (shapes: number[][]) => { graph: Graph; outputs: OutputInfo[]; layers: LayerInfo[] },
  declared: (number | null)[][],
): { layers: LayerInfo[]; outputShapes: (number | null)[][] } {
  let probes: ReturnType<typeof build>[];
  try {
    probes = PROBES.map((p) => build(declared.map((shape) => shape.map((d) => d ?? p))));
  } catch (e) {
    if (e instanceof LrpKerasError) return { layers: [], outputShapes: declared.map(() => []) };
    throw e;
  }
  const [a, b] = probes;
  const merge = (x: readonly number[], y: readonly number[]): (number | null)[] => x.map((d, i) => (d === y[i] ? d : null));
  const outputShapes = a.outputs.map((o, k) => merge(tensorShape(a.graph, o.tensor), tensorShape(b.graph, b.outputs[k].tensor)));
  const layers = a.layers.map((l, i) => ({ ...l, outputShape: merge(l.outputShape as number[], b.layers[i].outputShape as number[]) }));
  return { layers, outputShapes };
}
