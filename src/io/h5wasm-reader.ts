import type { Dataset, Group } from 'h5wasm';
import { LrpKerasError } from '../errors.js';
import type { H5AttrValue, H5Dataset, H5File, H5Group, H5Reader } from './hdf5.js';
import { checkStructure } from './hdf5-pure/validate.js';

type H5wasm = typeof import('h5wasm').default;
type H5wasmFS = NonNullable<typeof import('h5wasm').FS>;

/** One instance of the HDF5 library: after a WebAssembly trap it is `broken` and never used again. */
interface Instance {
  readonly h5wasm: H5wasm;
  readonly FS: H5wasmFS;
  readonly heapBytes: () => number;
  broken: boolean;
}

/** Fresh instances made after traps; each leaks its memory (the module stays loaded), so they are capped. */
export const MAX_H5WASM_RESTARTS = 16;

let live: Promise<Instance> | undefined;
let latest: Instance | undefined;
let restarts = 0;

/** Bytes of WebAssembly memory the current HDF5 instance holds (it grows and never shrinks); undefined before the first file. */
export const h5wasmHeapBytes = (): number | undefined => latest?.heapBytes();

/** How many times a trap made h5wasm-reader start a fresh HDF5 instance. */
export const h5wasmRestarts = (): number => restarts;

/**
 * The HDF5 library instance, imported (and its WebAssembly compiled) on the first file only. After
 * a trap, a fresh instance: the same module imported again under a new URL, as ES modules are
 * instantiated once per URL. Runtimes without `import.meta.resolve` cannot do that; they are told so.
 */
function instance(): Promise<Instance> {
  live ??= start().catch((e: unknown) => {
    live = undefined;
    throw e instanceof LrpKerasError
      ? e
      : new LrpKerasError(`h5wasm: cannot start the HDF5 library (${(e as Error)?.message ?? String(e)})`);
  });
  return live;
}

async function start(): Promise<Instance> {
  let imported: Promise<typeof import('h5wasm')>;
  if (latest === undefined) imported = import('h5wasm');
  else {
    const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
    if (restarts >= MAX_H5WASM_RESTARTS || typeof resolve !== 'function') {
      throw new LrpKerasError(
        `h5wasm: the HDF5 library failed on an earlier file and ${typeof resolve !== 'function' ? 'cannot be restarted in this runtime' : `was restarted ${restarts} times already`}; load with reader: 'pure', or restart the process`,
      );
    }
    restarts++;
    imported = import(/* @vite-ignore */ /* webpackIgnore: true */ `${resolve('h5wasm')}?lrp-keras-instance=${restarts}`);
  }
  const m = await imported;
  const { FS } = await m.ready;
  if (!FS) throw new LrpKerasError('h5wasm: no in-memory file system available');
  quiet(FS);
  const made: Instance = { h5wasm: m.default, FS, heapBytes: () => m.Module?.HEAPU8?.length ?? 0, broken: false };
  latest = made;
  return made;
}

/**
 * The HDF5 library prints its error stack to stderr on every file it cannot read (dozens of lines
 * per corrupt file, in a server's logs); our errors say what failed. Point its stderr at /dev/null.
 */
function quiet(FS: H5wasmFS): void {
  const fs = FS as unknown as { closeStream?: (fd: number) => void; open: (path: string, flags: string) => { fd: number } };
  try {
    fs.closeStream?.(2);
    const sink = fs.open('/dev/null', 'w');
    if (sink.fd !== 2) fs.closeStream?.(sink.fd);
  } catch {
    // An Emscripten file system without these calls: the diagnostics stay.
  }
}

/** A trap (out-of-bounds access, `unreachable`, abort) leaves the instance's memory in an unknown state. */
const isTrap = (e: unknown): boolean => e instanceof WebAssembly.RuntimeError || (e as Error)?.name === 'RuntimeError';

function retire(inst: Instance): void {
  if (inst.broken) return;
  inst.broken = true;
  if (latest === inst) live = undefined;
}

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly); files live in its in-memory FS.
 * Every file first passes the pure reader's structure check (bounds, cycles, every stored byte
 * range), since the C library trusts what it reads; a trap that still happens retires the
 * instance, and the next file gets a fresh one.
 */
export const h5wasmReader: H5Reader = {
  name: 'h5wasm',
  async open(bytes, fileName) {
    checkStructure(bytes, fileName);
    const inst = await instance();
    const { h5wasm, FS } = inst;
    const path = `/lrp-keras-${nextId++}.h5`;
    FS.writeFile(path, bytes);
    let file: InstanceType<typeof h5wasm.File>;
    try {
      file = new h5wasm.File(path, 'r');
      if (!file.file_id || file.file_id < 0n) throw new Error('not an HDF5 file');
    } catch (e) {
      unlink(FS, path);
      if (isTrap(e)) retire(inst);
      throw new LrpKerasError(
        `${fileName}: not a readable HDF5 file (${(e as Error).message})${isTrap(e) ? '; the HDF5 library was restarted' : ''}`,
      );
    }
    let open = true;
    const source: Source = { inst, fileName };
    const result: H5File = {
      root: wrapGroup(source, file),
      close() {
        if (!open) return;
        open = false;
        try {
          if (!inst.broken) file.close();
        } catch (e) {
          if (isTrap(e)) retire(inst);
        } finally {
          unlink(FS, path);
        }
      },
    };
    return result;
  },
};

let nextId = 0;

function unlink(FS: H5wasmFS, path: string): void {
  try {
    FS.unlink(path);
  } catch {
    // The file system of a retired instance may be gone with it; nothing is left to free.
  }
}

/** The instance a file was opened on, and the file's name for messages. */
interface Source {
  readonly inst: Instance;
  readonly fileName: string;
}

function guarded<T>(source: Source, what: string, read: () => T): T {
  const { inst, fileName } = source;
  if (inst.broken)
    throw new LrpKerasError(`${fileName}: cannot read ${what}: the HDF5 library failed on a file and was restarted; load this file again`);
  try {
    return read();
  } catch (e) {
    if (e instanceof LrpKerasError) throw e;
    if (isTrap(e)) {
      retire(inst);
      throw new LrpKerasError(
        `${fileName}: the HDF5 library failed reading ${what} (${(e as Error).message}); it was restarted for the next file`,
      );
    }
    throw new LrpKerasError(`${fileName}: cannot read ${what} (${(e as Error)?.message ?? String(e)})`);
  }
}

function wrapGroup(source: Source, group: Group): H5Group {
  const { h5wasm } = source.inst;
  return {
    kind: 'group',
    keys: () => guarded(source, `the members of ${group.path}`, () => group.keys()),
    get(path) {
      let node: Group = group;
      const parts = path.split('/').filter((p) => p !== '');
      for (let i = 0; i < parts.length; i++) {
        if (!guarded(source, `the members of ${node.path}`, () => node.keys()).includes(parts[i])) return undefined;
        const child = guarded(source, `${node.path}/${parts[i]}`, () => node.get(parts[i]));
        if (child instanceof h5wasm.Group) node = child;
        else if (child instanceof h5wasm.Dataset && i === parts.length - 1) return wrapDataset(source, child);
        else return undefined;
      }
      return wrapGroup(source, node);
    },
    attrNames: () => guarded(source, `the attributes of ${group.path}`, () => Object.keys(group.attrs)),
    attr(name) {
      return guarded(source, `attribute ${name} of ${group.path}`, () => {
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

function wrapDataset(source: Source, dataset: Dataset): H5Dataset {
  const { fileName } = source;
  const meta = guarded(source, `dataset ${dataset.path}`, () => dataset.metadata);
  const dtype = dtypeName(meta);
  return {
    kind: 'dataset',
    shape: meta.shape ?? [],
    dtype,
    readFloat32() {
      if (dtype === 'string' || dtype === 'other')
        throw new LrpKerasError(`${fileName}: dataset ${dataset.path} holds ${dtype} values, expected numbers`);
      const value = guarded(source, `dataset ${dataset.path}`, () => dataset.value);
      if (value instanceof Float32Array) return value;
      if (ArrayBuffer.isView(value)) return Float32Array.from(value as unknown as ArrayLike<number | bigint>, Number);
      if (typeof value === 'number' || typeof value === 'bigint') return Float32Array.of(Number(value));
      throw new LrpKerasError(`${fileName}: dataset ${dataset.path} did not read as numbers`);
    },
  };
}
