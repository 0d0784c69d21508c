/// <reference types="node" />
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { LrpKerasError } from '../errors.js';
import { decodeInput, fileSampleTensors, type InputFile, type ReadOptions } from '../input-files.js';
import type { Model } from '../model/model.js';
import { formatShape, type Tensor } from '../tensor.js';

/** Input files for the CLI: read from disk, decoded by `input-files.ts`, named after their files. */

/** One sample in the model's input layout, and where it came from. */
export interface InputSample {
  /** The file name, with `[i]` for the i-th sample of a batch file. */
  name: string;
  file: string;
  /** The sample's shape (the model's input shape, free dimensions as the file has them). */
  shape: number[];
  data: Float32Array;
}

/** A file's bytes; what cannot be read, a directory included, is named with the reason. */
function readFile(file: string, what: string): Uint8Array {
  try {
    if (statSync(file).isDirectory())
      throw new LrpKerasError(`${file}: a directory, not ${what}; pass its files (for example ${file.replace(/\/$/, '')}/*.png)`);
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    if (e instanceof LrpKerasError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new LrpKerasError(`${file}: cannot read ${what} (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
}

/** Reads and decodes every file: done before loading the model, so that a bad file is reported at once. */
export function readInputFiles(files: readonly string[]): InputFile[] {
  return files.map((file) => decodeInput(readFile(file, 'the input'), file));
}

/** Every sample of every file, in order, in the model's input layout. */
export function toSamples(inputs: readonly InputFile[], inputShape: readonly (number | null)[], options: ReadOptions): InputSample[] {
  return inputs.flatMap((input) => {
    const name = basename(input.file);
    const samples = fileSampleTensors(input, inputShape, options);
    return samples.map(({ shape, data }, i) => ({ name: samples.length > 1 ? `${name}[${i}]` : name, file: input.file, shape, data }));
  });
}

/**
 * Loads the model file, with the architecture from `configPath` (`model.to_json()`) for weights-only
 * files. h5wasm compiles its WebAssembly when it is imported, so the Node entry is imported here,
 * once the command line has been checked: help, `methods` and usage errors stay quick.
 */
export async function loadModelFile(path: string, configPath?: string): Promise<Model> {
  const config = configPath === undefined ? undefined : new TextDecoder().decode(readFile(configPath, 'the --config file'));
  const { loadModel } = await import('../node.js');
  return loadModel(path, config === undefined ? {} : { config });
}

/** Samples as one batch (N, ...shape); samples of different shapes (a model of free size) cannot share one. */
export function stackSamples(samples: readonly InputSample[]): Tensor {
  const shape = samples[0].shape;
  const other = samples.find((s) => formatShape(s.shape) !== formatShape(shape));
  if (other)
    throw new LrpKerasError(
      `${other.name} has shape ${formatShape(other.shape)}, ${samples[0].name} ${formatShape(shape)}: inputs explained together need one size; pass --resize or files of one size`,
    );
  const size = samples[0].data.length;
  const data = new Float32Array(samples.length * size);
  samples.forEach((s, i) => data.set(s.data, i * size));
  return { shape: [samples.length, ...shape], data };
}
