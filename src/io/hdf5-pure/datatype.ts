import { fail, type Cursor } from './bytes.js';
import { followShared, MSG } from './object-header.js';

/** The bit layout of a floating-point type, as the datatype message describes it. */
export interface FloatLayout {
  readonly signLocation: number;
  readonly exponentLocation: number;
  readonly exponentSize: number;
  readonly mantissaLocation: number;
  readonly mantissaSize: number;
  readonly exponentBias: number;
  /** 2 means an implied leading 1 bit (IEEE); anything else we refuse to decode. */
  readonly normalization: number;
}

export type Datatype =
  | { readonly kind: 'int'; readonly size: number; readonly signed: boolean; readonly bigEndian: boolean }
  | { readonly kind: 'float'; readonly size: number; readonly bigEndian: boolean; readonly layout: FloatLayout }
  | { readonly kind: 'string'; readonly size: number; readonly utf8: boolean; readonly spacePadded: boolean }
  | { readonly kind: 'vlen-string'; readonly size: number; readonly utf8: boolean }
  /** Enums read as their base integers, which is what h5wasm hands back for them. */
  | { readonly kind: 'enum'; readonly size: number; readonly base: Datatype }
  | { readonly kind: 'other'; readonly size: number; readonly description: string }
  /** A variable-length sequence (not a string) of elements of `baseSize` bytes, stored in the global heap. */
  | { readonly kind: 'vlen-sequence'; readonly size: number; readonly baseSize: number };

const CLASS_NAMES = [
  'fixed-point',
  'floating-point',
  'time',
  'string',
  'bitfield',
  'opaque',
  'compound',
  'reference',
  'enum',
  'variable-length',
  'array',
];

// Enum and vlen types nest a base type; real files nest once, a corrupt one could nest forever.
const MAX_NESTING = 8;

/** Parse a datatype message (or an embedded datatype) at the cursor, consuming its properties. */
export function parseDatatype(c: Cursor, depth = 0): Datatype {
  if (depth > MAX_NESTING) fail(c.ctx, `${c.what}: datatype nests too deep (corrupt)`);
  const classAndVersion = c.u8();
  const cls = classAndVersion & 0x0f;
  const bits = c.u8() | (c.u8() << 8) | (c.u8() << 16);
  const size = c.u32();
  if (size === 0) fail(c.ctx, `${c.what}: datatype of size 0 (corrupt)`);
  switch (cls) {
    case 0:
      return parseInteger(c, size, bits);
    case 1:
      return parseFloatType(c, size, bits);
    case 3:
      // Padding 0 is null-terminated, 1 null-padded, 2 space-padded; the charset sits in bits 4–7.
      return { kind: 'string', size, utf8: ((bits >> 4) & 0x0f) === 1, spacePadded: (bits & 0x0f) === 2 };
    case 8:
      return { kind: 'enum', size, base: parseDatatype(c, depth + 1) }; // member names/values follow: unused
    case 9:
      return parseVariableLength(c, size, bits, depth);
    default:
      return { kind: 'other', size, description: CLASS_NAMES[cls] ?? `class ${cls}` };
  }
}

function parseInteger(c: Cursor, size: number, bits: number): Datatype {
  c.skip(4); // bit offset and precision: Keras files use whole bytes
  return { kind: 'int', size, signed: (bits & 0x08) !== 0, bigEndian: (bits & 0x01) !== 0 };
}

function parseFloatType(c: Cursor, size: number, bits: number): Datatype {
  c.skip(4); // bit offset and precision
  const exponentLocation = c.u8();
  const exponentSize = c.u8();
  const mantissaLocation = c.u8();
  const mantissaSize = c.u8();
  const exponentBias = c.u32();
  // Bit 6 with bit 0 marks VAX byte order, which no Keras writer produces.
  if (bits & 0x40) return { kind: 'other', size, description: 'VAX-order floating-point' };
  const layout = {
    signLocation: (bits >> 8) & 0xff,
    exponentLocation,
    exponentSize,
    mantissaLocation,
    mantissaSize,
    exponentBias,
    normalization: (bits >> 4) & 0x03,
  };
  return { kind: 'float', size, bigEndian: (bits & 0x01) !== 0, layout };
}

function parseVariableLength(c: Cursor, size: number, bits: number, depth: number): Datatype {
  const isString = (bits & 0x0f) === 1;
  const base = parseDatatype(c, depth + 1); // the base type: bytes for strings, anything for sequences
  if (!isString) return { kind: 'vlen-sequence', size, baseSize: base.size };
  return { kind: 'vlen-string', size, utf8: ((bits >> 8) & 0x0f) === 1 };
}

/** Parse a datatype field that may be a shared reference to a committed datatype. */
export function parseMaybeShared(c: Cursor, shared: boolean): Datatype {
  return parseDatatype(shared ? followShared(c, MSG.datatype) : c);
}

/** The name H5Dataset.dtype reports, matching the h5wasm reader. */
export function dtypeName(dt: Datatype): string {
  switch (dt.kind) {
    case 'int':
      return `${dt.signed ? 'int' : 'uint'}${dt.size * 8}`;
    case 'float':
      return `float${dt.size * 8}`;
    case 'string':
    case 'vlen-string':
      return 'string';
    default:
      return 'other';
  }
}
