import { cached, cursorAt, fail, hex, type H5Context } from './bytes.js';

/** Object index → [absolute start, size] within one global heap collection. */
type Collection = Map<number, readonly [number, number]>;

/**
 * The bytes of object `index` in the global heap collection (`GCOL`) at `address`. Variable-length
 * strings live there; the attribute or dataset holds only (length, collection, index).
 */
export function globalHeapObject(ctx: H5Context, address: number, index: number): Uint8Array {
  const collection = cached(ctx, `gcol@${address}`, () => parseCollection(ctx, address));
  const entry = collection.get(index);
  if (!entry) fail(ctx, `global heap collection at ${hex(address)} has no object ${index} (corrupt)`);
  return ctx.bytes.subarray(entry[0], entry[0] + entry[1]);
}

function parseCollection(ctx: H5Context, address: number): Collection {
  const what = `global heap collection at ${hex(address)}`;
  const head = cursorAt(ctx, address, 8 + ctx.lengthSize, what);
  head.signature('GCOL');
  const version = head.u8();
  if (version !== 1) fail(ctx, `${what}: version ${version} is not supported`);
  head.skip(3);
  const size = head.length(); // includes this header
  const c = cursorAt(ctx, address, size, what);
  c.skip(8 + ctx.lengthSize);
  const objects: Collection = new Map();
  // Objects: index (2), reference count (2), reserved (4), size (L), data padded to 8 bytes.
  // Index 0 is free space, whose size counts its header and is not padded. The whole collection
  // is walked, as the HDF5 library walks it: a free-space object of size 0 would never advance
  // there (an endless loop in the C library), so it is refused here, before h5wasm sees it.
  const header = 8 + ctx.lengthSize;
  while (c.remaining() >= header) {
    const begin = c.pos;
    const index = c.u16();
    c.skip(6);
    const objectSize = c.length();
    if (index === 0) {
      if (objectSize === 0 || objectSize > c.end - begin)
        fail(ctx, `${what}: free space of ${objectSize} bytes at ${hex(begin)} (corrupt)`);
      c.pos = begin;
      c.skip(objectSize);
      continue;
    }
    const start = c.pos;
    c.skip(objectSize);
    c.skip(Math.min((8 - (objectSize % 8)) % 8, c.remaining()));
    if (!objects.has(index)) objects.set(index, [start, objectSize]);
  }
  return objects;
}
