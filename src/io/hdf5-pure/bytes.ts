import { LrpKerasError } from '../../errors.js';

/**
 * The file being read plus what the superblock says about it. Every structure parser takes this,
 * so errors can name the file and caches live as long as the open file.
 */
export interface H5Context {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Byte width of file addresses and of lengths (from the superblock; 8 in practice). */
  offsetSize: number;
  lengthSize: number;
  /** Addresses in the file are relative to this (non-zero only with a user block). */
  base: number;
  /** Parsed structures by absolute address, so shared and revisited blocks are parsed once. */
  readonly cache: Map<string, unknown>;
}

export function createContext(bytes: Uint8Array, fileName: string): H5Context {
  return {
    fileName,
    // A plain view: a Node Buffer's slice() shares memory instead of copying, which readers rely on.
    bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    offsetSize: 8,
    lengthSize: 8,
    base: 0,
    cache: new Map(),
  };
}

/** Throw the error every malformed or unsupported input ends in: the file name, then what is wrong. */
export function fail(ctx: H5Context, message: string): never {
  throw new LrpKerasError(`${ctx.fileName}: ${message}`);
}

export const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * A spending limit for one walk over blocks that never overlap in a valid file (B-tree nodes,
 * header chunks, heap blocks): together they fit in the file. Overlapping blocks in a corrupt
 * file could otherwise make a walk read the same bytes over and over.
 */
export function byteBudget(ctx: H5Context, what: string): (bytes: number) => void {
  let left = ctx.bytes.length;
  return (bytes) => {
    left -= bytes;
    if (left < 0) fail(ctx, `${what}: its blocks add up to more than the file (overlapping, corrupt)`);
  };
}

/** Parse once per file: the cache key names the structure kind and its address. */
export function cached<T>(ctx: H5Context, key: string, parse: () => T): T {
  if (ctx.cache.has(key)) return ctx.cache.get(key) as T;
  const value = parse();
  ctx.cache.set(key, value);
  return value;
}

/**
 * A little-endian reader over [pos, end) of the file. Every read checks the bound first, so a
 * truncated or lying structure ends in an LrpKerasError naming `what`, never in a RangeError.
 */
export interface Cursor {
  readonly ctx: H5Context;
  readonly what: string;
  pos: number;
  readonly end: number;
  remaining(): number;
  skip(n: number): void;
  u8(): number;
  u16(): number;
  u32(): number;
  /** An unsigned integer of 1–8 bytes; refuses values above 2^53 rather than losing precision. */
  uint(width: number): number;
  /** A file address (offsetSize bytes, made absolute); undefined for the all-ones "undefined address". */
  address(): number | undefined;
  /** A length field (lengthSize bytes). */
  length(): number;
  bytes(n: number): Uint8Array;
  /** Check a 4-byte ASCII signature such as `TREE`. */
  signature(expected: string): void;
  /** A sub-cursor over the next n bytes, which this cursor skips. */
  sub(n: number, what?: string): Cursor;
}

/** A cursor over `size` bytes at absolute position `start`, checked against the file's length. */
export function cursorAt(ctx: H5Context, start: number, size: number, what: string): Cursor {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size) || start < 0 || size < 0 || start + size > ctx.bytes.length) {
    fail(ctx, `${what}: ${size} bytes at ${hex(start)} lie outside the file (${ctx.bytes.length} bytes); the file is truncated or corrupt`);
  }
  return makeCursor(ctx, start, start + size, what);
}

/** A cursor from `start` to the end of the file, for structures whose size is only known once read. */
export function cursorFrom(ctx: H5Context, start: number, what: string): Cursor {
  return cursorAt(ctx, start, Math.max(0, ctx.bytes.length - start), what);
}

function makeCursor(ctx: H5Context, start: number, end: number, what: string): Cursor {
  const { view } = ctx;
  const need = (n: number): number => {
    if (n < 0 || c.pos + n > end) {
      fail(ctx, `${what}: needs ${n} bytes at ${hex(c.pos)} but only ${end - c.pos} remain (truncated or corrupt)`);
    }
    const at = c.pos;
    c.pos += n;
    return at;
  };
  const uint = (width: number): number => {
    const at = need(width);
    let value = 0;
    for (let i = width - 1; i >= 0; i--) value = value * 256 + view.getUint8(at + i);
    if (!Number.isSafeInteger(value)) fail(ctx, `${what}: value at ${hex(at)} is too large (corrupt)`);
    return value;
  };
  const c: Cursor = {
    ctx,
    what,
    pos: start,
    end,
    remaining: () => end - c.pos,
    skip: (n) => void need(n),
    u8: () => view.getUint8(need(1)),
    u16: () => view.getUint16(need(2), true),
    u32: () => view.getUint32(need(4), true),
    uint,
    address() {
      if (c.bytes(ctx.offsetSize).every((b) => b === 0xff)) return undefined;
      c.pos -= ctx.offsetSize;
      return uint(ctx.offsetSize) + ctx.base;
    },
    length: () => uint(ctx.lengthSize),
    bytes(n) {
      const at = need(n);
      return ctx.bytes.subarray(at, at + n);
    },
    signature(expected) {
      const at = c.pos;
      const got = String.fromCharCode(...c.bytes(4));
      if (got !== expected) fail(ctx, `${what}: expected signature ${expected} at ${hex(at)}, found ${JSON.stringify(got)} (corrupt)`);
    },
    sub(n, subWhat = what) {
      const at = need(n);
      return makeCursor(ctx, at, at + n, subWhat);
    },
  };
  return c;
}

/** A defined address, or an error saying which one was missing. */
export function required(c: Cursor, address: number | undefined, field: string): number {
  if (address === undefined) fail(c.ctx, `${c.what}: ${field} is the undefined address (corrupt)`);
  return address;
}
