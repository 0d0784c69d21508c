import { cursorAt, fail, hex, type Cursor, type H5Context } from './bytes.js';
import { readChunkedBytes, type ChunkedLayout, parseChunkedV3, parseChunkedV4, visitChunks } from './chunks.js';
import { parseDataspace, type Dataspace } from './dataspace.js';
import { dtypeName, parseDatatype, type Datatype } from './datatype.js';
import { findMessage, MSG, openMessage, type Message, type ObjectHeader } from './object-header.js';
import { isLittleEndianFloat32, numberReader } from './values.js';

export interface DatasetInfo {
  readonly header: ObjectHeader;
  readonly space: Dataspace;
  readonly datatype: Datatype;
  /** The path, for messages. */
  readonly what: string;
}

type Layout =
  | { readonly kind: 'compact'; readonly start: number; readonly size: number }
  /** An undefined address means storage was never allocated: every value is the fill value. */
  | { readonly kind: 'contiguous'; readonly address: number | undefined; readonly size: number }
  | ChunkedLayout;

export const isDataset = (header: ObjectHeader): boolean => findMessage(header, MSG.layout) !== undefined;

/** Shape and type of a dataset; refuses sizes no file of this length could hold. */
export function readDatasetInfo(ctx: H5Context, header: ObjectHeader, path: string): DatasetInfo {
  const what = `dataset ${path}`;
  const space = parseDataspace(openMessage(ctx, requireMessage(ctx, header, MSG.dataspace, what), `${what} dataspace`));
  const datatype = parseDatatype(openMessage(ctx, requireMessage(ctx, header, MSG.datatype, what), `${what} datatype`));
  if (space.count * datatype.size > ctx.bytes.length) {
    fail(ctx, `${what}: ${space.count} values of ${datatype.size} bytes cannot fit in a file of ${ctx.bytes.length} bytes (corrupt)`);
  }
  return { header, space, datatype, what };
}

function requireMessage(ctx: H5Context, header: ObjectHeader, type: number, what: string): Message {
  const message = findMessage(header, type);
  if (!message) fail(ctx, `${what}: object header at ${hex(header.address)} has no message of type ${type} (corrupt)`);
  return message;
}

/** The values converted to float32, the way h5wasm-reader's readFloat32 does. */
export function readFloat32(ctx: H5Context, info: DatasetInfo): Float32Array {
  const { datatype, space, what } = info;
  // Enums count as `other` here, as in h5wasm-reader (attributes do read them as numbers).
  if (datatype.kind !== 'int' && datatype.kind !== 'float') fail(ctx, `${what} holds ${dtypeName(datatype)} values, expected numbers`);
  const raw = readRawBytes(ctx, info);
  if (isLittleEndianFloat32(datatype)) {
    // `slice` copies into a fresh, aligned buffer: file offsets need not be multiples of 4.
    return new Float32Array(raw.slice().buffer, 0, space.count);
  }
  const read = numberReader(ctx, datatype, what, new DataView(raw.buffer, raw.byteOffset, raw.byteLength));
  if (!read) return fail(ctx, `${what} holds ${dtypeName(datatype)} values, expected numbers`);
  const out = new Float32Array(space.count);
  for (let i = 0; i < out.length; i++) out[i] = read(i * datatype.size);
  return out;
}

/** The dataset's bytes in file byte order, exactly `count × size` of them. */
function readRawBytes(ctx: H5Context, info: DatasetInfo): Uint8Array {
  const { header, what } = info;
  checkPlainStorage(ctx, header, what);
  const size = info.space.count * info.datatype.size;
  const layout = parseLayout(openMessage(ctx, requireMessage(ctx, header, MSG.layout, what), `${what} layout`), info);
  if (layout.kind === 'chunked') return readChunkedBytes(ctx, layout, info.space, info.datatype.size, what);
  if (layout.size < size) fail(ctx, `${what}: ${layout.size} bytes of storage for ${size} bytes of values (corrupt)`);
  const start = layout.kind === 'compact' ? layout.start : layout.address;
  if (start === undefined) return new Uint8Array(size);
  return cursorAt(ctx, start, size, `${what} data`).bytes(size);
}

/**
 * Check where a dataset's values are stored without reading them: the layout, every chunk of the
 * chunk index, and that all of it lies in the file. Filtered (compressed) datasets pass: only
 * their stored bytes are checked, not what they inflate to. For h5wasm-reader, before the HDF5
 * library sees the file.
 */
export function checkStorage(ctx: H5Context, info: DatasetInfo): void {
  const { header, what } = info;
  if (findMessage(header, MSG.externalFiles)) fail(ctx, `${what}: data in external files is not supported`);
  const filters = findMessage(header, MSG.filters);
  if (filters) checkFilterPipeline(openMessage(ctx, filters, `${what} filter pipeline`));
  const size = info.space.count * info.datatype.size;
  const layout = parseLayout(openMessage(ctx, requireMessage(ctx, header, MSG.layout, what), `${what} layout`), info);
  if (layout.kind === 'chunked') {
    visitChunks(ctx, layout, info.space, info.datatype.size, what, (_origin, address, stored) => {
      if (address !== undefined) cursorAt(ctx, address, stored, `${what} chunk`);
    });
    return;
  }
  if (layout.size < size) fail(ctx, `${what}: ${layout.size} bytes of storage for ${size} bytes of values (corrupt)`);
  if (layout.kind === 'contiguous' && layout.address !== undefined) cursorAt(ctx, layout.address, size, `${what} data`);
}

/**
 * Filter pipeline message, versions 1 and 2: count, then per filter its id, (name length), flags,
 * number of client values, (name, padded to 8 in v1), values (4 bytes each, v1 pads to 8 bytes).
 */
function checkFilterPipeline(c: Cursor): void {
  const version = c.u8();
  const count = c.u8();
  if ((version !== 1 && version !== 2) || count > 32) fail(c.ctx, `${c.what}: version ${version} with ${count} filters (corrupt)`);
  if (version === 1) c.skip(6);
  for (let i = 0; i < count; i++) {
    const id = c.u16();
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0;
    c.skip(2); // flags
    const values = c.u16();
    c.skip(version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength);
    c.skip(4 * values + (version === 1 && values % 2 ? 4 : 0));
  }
}

/** Compression and other filters, and data in external files, are out of scope for Keras files. */
function checkPlainStorage(ctx: H5Context, header: ObjectHeader, what: string): void {
  const filters = findMessage(header, MSG.filters);
  if (filters) {
    const c = openMessage(ctx, filters, `${what} filter pipeline`);
    c.skip(1); // version
    const count = c.u8();
    if (count > 0) fail(ctx, `${what}: filtered (e.g. compressed) datasets are not supported`);
  }
  if (findMessage(header, MSG.externalFiles)) fail(ctx, `${what}: data in external files is not supported`);
}

/** Data layout message: versions 1–2 (old files) and 3–4 (HDF5 1.6 and later). */
function parseLayout(c: Cursor, info: DatasetInfo): Layout {
  const version = c.u8();
  if (version === 1 || version === 2) return parseLayoutV1V2(c, info, version);
  if (version !== 3 && version !== 4) return fail(c.ctx, `${c.what}: version ${version} is not supported`);
  const layoutClass = c.u8();
  switch (layoutClass) {
    case 0: {
      const size = c.u16();
      return { kind: 'compact', start: c.sub(size).pos, size };
    }
    case 1:
      return { kind: 'contiguous', address: c.address(), size: c.length() };
    case 2:
      return version === 3 ? parseChunkedV3(c, info.space) : parseChunkedV4(c, info.space);
    default:
      return fail(c.ctx, `${c.what}: layout class ${layoutClass} (e.g. virtual) is not supported`);
  }
}

/** Versions 1–2 give no byte size: it follows from the dataspace and datatype. */
function parseLayoutV1V2(c: Cursor, info: DatasetInfo, version: number): Layout {
  const rank = c.u8();
  const layoutClass = c.u8();
  c.skip(5);
  const size = info.space.count * info.datatype.size;
  if (layoutClass === 1) {
    const address = c.address();
    c.skip(rank * 4);
    return { kind: 'contiguous', address, size };
  }
  if (layoutClass === 0) {
    c.skip(rank * 4);
    const compactSize = c.u32();
    return { kind: 'compact', start: c.sub(compactSize).pos, size: compactSize };
  }
  return fail(c.ctx, `${c.what}: chunked storage in a version ${version} layout message is not supported`);
}
