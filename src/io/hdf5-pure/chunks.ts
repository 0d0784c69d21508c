import { cursorAt, fail, hex, required, type Cursor, type H5Context } from './bytes.js';
import { walkBTreeV1 } from './btree-v1.js';
import { elementCount, type Dataspace } from './dataspace.js';

/**
 * Chunked storage without filters. Keras never writes it, but other tools re-save files chunked,
 * and the cheap indexes are: the v1 B-tree (layout v3, the default), and from layout v4 a single
 * chunk, the implicit index and the fixed array. Addresses may be undefined: nothing was
 * written, so the values are the fill value (zero).
 */
export interface ChunkedLayout {
  readonly kind: 'chunked';
  /** Chunk dimensions in elements (the layout's trailing element-size dimension removed). */
  readonly chunkDims: number[];
  readonly elementSize: number;
  readonly index: 'btree-v1' | 'single' | 'implicit' | 'fixed-array';
  readonly address: number | undefined;
  /** A filtered single chunk's stored size (the layout message gives it; unfiltered chunks are full size). */
  readonly filteredSize?: number;
}

/** Layout message v3, class 2: dimensionality, B-tree address, 4-byte dimensions. */
export function parseChunkedV3(c: Cursor, space: Dataspace): ChunkedLayout {
  const dimensionality = c.u8();
  const address = c.address();
  const dims = Array.from({ length: dimensionality }, () => c.u32());
  return chunkedLayout(c, space, dims, 'btree-v1', address);
}

const V4_INDEXES = { 1: 'single', 2: 'implicit', 3: 'fixed-array' } as const;

/** Layout message v4, class 2: flags, dimensionality, dimension width, dimensions, index type and its fields. */
export function parseChunkedV4(c: Cursor, space: Dataspace): ChunkedLayout {
  const flags = c.u8();
  const dimensionality = c.u8();
  const width = c.u8();
  if (width < 1 || width > 8) fail(c.ctx, `${c.what}: chunk dimension width ${width} (corrupt)`);
  const dims = Array.from({ length: dimensionality }, () => c.uint(width));
  const indexType = c.u8();
  const index = V4_INDEXES[indexType as keyof typeof V4_INDEXES];
  if (!index) fail(c.ctx, `${c.what}: chunk index type ${indexType} (extensible array or v2 B-tree) is not supported`);
  let filteredSize: number | undefined;
  if (index === 'single' && flags & 0x02) {
    filteredSize = c.length();
    c.skip(4); // filter mask
  }
  if (index === 'fixed-array') c.skip(1); // page bits: the index header repeats them
  return { ...chunkedLayout(c, space, dims, index, c.address()), filteredSize };
}

function chunkedLayout(
  c: Cursor,
  space: Dataspace,
  dims: number[],
  index: ChunkedLayout['index'],
  address: number | undefined,
): ChunkedLayout {
  if (space.shape.length === 0 || dims.length !== space.shape.length + 1 || dims.some((d) => d === 0)) {
    fail(c.ctx, `${c.what}: chunk dimensions [${dims.join(', ')}] do not fit shape [${space.shape.join(', ')}] (corrupt)`);
  }
  return { kind: 'chunked', chunkDims: dims.slice(0, -1), elementSize: dims[dims.length - 1], index, address };
}

/** Where a stored chunk goes (`origin`), where it is, its stored size and its filter mask (0: every filter applied). */
export type ChunkVisitor = (origin: number[], address: number | undefined, size: number, filterMask: number) => void;

/**
 * Visit every chunk the index lists, checking the index itself (bounds, cycles, grid) but not the
 * chunks: readChunkedBytes copies them, checkStorage only checks that they lie in the file.
 */
export function visitChunks(
  ctx: H5Context,
  layout: ChunkedLayout,
  space: Dataspace,
  elementSize: number,
  what: string,
  visit: ChunkVisitor,
): void {
  if (layout.elementSize !== elementSize)
    fail(ctx, `${what}: chunk element size ${layout.elementSize} differs from the datatype's ${elementSize} (corrupt)`);
  // Each chunk's bounds are the visitor's to check: filtered chunks are stored smaller than they are.
  const chunkBytes = elementCount(ctx, what, layout.chunkDims) * elementSize;
  const base = layout.address;
  if (base === undefined) return;
  if (layout.index === 'btree-v1') walkChunkBTree(ctx, base, space.shape.length, visit);
  else if (layout.index === 'single')
    visit(
      space.shape.map(() => 0),
      base,
      layout.filteredSize ?? chunkBytes,
      0,
    );
  else {
    // Implicit: chunks lie back to back in grid order. Fixed array: one address per grid cell.
    const addresses = layout.index === 'fixed-array' ? fixedArray(ctx, base, what) : undefined;
    forEachGridChunk(ctx, layout, space, what, (origin, linear) => {
      if (!addresses) return visit(origin, base + linear * chunkBytes, chunkBytes, 0);
      if (linear >= addresses.length)
        fail(ctx, `${what}: the chunk index has ${addresses.length} entries, chunk ${linear} is missing (corrupt)`);
      visit(origin, addresses[linear], chunkBytes, 0);
    });
  }
}

/** The output buffer chunks are copied into, with what copying needs to know. */
interface Assembly {
  readonly ctx: H5Context;
  readonly what: string;
  readonly out: Uint8Array;
  readonly shape: number[];
  readonly chunkDims: number[];
  readonly elementSize: number;
  /** Bytes still to copy: chunks never overlap, so a corrupt index that repeats one cannot loop long. */
  budget: number;
}

/** Assemble a chunked dataset's bytes in row-major order; missing chunks stay zero. */
export function readChunkedBytes(ctx: H5Context, layout: ChunkedLayout, space: Dataspace, elementSize: number, what: string): Uint8Array {
  if (layout.filteredSize !== undefined) fail(ctx, `${what}: filtered chunks are not supported`);
  const chunkBytes = elementCount(ctx, what, layout.chunkDims) * elementSize;
  if (chunkBytes > ctx.bytes.length) fail(ctx, `${what}: chunks of ${chunkBytes} bytes exceed the file (corrupt)`);
  const out = new Uint8Array(space.count * elementSize);
  const target: Assembly = { ctx, what, out, shape: space.shape, chunkDims: layout.chunkDims, elementSize, budget: out.length };
  visitChunks(ctx, layout, space, elementSize, what, (origin, address, size, filterMask) => {
    if (address === undefined) return;
    if (filterMask !== 0) fail(ctx, `${what}: chunk at ${hex(address)} skips filters, which is not supported`);
    if (size !== chunkBytes)
      fail(ctx, `${what}: chunk at ${hex(address)} holds ${size} bytes, expected ${chunkBytes} (corrupt or filtered)`);
    copyChunk(target, origin, cursorAt(ctx, address, size, `${what} chunk`).bytes(size));
  });
  return target.out;
}

/** v1 B-tree (node type 1) keys: chunk size (4), filter mask (4), then an 8-byte offset per dimension + 1. */
function walkChunkBTree(ctx: H5Context, address: number, rank: number, visit: ChunkVisitor): void {
  walkBTreeV1(ctx, address, 1, 8 + 8 * (rank + 1), (key, child) => {
    const size = key.u32();
    const filterMask = key.u32();
    visit(
      Array.from({ length: rank }, () => key.uint(8)),
      child,
      size,
      filterMask,
    );
  });
}

/**
 * Chunks of the current shape with their row-major index in the grid of the *maximum* shape,
 * which is how the implicit and fixed-array indexes number them.
 */
function forEachGridChunk(
  ctx: H5Context,
  layout: ChunkedLayout,
  space: Dataspace,
  what: string,
  visit: (origin: number[], linear: number) => void,
): void {
  const { chunkDims } = layout;
  if (space.maxShape.some((d) => !Number.isFinite(d))) fail(ctx, `${what}: unlimited dimensions with this chunk index (corrupt)`);
  const grid = space.shape.map((d, i) => Math.ceil(d / chunkDims[i]));
  const maxGrid = space.maxShape.map((d, i) => Math.ceil(Math.max(d, space.shape[i]) / chunkDims[i]));
  if (grid.some((n) => n === 0)) return;
  const position = grid.map(() => 0);
  for (;;) {
    const linear = position.reduce((acc, p, i) => acc * maxGrid[i] + p, 0);
    visit(
      position.map((p, i) => p * chunkDims[i]),
      linear,
    );
    let d = position.length - 1;
    while (d >= 0 && ++position[d] === grid[d]) position[d--] = 0;
    if (d < 0) return;
  }
}

/**
 * Fixed array index: a `FAHD` header (version, client, entry size, page bits, entry count, data
 * block address) and a `FADB` data block (version, client, header address) holding one chunk
 * address per entry. Past 2^pageBits entries the block is paged: a bitmap of initialised pages
 * and a checksum end the block's header, then each page follows with its own checksum.
 */
function fixedArray(ctx: H5Context, address: number, what: string): (number | undefined)[] {
  const header = cursorAt(ctx, address, 8 + ctx.lengthSize + ctx.offsetSize, `${what} fixed array header at ${hex(address)}`);
  header.signature('FAHD');
  header.skip(2); // version, client (0: unfiltered chunks)
  const entrySize = header.u8();
  const pageBits = header.u8();
  const count = header.length();
  const block = required(header, header.address(), 'data block address');
  if (entrySize !== ctx.offsetSize) fail(ctx, `${header.what}: entries of ${entrySize} bytes (filtered chunks) are not supported`);
  if (pageBits > 32) fail(ctx, `${header.what}: ${pageBits} page bits (corrupt)`);
  const blockWhat = `${what} fixed array data block at ${hex(block)}`;
  const pageSize = 2 ** pageBits;
  if (count <= pageSize) {
    const c = cursorAt(ctx, block, 6 + ctx.offsetSize + count * entrySize, blockWhat);
    c.signature('FADB');
    c.skip(2 + ctx.offsetSize);
    return Array.from({ length: count }, () => c.address());
  }
  const pages = Math.ceil(count / pageSize);
  const c = cursorAt(ctx, block, 10 + ctx.offsetSize + Math.ceil(pages / 8) + count * entrySize + 4 * pages, blockWhat);
  c.signature('FADB');
  c.skip(2 + ctx.offsetSize);
  const initialised = c.bytes(Math.ceil(pages / 8));
  c.skip(4);
  const addresses: (number | undefined)[] = [];
  for (let page = 0; page < pages; page++) {
    const entries = Math.min(pageSize, count - page * pageSize);
    const used = (initialised[page >> 3] & (0x80 >> (page & 7))) !== 0; // most significant bit first
    for (let i = 0; i < entries; i++) {
      const entry = c.address();
      addresses.push(used ? entry : undefined);
    }
    c.skip(4);
  }
  return addresses;
}

/** Copy one chunk into the dataset, clipping chunks that overhang the dataset's edge. */
function copyChunk(target: Assembly, origin: number[], chunk: Uint8Array): void {
  const { shape, chunkDims, elementSize, out } = target;
  const rank = shape.length;
  if (origin.some((o, i) => o % chunkDims[i] !== 0))
    fail(target.ctx, `${target.what}: chunk offset [${origin.join(', ')}] is not on the chunk grid (corrupt)`);
  if (origin.some((o, i) => o >= shape[i])) return; // beyond the current shape (the dataset shrank)
  const extent = chunkDims.map((d, i) => Math.min(d, shape[i] - origin[i]));
  const outStrides = strides(shape);
  const chunkStrides = strides(chunkDims);
  const rowBytes = extent[rank - 1] * elementSize;
  target.budget -= extent.reduce((a, b) => a * b, 1) * elementSize;
  if (target.budget < 0) fail(target.ctx, `${target.what}: chunks overlap (corrupt)`);
  const position = extent.map(() => 0);
  for (;;) {
    let from = 0;
    let to = 0;
    for (let d = 0; d < rank; d++) {
      from += position[d] * chunkStrides[d];
      to += (origin[d] + position[d]) * outStrides[d];
    }
    out.set(chunk.subarray(from * elementSize, from * elementSize + rowBytes), to * elementSize);
    // Advance over all dimensions but the last, which each copy covers whole.
    let d = rank - 2;
    while (d >= 0 && ++position[d] === extent[d]) position[d--] = 0;
    if (d < 0) return;
  }
}

function strides(shape: number[]): number[] {
  const result = shape.map(() => 1);
  for (let d = shape.length - 2; d >= 0; d--) result[d] = result[d + 1] * shape[d + 1];
  return result;
}
