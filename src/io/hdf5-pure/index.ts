/**
 * HDF5 in pure TypeScript, for runtimes that forbid WebAssembly: the read-only subset Keras files
 * use (see docs/KERAS_FORMAT.md §9) plus cheap neighbours. Superblocks v0–v3; object headers v1
 * and v2 with continuations; old-style (symbol table) and compact new-style groups; contiguous,
 * compact and unfiltered chunked datasets; integer, float, enum, fixed and variable-length string
 * types. Everything else ends in an LrpKerasError naming the file. The input is read in place and
 * parsed lazily; every read is bounds-checked and every walk is guarded against cycles.
 */
import { LrpKerasError } from '../../errors.js';
import type { H5Dataset, H5File, H5Group, H5Reader } from '../hdf5.js';
import { listAttributes, readAttribute } from './attributes.js';
import { createContext, fail, hex, type H5Context } from './bytes.js';
import { isDataset, readDatasetInfo, readFloat32 } from './dataset.js';
import { dtypeName } from './datatype.js';
import { isGroup, readLinks } from './groups.js';
import { readObjectHeader, type ObjectHeader } from './object-header.js';
import { readSuperblock } from './superblock.js';

export const pureReader: H5Reader = {
  name: 'pure',
  async open(bytes, fileName) {
    const ctx = createContext(bytes, fileName);
    return guard(ctx, 'the file', () => {
      const root = readObjectHeader(ctx, readSuperblock(ctx));
      if (!isGroup(root)) fail(ctx, `the root object (at ${hex(root.address)}) is not a group (corrupt)`);
      readLinks(ctx, root, '/'); // so that a broken root fails here, not on first use
      return openFile(ctx, root);
    });
  },
};

function openFile(ctx: H5Context, root: ObjectHeader): H5File {
  let open = true;
  const live = (): void => {
    if (!open) fail(ctx, 'the file is closed');
  };
  return {
    root: wrapGroup(ctx, root, '/', live),
    close() {
      open = false;
      ctx.cache.clear();
    },
  };
}

/**
 * Run a read, turning anything that is not already an LrpKerasError into one. The parsers check
 * every bound themselves; this is the backstop the H5Reader contract promises (and the tests
 * check that it never fires on corrupt input).
 */
function guard<T>(ctx: H5Context, what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof LrpKerasError) throw e;
    throw new LrpKerasError(`${ctx.fileName}: internal error reading ${what} (${(e as Error)?.message ?? String(e)})`);
  }
}

const childPath = (path: string, name: string): string => (path === '/' ? `/${name}` : `${path}/${name}`);

function wrapGroup(ctx: H5Context, header: ObjectHeader, path: string, live: () => void): H5Group {
  const what = `group ${path}`;
  const attributes = () => listAttributes(ctx, header, what);
  return {
    kind: 'group',
    keys: () => guard(ctx, `the members of ${path}`, () => (live(), readLinks(ctx, header, path).map((l) => l.name))),
    get: (relative) => guard(ctx, `${path} → ${relative}`, () => (live(), resolve(ctx, header, path, relative, live))),
    attrNames: () => guard(ctx, `the attributes of ${path}`, () => (live(), attributes().map((a) => a.name))),
    attr: (name) =>
      guard(ctx, `attribute ${name} of ${path}`, () => {
        live();
        const entry = attributes().find((a) => a.name === name);
        return entry && readAttribute(ctx, entry, what);
      }),
  };
}

/** Follow a relative path (`a/b/c`) through hard links, as h5wasm-reader does. */
function resolve(ctx: H5Context, start: ObjectHeader, startPath: string, relative: string, live: () => void): H5Group | H5Dataset | undefined {
  const parts = relative.split('/').filter((p) => p !== '');
  let header = start;
  let path = startPath;
  for (let i = 0; i < parts.length; i++) {
    if (!isGroup(header)) return undefined;
    const link = readLinks(ctx, header, path).find((l) => l.name === parts[i]);
    if (link?.address === undefined) return undefined; // missing, or a soft/external link
    header = readObjectHeader(ctx, link.address);
    path = childPath(path, parts[i]);
    if (isDataset(header)) return i === parts.length - 1 ? wrapDataset(ctx, header, path, live) : undefined;
  }
  return isGroup(header) ? wrapGroup(ctx, header, path, live) : undefined;
}

function wrapDataset(ctx: H5Context, header: ObjectHeader, path: string, live: () => void): H5Dataset {
  const info = readDatasetInfo(ctx, header, path);
  return {
    kind: 'dataset',
    shape: [...info.space.shape],
    dtype: dtypeName(info.datatype),
    readFloat32: () => guard(ctx, `dataset ${path}`, () => (live(), readFloat32(ctx, info))),
  };
}
