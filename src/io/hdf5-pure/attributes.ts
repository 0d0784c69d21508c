import type { H5AttrValue } from '../hdf5.js';
import { cached, cursorAt, fail, required, type Cursor, type H5Context } from './bytes.js';
import { walkBTreeV2 } from './btree-v2.js';
import { parseDataspace, type Dataspace } from './dataspace.js';
import { globalHeapObject } from './global-heap.js';
import { parseMaybeShared, type Datatype } from './datatype.js';
import { heapObject } from './fractal-heap.js';
import { compareNames } from './groups.js';
import { findMessage, MSG, openMessage, type Message, type ObjectHeader } from './object-header.js';
import { numberReader, stringReader } from './values.js';

export interface AttributeEntry {
  readonly name: string;
  readonly message: Message;
}

/** An object's attributes in the order h5wasm lists them: by name unless creation order is indexed. */
export function listAttributes(ctx: H5Context, header: ObjectHeader, what: string): AttributeEntry[] {
  return cached(ctx, `attrs@${header.address}`, () => {
    const messages = [...denseAttributes(ctx, header, what), ...header.messages.filter((m) => m.type === MSG.attribute)];
    const entries = messages.map((message) => ({
      message,
      name: parseAttributeLayout(openMessage(ctx, message, `${what}, attribute`)).name,
    }));
    if (header.attributesInCreationOrder) return entries.sort((a, b) => (a.message.creationOrder ?? 0) - (b.message.creationOrder ?? 0));
    return entries.sort((a, b) => compareNames(a.name, b.name));
  });
}

/**
 * Many or large attributes move to "dense" storage: attribute messages in a fractal heap, indexed
 * by a v2 B-tree whose name records (type 8) hold heap ID (8), message flags (1), creation order
 * (4) and name hash (4). The attribute info message (version, flags, optional max creation index,
 * heap and index addresses) says where.
 */
function denseAttributes(ctx: H5Context, header: ObjectHeader, what: string): Message[] {
  const info = findMessage(header, MSG.attributeInfo);
  if (!info) return [];
  const c = openMessage(ctx, info, `${what}, attribute info`);
  c.skip(1);
  if (c.u8() & 0x01) c.skip(2);
  const heap = c.address();
  if (heap === undefined) return [];
  const messages: Message[] = [];
  walkBTreeV2(ctx, required(c, c.address(), 'attribute name index address'), what, (record) => {
    const [start, size] = heapObject(ctx, heap, record.sub(8));
    messages.push({ type: MSG.attribute, flags: record.u8(), creationOrder: record.u32(), start, size });
  });
  return messages;
}

/** Parsed attribute message up to its data. */
interface AttributeLayout {
  readonly name: string;
  readonly datatypeField: Cursor;
  readonly datatypeShared: boolean;
  readonly dataspaceField: Cursor;
  readonly data: Cursor;
}

/**
 * Attribute message, versions 1–3: version, flags (v2+: bit 0 = shared datatype), sizes of
 * name, datatype and dataspace, (v3: name charset), then the three fields and the data.
 * Version 1 pads each field to a multiple of 8 bytes.
 */
function parseAttributeLayout(c: Cursor): AttributeLayout {
  const version = c.u8();
  if (version < 1 || version > 3) fail(c.ctx, `${c.what}: attribute message version ${version} is not supported`);
  const flags = c.u8();
  const nameSize = c.u16();
  const datatypeSize = c.u16();
  const dataspaceSize = c.u16();
  if (version === 3) c.skip(1);
  const field = (size: number, label: string): Cursor => {
    const sub = c.sub(size, `${c.what} ${label}`);
    if (version === 1) c.skip(Math.min((8 - (size % 8)) % 8, c.remaining()));
    return sub;
  };
  const nameField = field(nameSize, 'name');
  const name = decodeName(nameField.bytes(nameSize));
  const datatypeField = field(datatypeSize, 'datatype');
  const dataspaceField = field(dataspaceSize, 'dataspace');
  return {
    name,
    datatypeField,
    datatypeShared: version > 1 && (flags & 0x01) !== 0,
    dataspaceField,
    data: c.sub(c.remaining(), `${c.what} data`),
  };
}

const utf8 = new TextDecoder('utf-8');

/** The stored name size counts a terminating NUL. */
function decodeName(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/**
 * An attribute's value as h5wasm-reader returns it: one number or string for a scalar, an array
 * otherwise (`[]` when empty, and for a null dataspace).
 */
export function readAttribute(ctx: H5Context, entry: AttributeEntry, what: string): H5AttrValue {
  const { where, datatype, space, data } = attributeData(ctx, entry, what);
  const read = numberReader(ctx, datatype, where) ?? stringReader(ctx, datatype, where);
  if (!read)
    return fail(ctx, `${where}: ${datatype.kind === 'other' ? datatype.description : 'variable-length sequence'} values are not supported`);
  const values = Array.from({ length: space.count }, (_, i) => read(data.pos + i * datatype.size));
  if (space.kind === 'scalar') return values[0];
  return values as number[] | string[];
}

/** An attribute's type, shape and the bytes of its values, checked to fit in its message. */
function attributeData(
  ctx: H5Context,
  entry: AttributeEntry,
  what: string,
): { where: string; datatype: Datatype; space: Dataspace; data: Cursor } {
  const where = `${what}, attribute ${entry.name}`;
  const layout = parseAttributeLayout(openMessage(ctx, entry.message, where));
  const datatype = parseMaybeShared(layout.datatypeField, layout.datatypeShared);
  const space = parseDataspace(layout.dataspaceField);
  const bytes = space.count * datatype.size;
  if (bytes > layout.data.remaining()) {
    fail(
      ctx,
      `${where}: ${space.count} values of ${datatype.size} bytes do not fit in its ${layout.data.remaining()} bytes of data (corrupt)`,
    );
  }
  return { where, datatype, space, data: cursorAt(ctx, layout.data.pos, bytes, where) };
}

/**
 * Check an attribute without decoding its numbers: its fields, that its values fit, and the global
 * heap objects its variable-length values point to. For h5wasm-reader, before the HDF5 library
 * sees the file; types this reader cannot decode pass when they fit.
 */
export function checkAttribute(ctx: H5Context, entry: AttributeEntry, what: string): void {
  const { where, datatype, space, data } = attributeData(ctx, entry, what);
  if (datatype.kind !== 'vlen-string' && datatype.kind !== 'vlen-sequence') return;
  // Each element: length (4), global heap collection address, object index (4). The C library
  // copies the whole heap object into a buffer of the element's length: they must agree exactly.
  const elementSize = datatype.kind === 'vlen-string' ? 1 : datatype.baseSize;
  if (datatype.size < 8 + ctx.offsetSize) fail(ctx, `${where}: variable-length type of size ${datatype.size} (corrupt)`);
  for (let i = 0; i < space.count; i++) {
    const c = cursorAt(ctx, data.pos + i * datatype.size, 8 + ctx.offsetSize, where);
    const length = c.u32();
    const collection = c.address();
    const index = c.u32();
    if (length === 0) continue;
    const object = globalHeapObject(ctx, required(c, collection, 'heap address'), index);
    if (object.length !== length * elementSize) {
      fail(ctx, `${where}: value ${i} of ${length} × ${elementSize} bytes is a heap object of ${object.length} bytes (corrupt)`);
    }
  }
}
