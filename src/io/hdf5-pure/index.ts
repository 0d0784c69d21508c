/**
 * HDF5 in pure TypeScript, for runtimes that forbid WebAssembly. Reads what Keras files use
 * (superblock v0, v1 object headers, symbol-table groups, contiguous datasets, strings in the
 * global heap) and the cheap neighbours other writers produce: superblocks v1–v3, v2 object
 * headers, new-style groups and attributes (compact, and dense in a fractal heap), compact and
 * unfiltered chunked datasets, soft links, big-endian and half-precision numbers.
 * Everything else ends in an LrpKerasError naming the file. The bytes are read in place (do not
 * change them while the file is open) and parsed lazily; every read is bounds-checked and every
 * walk is guarded against cycles and overlapping blocks.
 */
import { LrpKerasError } from '../../errors.js';
import type { H5Dataset, H5File, H5Group, H5Reader } from '../hdf5.js';
import { listAttributes, readAttribute } from './attributes.js';
import { createContext, fail, hex, type H5Context } from './bytes.js';
import { isDataset, readDatasetInfo, readFloat32 } from './dataset.js';
import { dtypeName } from './datatype.js';
import { findLink, isGroup, readLinks } from './groups.js';
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

/** What every wrapper of one open file shares. */
interface OpenFile {
  readonly ctx: H5Context;
  readonly root: ObjectHeader;
  /** Run a read of `what` (for messages) through `guard`, refusing once the file is closed. */
  readonly read: <T>(what: string, read: () => T) => T;
}

/** An object found by path: its header and the path used, for messages. */
interface Located {
  readonly header: ObjectHeader;
  readonly path: string;
}

function openFile(ctx: H5Context, root: ObjectHeader): H5File {
  let open = true;
  const file: OpenFile = {
    ctx,
    root,
    read: (what, read) =>
      guard(ctx, what, () => {
        if (!open) fail(ctx, `cannot read ${what}: the file is closed`);
        return read();
      }),
  };
  return {
    root: wrapGroup(file, { header: root, path: '/' }),
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

function wrapGroup(file: OpenFile, group: Located): H5Group {
  const { ctx } = file;
  const { header, path } = group;
  const what = `group ${path}`;
  const attributes = () => listAttributes(ctx, header, what);
  return {
    kind: 'group',
    keys: () => file.read(`the members of ${path}`, () => readLinks(ctx, header, path).map((l) => l.name)),
    get: (relative) =>
      file.read(`${path} → ${relative}`, () => {
        const found = lookup(file, group, relative, 0);
        if (found && isDataset(found.header)) return wrapDataset(file, found);
        return found && isGroup(found.header) ? wrapGroup(file, found) : undefined;
      }),
    attrNames: () => file.read(`the attributes of ${path}`, () => attributes().map((a) => a.name)),
    attr: (name) =>
      file.read(`attribute ${name} of ${path}`, () => {
        const entry = attributes().find((a) => a.name === name);
        return entry && readAttribute(ctx, entry, what);
      }),
  };
}

// The HDF5 library's own limit on soft links followed in one lookup (they can form cycles).
const MAX_SOFT_LINKS = 16;

const childPath = (path: string, name: string): string => (path === '/' ? `/${name}` : `${path}/${name}`);

/**
 * Follow a relative path (`a/b/c`) as h5wasm-reader does: through hard and soft links, never
 * through a dataset, and undefined for anything missing (or an external link).
 */
function lookup(file: OpenFile, start: Located, relative: string, softLinks: number): Located | undefined {
  const parts = relative.split('/').filter((p) => p !== '');
  let node = start;
  for (const part of parts) {
    if (!isGroup(node.header)) return undefined;
    const link = findLink(file.ctx, node.header, node.path, part);
    let next: Located | undefined;
    if (link?.address !== undefined) next = { header: readObjectHeader(file.ctx, link.address), path: childPath(node.path, part) };
    else if (link?.softPath !== undefined) {
      if (softLinks >= MAX_SOFT_LINKS)
        fail(file.ctx, `${childPath(node.path, part)}: more than ${MAX_SOFT_LINKS} soft links in a row (a cycle?)`);
      const base = link.softPath.startsWith('/') ? { header: file.root, path: '/' } : node;
      next = lookup(file, base, link.softPath, softLinks + 1);
    }
    if (!next) return undefined;
    node = next;
  }
  return node;
}

function wrapDataset(file: OpenFile, dataset: Located): H5Dataset {
  const info = readDatasetInfo(file.ctx, dataset.header, dataset.path);
  return {
    kind: 'dataset',
    shape: [...info.space.shape],
    dtype: dtypeName(info.datatype),
    readFloat32: () => file.read(`dataset ${dataset.path}`, () => readFloat32(file.ctx, info)),
  };
}
