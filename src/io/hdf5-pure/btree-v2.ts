import { byteBudget, cursorAt, fail, hex, required, type Cursor, type H5Context } from './bytes.js';

/**
 * Version 2 B-trees index "dense" links and attributes (records hold fractal heap IDs). We only
 * need every record, not lookups, so this visits all of them; callers sort afterwards.
 */

// Signature (4), version (1), type (1) and checksum (4) of every node.
const NODE_OVERHEAD = 10;
// Deeper trees would hold more records than any file; the depth also sizes the per-level tables.
const MAX_DEPTH = 16;

/** Bytes needed to store counts up to n (the library's "limit encode size"). */
const countWidth = (n: number): number => Math.floor(Math.log2(Math.max(1, n)) / 8) + 1;

interface TreeShape {
  readonly nodeSize: number;
  readonly recordSize: number;
  /** Width of a child's record count in internal nodes. */
  readonly countSize: number;
  /** Per level: width of a child subtree's total record count (used below level 2). */
  readonly totalSize: number[];
}

/** Visit every record of the v2 B-tree whose header (`BTHD`) is at `address`. */
export function walkBTreeV2(ctx: H5Context, address: number, what: string, visit: (record: Cursor) => void): void {
  const where = `${what}, B-tree header at ${hex(address)}`;
  const c = cursorAt(ctx, address, 16 + 2 * ctx.offsetSize + ctx.lengthSize, where);
  c.signature('BTHD');
  const version = c.u8();
  if (version !== 0) fail(ctx, `${where}: version ${version} is not supported`);
  c.skip(1); // record type: the caller knows what it asked for
  const nodeSize = c.u32();
  const recordSize = c.u16();
  const depth = c.u16();
  c.skip(2); // split and merge percentages
  const root = c.address();
  const rootCount = c.u16();
  if (depth > MAX_DEPTH || recordSize === 0 || nodeSize <= NODE_OVERHEAD)
    fail(ctx, `${where}: implausible tree (depth ${depth}, node size ${nodeSize}, record size ${recordSize}) (corrupt)`);
  if (root === undefined) return; // empty tree
  const shape = treeShape(nodeSize, recordSize, depth, ctx.offsetSize);
  const visited = new Set<number>();
  const spend = byteBudget(ctx, where);
  const stack: [number, number, number][] = [[root, rootCount, depth]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, count, level] = next;
    if (visited.has(node)) fail(ctx, `${what}: B-tree node at ${hex(node)} is reached twice (corrupt)`);
    visited.add(node);
    spend(nodeSize);
    stack.push(...readNode(ctx, shape, node, count, level, what, visit));
  }
}

/** Field widths as the HDF5 library derives them from the node and record sizes. */
function treeShape(nodeSize: number, recordSize: number, depth: number, offsetSize: number): TreeShape {
  const leafMax = Math.floor((nodeSize - NODE_OVERHEAD) / recordSize);
  const countSize = countWidth(leafMax);
  const totalSize = [0];
  let cumulativeMax = leafMax;
  for (let level = 1; level <= depth; level++) {
    const pointerSize = offsetSize + countSize + (level > 1 ? totalSize[level - 1] : 0);
    const max = Math.floor((nodeSize - NODE_OVERHEAD - pointerSize) / (recordSize + pointerSize));
    cumulativeMax = (max + 1) * cumulativeMax + max;
    totalSize.push(countWidth(cumulativeMax));
  }
  return { nodeSize, recordSize, countSize, totalSize };
}

/** Visit a node's records and return its children as [address, record count, level]. */
function readNode(
  ctx: H5Context,
  shape: TreeShape,
  address: number,
  count: number,
  level: number,
  what: string,
  visit: (record: Cursor) => void,
): [number, number, number][] {
  const where = `${what}, B-tree node at ${hex(address)}`;
  const c = cursorAt(ctx, address, shape.nodeSize, where);
  c.signature(level === 0 ? 'BTLF' : 'BTIN');
  c.skip(2); // version, type
  for (let i = 0; i < count; i++) visit(c.sub(shape.recordSize, where));
  if (level === 0) return [];
  const children: [number, number, number][] = [];
  for (let i = 0; i <= count; i++) {
    const child = required(c, c.address(), 'child node address');
    const childCount = c.uint(shape.countSize);
    if (level > 1) c.skip(shape.totalSize[level - 1]);
    children.push([child, childCount, level - 1]);
  }
  return children.reverse();
}
