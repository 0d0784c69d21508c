import { LrpKerasError } from '../errors.js';

/** What `loadModel` accepts: a file path (Node, Deno, Bun), a URL, or the file's bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

export type FileKind = 'hdf5' | 'zip';

/** The bytes of a model file and a name for messages. */
export async function readSource(source: ModelSource): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: '<bytes>' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: '<bytes>' };
  if (source instanceof URL && source.protocol !== 'file:') {
    const response = await fetch(source).catch((e: Error) => {
      throw new LrpKerasError(`${source.href}: cannot fetch (${e.message})`);
    });
    if (!response.ok) throw new LrpKerasError(`${source.href}: HTTP ${response.status} ${response.statusText}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), name: source.href };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const name = typeof source === 'string' ? source : decodeURIComponent(source.pathname);
    // Imported on demand, through a variable so that bundlers for runtimes without a file system skip it.
    const fsModule = 'node:fs/promises';
    const fs: { readFile(path: string | URL): Promise<Uint8Array> } = await import(fsModule).catch(() => {
      throw new LrpKerasError(`${name}: this runtime has no file system; pass the file's bytes (Uint8Array) instead`);
    });
    try {
      return { bytes: new Uint8Array(await fs.readFile(source)), name };
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
  throw new LrpKerasError(`${name}: not a Keras model file (neither HDF5 nor a .keras zip; first bytes ${Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
}
