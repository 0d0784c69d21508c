/**
 * A structure check of a whole HDF5 file, without reading dataset values: every object reachable
 * from the root group, its header, links, attributes (variable-length ones down to their heap
 * objects) and, for datasets, type, shape and every stored byte range (chunk indexes included).
 * The HDF5 C library in h5wasm trusts what it reads: on a crafted file it can loop forever, or
 * write out of bounds and trap, which leaves the WebAssembly instance unusable. h5wasm-reader
 * therefore hands it only files that pass this bounds-checked, cycle-guarded walk.
 */
import { LrpKerasError } from '../../errors.js';
import { checkAttribute, listAttributes } from './attributes.js';
import { createContext, fail, hex, type H5Context } from './bytes.js';
import { checkStorage, isDataset, readDatasetInfo } from './dataset.js';
import { isGroup, readLinks } from './groups.js';
import { readObjectHeader } from './object-header.js';
import { readSuperblock } from './superblock.js';

/** Objects one check visits at most: far beyond any Keras file, and it bounds the work on a hostile one. */
export const MAX_OBJECTS = 1 << 18;

/** Throw an LrpKerasError naming the file and the structure at fault, or return when the file is sound. */
export function checkStructure(bytes: Uint8Array, fileName: string): void {
  const ctx = createContext(bytes, fileName);
  try {
    walk(ctx);
  } catch (e) {
    if (e instanceof LrpKerasError) throw e;
    throw new LrpKerasError(`${fileName}: internal error checking the file (${(e as Error)?.message ?? String(e)})`);
  } finally {
    ctx.cache.clear();
  }
}

function walk(ctx: H5Context): void {
  const root = readObjectHeader(ctx, readSuperblock(ctx));
  if (!isGroup(root)) fail(ctx, `the root object (at ${hex(root.address)}) is not a group (corrupt)`);
  const seen = new Set<number>();
  const stack: [number, string][] = [[root.address, '/']];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [address, path] = next;
    if (seen.has(address)) continue; // hard links may share objects and form cycles
    seen.add(address);
    if (seen.size > MAX_OBJECTS) fail(ctx, `more than ${MAX_OBJECTS} objects (corrupt)`);
    const header = readObjectHeader(ctx, address);
    const what = `object ${path} (header at ${hex(address)})`;
    for (const entry of listAttributes(ctx, header, what)) checkAttribute(ctx, entry, what);
    if (isDataset(header)) checkStorage(ctx, readDatasetInfo(ctx, header, path));
    else if (isGroup(header)) {
      // Soft links name paths, which lead to objects this walk reaches through hard links.
      for (const link of readLinks(ctx, header, path)) {
        if (link.address !== undefined) stack.push([link.address, path === '/' ? `/${link.name}` : `${path}/${link.name}`]);
      }
    }
  }
}
