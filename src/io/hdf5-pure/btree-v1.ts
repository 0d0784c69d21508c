import { byteBudget, cursorAt, fail, hex, required, type Cursor, type H5Context } from './bytes.js';

/** Version 1 B-trees index group members (node type 0) and dataset chunks (node type 1). */
export type BTreeV1Type = 0 | 1;

// A B-tree of this height would index more entries than any file could hold.
const MAX_LEVEL = 64;

/**
 * Visit the leaf entries of the version 1 B-tree at `address` in key order. Each child comes with
 * a cursor over the key just before it (for chunks that key says where the chunk goes).
 * Iterative, with a visited set, so a corrupt tree that loops or shares nodes ends in an error.
 */
export function walkBTreeV1(
  ctx: H5Context,
  address: number,
  type: BTreeV1Type,
  keySize: number,
  visit: (key: Cursor, child: number) => void,
): void {
  const visited = new Set<number>();
  const spend = byteBudget(ctx, `B-tree at ${hex(address)}`);
  const stack: [number, number | undefined][] = [[address, undefined]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, expectedLevel] = next;
    const what = `B-tree node at ${hex(node)}`;
    if (visited.has(node)) fail(ctx, `${what} is reached twice: the tree is cyclic (corrupt)`);
    visited.add(node);
    const head = cursorAt(ctx, node, 8 + 2 * ctx.offsetSize, what);
    head.signature('TREE');
    const nodeType = head.u8();
    const level = head.u8();
    const entries = head.u16();
    if (nodeType !== type) fail(ctx, `${what}: node type ${nodeType}, expected ${type} (corrupt)`);
    if (level > MAX_LEVEL || (expectedLevel !== undefined && level !== expectedLevel)) {
      fail(ctx, `${what}: level ${level} does not fit the tree (corrupt)`);
    }
    // The left and right sibling addresses end the head: unused, the walk goes down from the root.
    const body = cursorAt(ctx, head.end, entries * (keySize + ctx.offsetSize) + keySize, what);
    spend(body.end - node);
    const children: number[] = [];
    for (let i = 0; i < entries; i++) {
      const key = body.sub(keySize);
      const child = required(body, body.address(), 'child address');
      if (level === 0) visit(key, child);
      else children.push(child);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], level - 1]);
  }
}
