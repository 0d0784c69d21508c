import { LrpKerasError } from '../errors.js';

/** What `loadModel` accepts: a file path (where the entry point can read files), a URL, or the file's bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

export type FileKind = 'hdf5' | 'zip';

/** Reads a local file; only entry points for runtimes with a file system provide one. */
export type FileReader = (path: string | URL) => Promise<Uint8Array>;

/** The bytes of a model file and a name for messages. */
export async function readSource(source: ModelSource, readFile?: FileReader): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: '<bytes>' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: '<bytes>' };
  const url = source instanceof URL ? source : /^https?:\/\//.test(source) ? new URL(source) : undefined;
  if (url && url.protocol !== 'file:') {
    const response = await fetch(url).catch((e: Error) => {
      throw new LrpKerasError(`${url.href}: cannot fetch (${e.message})`);
    });
    if (!response.ok) throw new LrpKerasError(`${url.href}: HTTP ${response.status} ${response.statusText}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), name: url.href };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const name = typeof source === 'string' ? source : decodeURIComponent(source.pathname);
    if (!readFile) {
      throw new LrpKerasError(
        `${name}: this runtime's entry point reads no file paths; pass the file's bytes (Uint8Array) or an http(s) URL`,
      );
    }
    try {
      return { bytes: await readFile(source), name };
    } catch (e) {
      throw new LrpKerasError(`${name}: cannot read the file (${(e as Error).message})`);
    }
  }
  throw new LrpKerasError('loadModel: expected a path, URL, Uint8Array or ArrayBuffer');
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Tell the file kind from its first bytes, never from its extension. */
export function detectKind(bytes: Uint8Array, name: string): FileKind {
  if (bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b)) return 'hdf5';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if (bytes.length === 0) throw new LrpKerasError(`${name}: the file is empty`);
  throw new LrpKerasError(
    `${name}: not a Keras model file (neither HDF5 nor a .keras zip; first bytes ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')})`,
  );
}
