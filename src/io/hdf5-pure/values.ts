import { cursorAt, fail, required, type H5Context } from './bytes.js';
import type { Datatype, FloatLayout } from './datatype.js';
import { globalHeapObject } from './global-heap.js';

/** Reads one element at a position in a DataView (by default the file's); the caller checked the range. */
export type ElementReader<T> = (pos: number) => T;

const IEEE32: FloatLayout = {
  signLocation: 31,
  exponentLocation: 23,
  exponentSize: 8,
  mantissaLocation: 0,
  mantissaSize: 23,
  exponentBias: 127,
  normalization: 2,
};
const IEEE64: FloatLayout = {
  signLocation: 63,
  exponentLocation: 52,
  exponentSize: 11,
  mantissaLocation: 0,
  mantissaSize: 52,
  exponentBias: 1023,
  normalization: 2,
};

const sameLayout = (a: FloatLayout, b: FloatLayout): boolean => (Object.keys(a) as (keyof FloatLayout)[]).every((k) => a[k] === b[k]);

/** A reader of numeric elements, or undefined when the type is not numeric. */
export function numberReader(ctx: H5Context, dt: Datatype, what: string, view = ctx.view): ElementReader<number> | undefined {
  if (dt.kind === 'enum') return numberReader(ctx, dt.base, what, view);
  if (dt.kind === 'int') {
    const le = !dt.bigEndian;
    switch (dt.size) {
      case 1:
        return dt.signed ? (p) => view.getInt8(p) : (p) => view.getUint8(p);
      case 2:
        return dt.signed ? (p) => view.getInt16(p, le) : (p) => view.getUint16(p, le);
      case 4:
        return dt.signed ? (p) => view.getInt32(p, le) : (p) => view.getUint32(p, le);
      case 8:
        // Through BigInt, so values round exactly as h5wasm's BigInt64Array → Number does.
        return dt.signed ? (p) => Number(view.getBigInt64(p, le)) : (p) => Number(view.getBigUint64(p, le));
      default:
        return fail(ctx, `${what}: ${dt.size}-byte integers are not supported`);
    }
  }
  if (dt.kind === 'float') return floatReader(ctx, view, dt.size, dt.bigEndian, dt.layout, what);
  return undefined;
}

/** The common case (all Keras weights), which can be copied straight into a Float32Array. */
export const isLittleEndianFloat32 = (dt: Datatype): boolean =>
  dt.kind === 'float' && dt.size === 4 && !dt.bigEndian && sameLayout(dt.layout, IEEE32);

function floatReader(
  ctx: H5Context,
  view: DataView,
  size: number,
  bigEndian: boolean,
  layout: FloatLayout,
  what: string,
): ElementReader<number> {
  const le = !bigEndian;
  if (size === 4 && sameLayout(layout, IEEE32)) return (p) => view.getFloat32(p, le);
  if (size === 8 && sameLayout(layout, IEEE64)) return (p) => view.getFloat64(p, le);
  // float16, bfloat16 and other small formats: decode the bit fields the datatype describes.
  if (size > 4 || layout.normalization !== 2 || layout.exponentSize > 30 || layout.mantissaSize > 31) {
    return fail(ctx, `${what}: ${size}-byte floating-point format is not supported`);
  }
  return (p) => decodeSmallFloat(readUnsigned(view, p, size, le), layout);
}

function readUnsigned(view: DataView, pos: number, size: number, le: boolean): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + view.getUint8(pos + (le ? size - 1 - i : i));
  return value;
}

function decodeSmallFloat(raw: number, f: FloatLayout): number {
  const field = (location: number, size: number): number => Math.floor(raw / 2 ** location) % 2 ** size;
  const sign = field(f.signLocation, 1) ? -1 : 1;
  const exponent = field(f.exponentLocation, f.exponentSize);
  const fraction = field(f.mantissaLocation, f.mantissaSize) / 2 ** f.mantissaSize;
  if (exponent === 2 ** f.exponentSize - 1) return fraction ? NaN : sign * Infinity;
  if (exponent === 0) return sign * fraction * 2 ** (1 - f.exponentBias); // subnormal
  return sign * (1 + fraction) * 2 ** (exponent - f.exponentBias);
}

const utf8Decoder = new TextDecoder('utf-8');
// h5wasm decodes fixed-length ASCII strings with TextDecoder('ascii') (which is windows-1252).
const asciiDecoder = new TextDecoder('ascii');

/** A reader of string elements, or undefined when the type is not a string. */
export function stringReader(ctx: H5Context, dt: Datatype, what: string): ElementReader<string> | undefined {
  if (dt.kind === 'string') {
    const decoder = dt.utf8 ? utf8Decoder : asciiDecoder;
    return (p) => decoder.decode(trimFixed(ctx.bytes.subarray(p, p + dt.size), dt.spacePadded));
  }
  if (dt.kind === 'vlen-string') {
    if (dt.size < 8 + ctx.offsetSize) fail(ctx, `${what}: variable-length string type of size ${dt.size} (corrupt)`);
    // Elements could all name one big heap object; real strings are distinct and fit in the file.
    let budget = ctx.bytes.length;
    return (p) => {
      const text = readVlenString(ctx, p, what);
      budget -= text.length;
      if (budget < 0) fail(ctx, `${what}: its strings add up to more bytes than the file holds (corrupt)`);
      return dt.utf8 ? utf8Decoder.decode(text) : latin1(text);
    };
  }
  return undefined;
}

/** Fixed-length strings end at the first NUL; space-padded ones also lose trailing spaces. */
function trimFixed(bytes: Uint8Array, spacePadded: boolean): Uint8Array {
  const nul = bytes.indexOf(0);
  let end = nul < 0 ? bytes.length : nul;
  if (spacePadded) while (end > 0 && bytes[end - 1] === 0x20) end--;
  return bytes.subarray(0, end);
}

/** A vlen string element's bytes: byte length (4), global heap collection address, object index (4). */
function readVlenString(ctx: H5Context, pos: number, what: string): Uint8Array {
  const c = cursorAt(ctx, pos, 8 + ctx.offsetSize, what);
  const length = c.u32();
  const collection = c.address();
  const index = c.u32();
  if (length === 0) return new Uint8Array(0);
  const object = globalHeapObject(ctx, required(c, collection, 'string heap address'), index);
  if (object.length < length) fail(ctx, `${what}: string of ${length} bytes in a heap object of ${object.length} (corrupt)`);
  // The HDF5 library hands out C strings, so h5wasm's strings end at the first NUL too.
  const bytes = object.subarray(0, length);
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** h5wasm turns ASCII vlen strings into one char per byte (Emscripten's AsciiToString). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}
