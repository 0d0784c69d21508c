import { byteBudget, cached, cursorAt, fail, hex, type Cursor, type H5Context } from './bytes.js';

/**
 * Fractal heaps (`FRHP`) hold the link and attribute messages of "dense" groups and objects.
 * Objects live in direct blocks, reached from the root through indirect blocks of a doubling
 * table. We collect every direct block once, then find an object by its heap offset.
 */
interface FractalHeap {
  readonly what: string;
  /** Width of offsets and lengths inside managed-object heap IDs. */
  readonly offsetSize: number;
  readonly lengthSize: number;
  /** Direct blocks as [heap offset, absolute address, size]. */
  readonly blocks: [number, number, number][];
  readonly spend: (bytes: number) => void;
}

interface Table {
  readonly width: number;
  readonly startSize: number;
  readonly maxDirectSize: number;
  readonly offsetSize: number;
  readonly checksummed: boolean;
}

// Indirect blocks nest about log2(heap size) deep; this is far beyond any real heap.
const MAX_INDIRECT_DEPTH = 32;

const log2 = (n: number): number => Math.floor(Math.log2(n));

/** A heap object, named by the heap ID at the cursor, as [absolute start, size]. */
export function heapObject(ctx: H5Context, heapAddress: number, id: Cursor): [number, number] {
  const heap = cached(ctx, `frhp@${heapAddress}`, () => parseHeap(ctx, heapAddress));
  const first = id.u8();
  const type = (first >> 4) & 0x03;
  if (type === 2) {
    // Tiny: the object is stored in the ID itself, its length minus one in the low bits.
    const size = (first & 0x0f) + 1;
    return [id.sub(size).pos, size];
  }
  if (type !== 0) fail(ctx, `${heap.what}: huge objects are not supported`);
  const offset = id.uint(heap.offsetSize);
  const size = id.uint(heap.lengthSize);
  const block = heap.blocks.find(([start, , blockSize]) => offset >= start && offset + size <= start + blockSize);
  if (!block) fail(ctx, `${heap.what}: no direct block holds object at offset ${offset} of ${size} bytes (corrupt)`);
  return [block[1] + offset - block[0], size];
}

/**
 * Header fields in order: version, heap ID length, filter info length, flags, max managed object
 * size, then eight bookkeeping fields we skip, the doubling table (width, start block size, max
 * direct block size, max heap size in bits, starting rows), root block address, current root rows.
 */
function parseHeap(ctx: H5Context, address: number): FractalHeap {
  const what = `fractal heap at ${hex(address)}`;
  const c = cursorAt(ctx, address, 22 + 3 * ctx.offsetSize + 12 * ctx.lengthSize, what);
  c.signature('FRHP');
  const version = c.u8();
  if (version !== 0) fail(ctx, `${what}: version ${version} is not supported`);
  c.skip(2); // heap ID length: implied by the widths below
  if (c.u16() !== 0) fail(ctx, `${what}: filtered (compressed) heaps are not supported`);
  const flags = c.u8();
  const maxManagedSize = c.u32();
  c.skip(ctx.lengthSize + ctx.offsetSize + ctx.lengthSize + ctx.offsetSize + 8 * ctx.lengthSize);
  const width = c.u16();
  const startSize = c.length();
  const maxDirectSize = c.length();
  const maxHeapBits = c.u16();
  c.skip(2); // starting rows in the root indirect block
  const root = c.address();
  const rootRows = c.u16();
  if (
    width === 0 ||
    !isPowerOfTwo(startSize) ||
    !isPowerOfTwo(maxDirectSize) ||
    maxDirectSize < startSize ||
    maxHeapBits === 0 ||
    maxHeapBits > 64
  ) {
    fail(ctx, `${what}: implausible doubling table (corrupt)`);
  }
  const offsetSize = Math.ceil(maxHeapBits / 8);
  const table: Table = { width, startSize, maxDirectSize, offsetSize, checksummed: (flags & 0x02) !== 0 };
  const heap: FractalHeap = {
    what,
    offsetSize,
    // Lengths fit both the largest direct block offset and the largest managed object.
    lengthSize: Math.min(Math.ceil(log2(maxDirectSize) / 8), Math.floor(log2(Math.max(1, maxManagedSize)) / 8) + 1),
    blocks: [],
    spend: byteBudget(ctx, what),
  };
  if (root === undefined) return heap; // empty heap
  if (rootRows === 0) addDirectBlock(ctx, table, heap, root, startSize);
  else collectIndirect(ctx, table, heap, root, rootRows);
  return heap;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** log2(n) === n;

/** Size of the blocks in row `row` of the doubling table: two rows of the start size, then doubling. */
const rowSize = (table: Table, row: number): number => (row === 0 ? table.startSize : table.startSize * 2 ** (row - 1));

/** Walk an indirect block (`FHIB`) tree, iteratively, collecting its direct blocks. */
function collectIndirect(ctx: H5Context, table: Table, heap: FractalHeap, root: number, rootRows: number): void {
  const maxDirectRows = log2(table.maxDirectSize) - log2(table.startSize) + 2;
  const visited = new Set<number>();
  const stack: [number, number, number][] = [[root, rootRows, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [address, rows, depth] = next;
    const what = `${heap.what}, indirect block at ${hex(address)}`;
    if (visited.has(address)) fail(ctx, `${what} is reached twice (corrupt)`);
    if (depth > MAX_INDIRECT_DEPTH || rows < 1 || rows > 64) fail(ctx, `${what}: implausible nesting (corrupt)`);
    visited.add(address);
    const c = cursorAt(ctx, address, 5 + ctx.offsetSize + table.offsetSize + rows * table.width * ctx.offsetSize, what);
    heap.spend(c.end - address);
    c.signature('FHIB');
    c.skip(1 + ctx.offsetSize + table.offsetSize); // version, heap header address, block offset
    for (let row = 0; row < rows; row++) {
      for (let column = 0; column < table.width; column++) {
        const child = c.address();
        if (child === undefined) continue; // not allocated yet
        if (row < maxDirectRows) addDirectBlock(ctx, table, heap, child, rowSize(table, row));
        else stack.push([child, log2(rowSize(table, row)) - log2(table.startSize * table.width) + 1, depth + 1]);
      }
    }
  }
}

/** A direct block (`FHDB`): version, heap header address, its heap offset, optional checksum, objects. */
function addDirectBlock(ctx: H5Context, table: Table, heap: FractalHeap, address: number, size: number): void {
  heap.spend(size);
  const c = cursorAt(ctx, address, size, `${heap.what}, direct block at ${hex(address)}`);
  c.signature('FHDB');
  c.skip(1 + ctx.offsetSize);
  heap.blocks.push([c.uint(table.offsetSize), address, size]);
}
