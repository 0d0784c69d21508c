/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LrpKerasError } from '../errors.js';
import { decodeInput, fileSamples, type InputFile, type ReadOptions } from '../input-files.js';
import type { Model } from '../model/model.js';
import { sizeOf, type Tensor } from '../tensor.js';

/** Input files for the CLI: read from disk, decoded by `input-files.ts`, named after their files. */

/** One sample in the model's input layout, and where it came from. */
export interface InputSample {
  /** The file name, with `[i]` for the i-th sample of a batch file. */
  name: string;
  file: string;
  data: Float32Array;
}

function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LrpKerasError(`${file}: cannot read the input (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
}

/** Reads and decodes every file: done before loading the model, so that a bad file is reported at once. */
export function readInputFiles(files: readonly string[]): InputFile[] {
  return files.map((file) => decodeInput(readBytes(file), file));
}

/** Every sample of every file, in order, in the model's input layout. */
export function toSamples(inputs: readonly InputFile[], inputShape: readonly number[], options: ReadOptions): InputSample[] {
  return inputs.flatMap((input) => {
    const name = basename(input.file);
    const samples = fileSamples(input, inputShape, options);
    return samples.map((data, i) => ({ name: samples.length > 1 ? `${name}[${i}]` : name, file: input.file, data }));
  });
}

/**
 * Loads the model file. h5wasm compiles its WebAssembly when it is imported (most of a second), so
 * it is imported here, once the command line has been checked: help, `methods` and usage errors stay quick.
 */
export async function loadModelFile(path: string): Promise<Model> {
  const { loadModel } = await import('../node.js');
  return loadModel(path);
}

/** Samples as one batch (N, ...inputShape). */
export function stackSamples(samples: readonly InputSample[], inputShape: readonly number[]): Tensor {
  const size = sizeOf(inputShape);
  const data = new Float32Array(samples.length * size);
  samples.forEach((s, i) => data.set(s.data, i * size));
  return { shape: [samples.length, ...inputShape], data };
}
