/**
 * The small slice of HDF5 that Keras files need, as an interface of our own, so that readers
 * (h5wasm, a pure-JS one for runtimes that forbid WebAssembly) are interchangeable.
 */

/** Attribute values as Keras writes them: strings, string arrays, numbers, numeric arrays. */
export type H5AttrValue = string | string[] | number | number[];

export interface H5Group {
  readonly kind: 'group';
  /** Child names, in the file's order (which is name order for Keras files: never rely on it). */
  keys(): string[];
  /** A child by relative path (`a/b/c`); undefined when any part is missing. Names may contain `\`. */
  get(path: string): H5Group | H5Dataset | undefined;
  attrNames(): string[];
  /** Undefined when there is no such attribute. Zero-length attributes come back as `[]`. */
  attr(name: string): H5AttrValue | undefined;
}

export interface H5Dataset {
  readonly kind: 'dataset';
  readonly shape: number[];
  /** `float32`, `float64`, `float16`, `int8` … `uint64`, `string`, or `other`. */
  readonly dtype: string;
  /** The values converted to float32 (numeric dtypes only). */
  readFloat32(): Float32Array;
}

export interface H5File {
  readonly root: H5Group;
  /** Free what the reader holds for this file. Safe to call twice. */
  close(): void;
}

export interface H5Reader {
  readonly name: string;
  /** Open a file held in memory; `fileName` is only for messages. Throws LrpKerasError on a bad file. */
  open(bytes: Uint8Array, fileName: string): Promise<H5File>;
}
