import { byteBudget, cached, cursorAt, fail, hex, required, type Cursor, type H5Context } from './bytes.js';
import { walkBTreeV1 } from './btree-v1.js';
import { walkBTreeV2 } from './btree-v2.js';
import { heapObject } from './fractal-heap.js';
import { findMessage, MSG, openMessage, type Message, type ObjectHeader } from './object-header.js';

export interface Link {
  readonly name: string;
  /** A hard link's target object header. */
  readonly address?: number;
  /** A soft link's target path. Links with neither are external links, which we do not follow. */
  readonly softPath?: string;
  readonly creationOrder?: number;
}

/** Whether an object header describes a group (old-style symbol table or new-style links). */
export function isGroup(header: ObjectHeader): boolean {
  return header.messages.some(
    (m) => m.type === MSG.symbolTable || m.type === MSG.linkInfo || m.type === MSG.link || m.type === MSG.groupInfo,
  );
}

/** A group's links, in the order h5wasm lists them (by name unless creation order is indexed). */
export function readLinks(ctx: H5Context, header: ObjectHeader, path: string): Link[] {
  return cached(ctx, `links@${header.address}`, () => {
    const what = `group ${path} (object header at ${hex(header.address)})`;
    const symbolTable = findMessage(header, MSG.symbolTable);
    if (symbolTable) return symbolTableLinks(ctx, symbolTable, what);
    return linkMessages(ctx, header, what);
  });
}

/** The link called `name`, through a per-group index (groups can have thousands of members). */
export function findLink(ctx: H5Context, header: ObjectHeader, path: string, name: string): Link | undefined {
  const byName = cached(ctx, `linkindex@${header.address}`, () => {
    const index = new Map<string, Link>();
    for (const link of readLinks(ctx, header, path)) if (!index.has(link.name)) index.set(link.name, link);
    return index;
  });
  return byName.get(name);
}

// --- Old-style groups: a v1 B-tree of symbol table nodes, names in a local heap ---------------

function symbolTableLinks(ctx: H5Context, message: Message, what: string): Link[] {
  const c = openMessage(ctx, message, what);
  const btree = required(c, c.address(), 'symbol table B-tree address');
  const heap = localHeap(ctx, required(c, c.address(), 'local heap address'));
  const links: Link[] = [];
  const nodes = new Set<number>();
  const spend = byteBudget(ctx, `${what}, symbol table nodes`);
  // Group B-tree keys are heap offsets of names; the children of leaves are symbol table nodes.
  walkBTreeV1(ctx, btree, 0, ctx.lengthSize, (_key, node) => {
    if (nodes.has(node)) fail(ctx, `${what}: symbol table node at ${hex(node)} is listed twice (corrupt)`);
    nodes.add(node);
    readSymbolNode(ctx, node, heap, links, spend);
  });
  return links;
}

/** The data segment of a local heap (`HEAP`), where the group's link names are stored. */
function localHeap(ctx: H5Context, address: number): Cursor {
  const what = `local heap at ${hex(address)}`;
  const c = cursorAt(ctx, address, 8 + 2 * ctx.lengthSize + ctx.offsetSize, what);
  c.signature('HEAP');
  const version = c.u8();
  if (version !== 0) fail(ctx, `${what}: version ${version} is not supported`);
  c.skip(3);
  const size = c.length();
  c.length(); // free list head
  return cursorAt(ctx, required(c, c.address(), 'data segment address'), size, `${what}, data segment`);
}

const SYMBOL_CACHE_SOFT_LINK = 2;

/** A symbol table node (`SNOD`): entries of name offset, object header address, cache type, scratch pad. */
function readSymbolNode(ctx: H5Context, address: number, heap: Cursor, links: Link[], spend: (bytes: number) => void): void {
  const what = `symbol table node at ${hex(address)}`;
  const head = cursorAt(ctx, address, 8, what);
  head.signature('SNOD');
  const version = head.u8();
  if (version !== 1) fail(ctx, `${what}: version ${version} is not supported`);
  head.skip(1);
  const count = head.u16();
  const entrySize = ctx.lengthSize + ctx.offsetSize + 24;
  const c = cursorAt(ctx, head.end, count * entrySize, what);
  spend(c.end - address);
  for (let i = 0; i < count; i++) {
    const name = heapString(heap, c.length());
    const target = c.address();
    const cacheType = c.u32();
    c.skip(4); // reserved
    const scratch = c.sub(16);
    // A soft link's scratch pad holds the heap offset of its target path.
    if (cacheType === SYMBOL_CACHE_SOFT_LINK) links.push({ name, softPath: heapString(heap, scratch.u32()) });
    else links.push({ name, address: required(c, target, `address of ${name}`) });
  }
}

const utf8 = new TextDecoder('utf-8');

/** The NUL-terminated name at `offset` in a local heap's data segment. */
function heapString(heap: Cursor, offset: number): string {
  const segment = heap.ctx.bytes.subarray(heap.pos, heap.end);
  const nul = offset < segment.length ? segment.indexOf(0, offset) : -1;
  if (nul < 0) fail(heap.ctx, `${heap.what}: no NUL-terminated name at offset ${offset} (corrupt)`);
  return utf8.decode(segment.subarray(offset, nul));
}

// --- New-style groups: link messages in the object header -------------------------------------

function linkMessages(ctx: H5Context, header: ObjectHeader, what: string): Link[] {
  const info = findMessage(header, MSG.linkInfo);
  let byCreationOrder = false;
  let links: Link[] = [];
  if (info) {
    // Link info: version, flags, (max creation index), fractal heap and name index addresses.
    const c = openMessage(ctx, info, `${what}, link info`);
    c.skip(1);
    const flags = c.u8();
    if (flags & 0x01) c.skip(8);
    byCreationOrder = (flags & 0x02) !== 0;
    const heap = c.address();
    // Past a handful of links they move to "dense" storage: a fractal heap indexed by a v2 B-tree.
    if (heap !== undefined) links = denseLinks(ctx, heap, required(c, c.address(), 'link name index address'), what);
  }
  links.push(...header.messages.filter((m) => m.type === MSG.link).map((m) => parseLink(openMessage(ctx, m, `${what}, link`))));
  return byCreationOrder
    ? links.sort((a, b) => (a.creationOrder ?? 0) - (b.creationOrder ?? 0))
    : links.sort((a, b) => compareNames(a.name, b.name));
}

/** Name index records (type 5): a 4-byte name hash, then the heap ID of the link message. */
function denseLinks(ctx: H5Context, heap: number, nameIndex: number, what: string): Link[] {
  const links: Link[] = [];
  walkBTreeV2(ctx, nameIndex, what, (record) => {
    record.skip(4);
    const [start, size] = heapObject(ctx, heap, record);
    links.push(parseLink(cursorAt(ctx, start, size, `${what}, link`)));
  });
  return links;
}

const LINK_HARD = 0;
const LINK_SOFT = 1;

/** A link message: flags, optional type / creation order / charset, name length and name, target. */
function parseLink(c: Cursor): Link {
  const version = c.u8();
  if (version !== 1) fail(c.ctx, `${c.what}: version ${version} is not supported`);
  const flags = c.u8();
  const type = flags & 0x08 ? c.u8() : LINK_HARD;
  const creationOrder = flags & 0x04 ? c.uint(8) : undefined;
  if (flags & 0x10) c.skip(1); // name charset: names are decoded as UTF-8 either way
  const name = utf8.decode(c.bytes(c.uint(1 << (flags & 0x03))));
  if (type === LINK_HARD) return { name, address: required(c, c.address(), `address of link ${name}`), creationOrder };
  if (type === LINK_SOFT) return { name, softPath: utf8.decode(c.bytes(c.u16())), creationOrder };
  return { name, creationOrder };
}

/**
 * HDF5 orders names with strcmp on UTF-8, i.e. by code point. UTF-16 units order the same way,
 * except that surrogates (code points from U+10000) sort below U+E000–U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    if (surrogateX !== (y >= 0xd800 && y <= 0xdfff)) return surrogateX ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
