import type { Dataset, Group } from 'h5wasm';
import { LrpKerasError } from '../errors.js';
import type { H5AttrValue, H5Dataset, H5File, H5Group, H5Reader } from './hdf5.js';

type H5wasm = typeof import('h5wasm').default;
let module: Promise<H5wasm> | undefined;

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly); files live in its in-memory FS.
 * The module is imported, and its WebAssembly compiled, on the first file only.
 */
export const h5wasmReader: H5Reader = {
  name: 'h5wasm',
  async open(bytes, fileName) {
    module ??= import('h5wasm').then((m) => m.default);
    const h5wasm = await module;
    const { FS } = await h5wasm.ready;
    if (!FS) throw new LrpKerasError('h5wasm: no in-memory file system available');
    const path = `/lrp-keras-${nextId++}.h5`;
    FS.writeFile(path, bytes);
    let file: InstanceType<typeof h5wasm.File>;
    try {
      file = new h5wasm.File(path, 'r');
      if (!file.file_id || file.file_id < 0n) throw new Error('not an HDF5 file');
    } catch (e) {
      FS.unlink(path);
      throw new LrpKerasError(`${fileName}: not a readable HDF5 file (${(e as Error).message})`);
    }
    let open = true;
    const result: H5File = {
      root: wrapGroup(h5wasm, file, fileName),
      close() {
        if (!open) return;
        open = false;
        try {
          file.close();
        } finally {
          FS.unlink(path);
        }
      },
    };
    return result;
  },
};

let nextId = 0;

function guarded<T>(fileName: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof LrpKerasError) throw e;
    throw new LrpKerasError(`${fileName}: cannot read ${what} (${(e as Error)?.message ?? String(e)})`);
  }
}

function wrapGroup(h5wasm: H5wasm, group: Group, fileName: string): H5Group {
  return {
    kind: 'group',
    keys: () => guarded(fileName, `the members of ${group.path}`, () => group.keys()),
    get(path) {
      let node: Group = group;
      const parts = path.split('/').filter((p) => p !== '');
      for (let i = 0; i < parts.length; i++) {
        if (!guarded(fileName, `the members of ${node.path}`, () => node.keys()).includes(parts[i])) return undefined;
        const child = guarded(fileName, `${node.path}/${parts[i]}`, () => node.get(parts[i]));
        if (child instanceof h5wasm.Group) node = child;
        else if (child instanceof h5wasm.Dataset && i === parts.length - 1) return wrapDataset(child, fileName);
        else return undefined;
      }
      return wrapGroup(h5wasm, node, fileName);
    },
    attrNames: () => guarded(fileName, `the attributes of ${group.path}`, () => Object.keys(group.attrs)),
    attr(name) {
      return guarded(fileName, `attribute ${name} of ${group.path}`, () => {
        const attrs = group.attrs;
        if (!(name in attrs)) return undefined;
        return toAttrValue(attrs[name].value);
      });
    },
  };
}

function toAttrValue(value: unknown): H5AttrValue {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? (value as string[]) : value.map(Number);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, Number);
  throw new Error(`unsupported attribute value type ${typeof value}`);
}

function dtypeName(meta: Dataset['metadata']): string {
  if (meta.type === 0) return meta.signed ? `int${meta.size * 8}` : `uint${meta.size * 8}`;
  if (meta.type === 1) return `float${meta.size * 8}`;
  if (meta.type === 3) return 'string';
  return 'other';
}

function wrapDataset(dataset: Dataset, fileName: string): H5Dataset {
  const meta = guarded(fileName, `dataset ${dataset.path}`, () => dataset.metadata);
  const dtype = dtypeName(meta);
  return {
    kind: 'dataset',
    shape: meta.shape ?? [],
    dtype,
    readFloat32() {
      if (dtype === 'string' || dtype === 'other') throw new LrpKerasError(`${fileName}: dataset ${dataset.path} holds ${dtype} values, expected numbers`);
      const value = guarded(fileName, `dataset ${dataset.path}`, () => dataset.value);
      if (value instanceof Float32Array) return value;
      if (ArrayBuffer.isView(value)) return Float32Array.from(value as unknown as ArrayLike<number | bigint>, Number);
      if (typeof value === 'number' || typeof value === 'bigint') return Float32Array.of(Number(value));
      throw new LrpKerasError(`${fileName}: dataset ${dataset.path} did not read as numbers`);
    },
  };
}
