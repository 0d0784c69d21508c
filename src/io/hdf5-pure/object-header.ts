import { byteBudget, cached, cursorAt, cursorFrom, fail, hex, required, type Cursor, type H5Context } from './bytes.js';

/** Header message types this reader looks at (HDF5 spec §IV.A.2). */
export const MSG = {
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  link: 0x06,
  externalFiles: 0x07,
  layout: 0x08,
  groupInfo: 0x0a,
  filters: 0x0b,
  attribute: 0x0c,
  continuation: 0x10,
  symbolTable: 0x11,
  attributeInfo: 0x15,
} as const;

const FLAG_SHARED = 0x02;

export interface Message {
  readonly type: number;
  readonly flags: number;
  /** Absolute position and size of the message body. */
  readonly start: number;
  readonly size: number;
  /** Attribute creation order, when a v2 header tracks it (used to order attribute names). */
  readonly creationOrder?: number;
}

export interface ObjectHeader {
  readonly address: number;
  readonly messages: Message[];
  /** v2 headers can ask for attributes to be listed in creation order instead of by name. */
  readonly attributesInCreationOrder: boolean;
}

/** Parse the object header at `address` with all its continuation chunks (cached per file). */
export function readObjectHeader(ctx: H5Context, address: number): ObjectHeader {
  return cached(ctx, `ohdr@${address}`, () => parseObjectHeader(ctx, address));
}

function parseObjectHeader(ctx: H5Context, address: number): ObjectHeader {
  const what = `object header at ${hex(address)}`;
  const c = cursorFrom(ctx, address, what);
  const state: ChunkState = { messages: [], pending: [], visited: new Set([address]), spend: byteBudget(ctx, what), what };
  const v2 = hasSignature(ctx, address, 'OHDR') ? readV2Prefix(c, state) : readV1Prefix(c, state);
  // Chunks are read from a queue rather than recursively, so a long chain cannot overflow the stack.
  for (let chunk = state.pending.shift(); chunk; chunk = state.pending.shift()) readChunk(ctx, chunk, state, v2);
  return { address, messages: state.messages, attributesInCreationOrder: v2?.attributesIndexed === true };
}

/** What a v2 header's flags say about its messages and attributes; undefined for v1. */
interface V2Flags {
  readonly tracksOrder: boolean;
  readonly attributesIndexed: boolean;
}

interface ChunkState {
  readonly messages: Message[];
  /** Continuation chunks not read yet, as absolute address and length. */
  readonly pending: [number, number][];
  /** Chunk addresses seen, so a continuation that points back cannot loop. */
  readonly visited: Set<number>;
  readonly spend: (bytes: number) => void;
  readonly what: string;
}

function hasSignature(ctx: H5Context, address: number, signature: string): boolean {
  return String.fromCharCode(...ctx.bytes.subarray(address, address + 4)) === signature;
}

function readV1Prefix(c: Cursor, state: ChunkState): undefined {
  const version = c.u8();
  if (version !== 1) fail(c.ctx, `${state.what}: version ${version} is not an object header (corrupt)`);
  c.skip(1 + 2 + 4); // reserved, message count (we read until the chunks end), reference count
  const size = c.u32();
  c.skip(4); // v1 messages are 8-byte aligned: the 12-byte prefix is padded to 16
  readMessages(c.sub(size, state.what), state, undefined);
  return undefined;
}

function readV2Prefix(c: Cursor, state: ChunkState): V2Flags {
  c.signature('OHDR');
  const version = c.u8();
  if (version !== 2) fail(c.ctx, `${state.what}: version ${version} is not supported`);
  const flags = c.u8();
  if (flags & 0x20) c.skip(16); // access, modification, change and birth times
  if (flags & 0x10) c.skip(4); // attribute storage phase-change thresholds
  const size = c.uint(1 << (flags & 0x03));
  const v2 = { tracksOrder: (flags & 0x04) !== 0, attributesIndexed: (flags & 0x08) !== 0 };
  readMessages(c.sub(size, state.what), state, v2);
  return v2;
}

/** A continuation chunk: bare v1 messages, or `OCHK`, v2 messages and a 4-byte checksum. */
function readChunk(ctx: H5Context, [address, length]: [number, number], state: ChunkState, v2: V2Flags | undefined): void {
  const chunk = cursorAt(ctx, address, length, `${state.what}, continuation chunk at ${hex(address)}`);
  if (!v2) {
    readMessages(chunk, state, v2);
    return;
  }
  chunk.signature('OCHK');
  readMessages(chunk.sub(chunk.remaining() - 4), state, v2);
}

function readMessages(c: Cursor, state: ChunkState, v2: V2Flags | undefined): void {
  // v1 message headers: type (2), size (2), flags (1), reserved (3). v2: type (1), size (2),
  // flags (1), creation order (2, when tracked). A tail shorter than a header is padding.
  const headerSize = !v2 ? 8 : v2.tracksOrder ? 6 : 4;
  while (c.remaining() >= headerSize) {
    const type = v2 ? c.u8() : c.u16();
    const size = c.u16();
    const flags = c.u8();
    if (!v2) c.skip(3);
    const creationOrder = v2?.tracksOrder ? c.u16() : undefined;
    addMessage(c, state, { type, flags, start: c.pos, size, creationOrder });
    c.skip(size);
    if (type === MSG.continuation) queueContinuation(c, state);
  }
}

function addMessage(c: Cursor, state: ChunkState, message: Message): void {
  if (message.start + message.size > c.end) {
    fail(c.ctx, `${state.what}: message of type ${message.type} at ${hex(message.start)} runs past the end of its block (corrupt)`);
  }
  state.messages.push(message);
}

/** Queue the chunk that a continuation message (the one just added) points to. */
function queueContinuation(c: Cursor, state: ChunkState): void {
  const message = state.messages[state.messages.length - 1];
  const body = cursorAt(c.ctx, message.start, message.size, state.what);
  const address = required(body, body.address(), 'continuation address');
  const length = body.length();
  if (state.visited.has(address)) fail(c.ctx, `${state.what}: continuation chunks form a cycle at ${hex(address)} (corrupt)`);
  state.spend(length);
  state.visited.add(address);
  state.pending.push([address, length]);
}

/** The first message of a type, if any. */
export function findMessage(header: ObjectHeader, type: number): Message | undefined {
  return header.messages.find((m) => m.type === type);
}

/**
 * A cursor over a message's body. A message flagged "shared" holds only a reference to the same
 * message in another object header (e.g. a committed datatype); follow it.
 */
export function openMessage(ctx: H5Context, message: Message, what: string, hops = 0): Cursor {
  const c = cursorAt(ctx, message.start, message.size, what);
  return message.flags & FLAG_SHARED ? followShared(c, message.type, hops) : c;
}

/** Resolve a shared-message reference (at the cursor) to the message of `type` it names. */
export function followShared(c: Cursor, type: number, hops = 0): Cursor {
  const { ctx, what } = c;
  // A committed datatype's own message is never shared again in practice; a few hops allows for
  // odd writers while a corrupt file that points in a circle still stops.
  if (hops >= 4) fail(ctx, `${what}: shared message references nest too deep (corrupt)`);
  const version = c.u8();
  const shareType = c.u8();
  if (version === 1)
    c.skip(6 + ctx.lengthSize); // reserved, then a symbol table entry's name offset
  else if (version === 3 && shareType === 1) fail(ctx, `${what}: messages in the shared-message heap are not supported`);
  else if (version !== 2 && version !== 3) fail(ctx, `${what}: shared message version ${version} is not supported`);
  const target = readObjectHeader(ctx, required(c, c.address(), 'shared message address'));
  const shared = findMessage(target, type);
  if (!shared) fail(ctx, `${what}: the shared object header at ${hex(target.address)} lacks the message (corrupt)`);
  return openMessage(ctx, shared, what, hops + 1);
}
