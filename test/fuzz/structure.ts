// Where the structure of a file is, found cheaply and without trusting it: HDF5 block signatures,
// the superblock, v1 object headers and their messages, the 8-byte addresses and lengths inside
// them; zip local and central headers and the end record. Mutations aim there, because random
// bytes in weight data only change numbers. Every scan is bounds-checked and never throws.

/** A field worth overwriting with a huge or odd value: where, how wide, and what it holds. */
export interface Field {
  readonly at: number;
  readonly width: 2 | 4 | 8;
  readonly label: string;
}

export interface FileMap {
  readonly length: number;
  /** Offsets where a structure starts or ends: truncating there cuts a block in two or drops it whole. */
  readonly boundaries: number[];
  /** Length, size, count and address fields. */
  readonly fields: Field[];
  /** Starts of whole blocks, [start, length], for swaps and zeroing. */
  readonly blocks: [number, number][];
}

const HDF5_SIGNATURES = ['TREE', 'SNOD', 'HEAP', 'GCOL', 'OHDR', 'OCHK', 'BTHD', 'BTIN', 'BTLF', 'FRHP', 'FHIB', 'FHDB', 'FAHD', 'FADB'];

const u16 = (b: Uint8Array, at: number): number => (at + 2 <= b.length ? b[at] | (b[at + 1] << 8) : -1);
const u32 = (b: Uint8Array, at: number): number =>
  at + 4 <= b.length ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24 : -1;
/** A little-endian u64 when it fits in a double exactly, else -1 (undefined addresses are all ones). */
function u64(b: Uint8Array, at: number): number {
  if (at + 8 > b.length) return -1;
  const high = u32(b, at + 4);
  return high < 2 ** 21 ? u32(b, at) + high * 2 ** 32 : -1;
}

function occurrences(bytes: Uint8Array, text: string): number[] {
  const found: number[] = [];
  const first = text.charCodeAt(0);
  outer: for (let i = bytes.indexOf(first); i >= 0 && i + text.length <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    for (let j = 1; j < text.length; j++) if (bytes[i + j] !== text.charCodeAt(j)) continue outer;
    found.push(i);
  }
  return found;
}

class Builder {
  readonly boundaries = new Set<number>();
  readonly fields: Field[] = [];
  readonly blocks: [number, number][] = [];
  private readonly fieldAt = new Set<number>();
  constructor(readonly length: number) {}
  boundary(at: number): void {
    if (at >= 0 && at <= this.length) this.boundaries.add(at);
  }
  field(at: number, width: 2 | 4 | 8, label: string): void {
    if (at >= 0 && at + width <= this.length && !this.fieldAt.has(at)) {
      this.fieldAt.add(at);
      this.fields.push({ at, width, label });
    }
  }
  block(at: number, length: number): void {
    if (at >= 0 && length > 0 && at + length <= this.length) {
      this.blocks.push([at, length]);
      this.boundary(at);
      this.boundary(at + length);
    }
  }
  done(): FileMap {
    return { length: this.length, boundaries: [...this.boundaries].sort((a, b) => a - b), fields: this.fields, blocks: this.blocks };
  }
}

// v1 object header message types worth aiming at (HDF5 spec IV.A.2).
const MESSAGE_NAMES: Record<number, string> = {
  1: 'dataspace',
  3: 'datatype',
  8: 'layout',
  12: 'attribute',
  16: 'continuation',
  17: 'symbol table',
  2: 'link info',
  6: 'link',
  21: 'attribute info',
};

/** The structure of an HDF5 file, assuming 8-byte offsets and lengths (every Keras writer's choice). */
export function hdf5Map(bytes: Uint8Array): FileMap {
  const m = new Builder(bytes.length);
  m.boundary(0);
  m.boundary(8);
  const version = bytes[8];
  const objectHeaders = new Set<number>();
  if (version === 0 || version === 1) {
    // Base, free-space, end-of-file and driver addresses, then the root symbol table entry.
    const addresses = version === 0 ? 24 : 28;
    for (let i = 0; i < 6; i++) m.field(addresses + 8 * i, 8, `superblock field ${i}`);
    m.field(13, 2, 'superblock sizes');
    m.boundary(addresses + 56);
    m.boundary(addresses + 96);
    objectHeaders.add(u64(bytes, addresses + 40));
  } else if (version === 2 || version === 3) {
    // Base, extension, end-of-file and root object header addresses, then a checksum.
    for (let i = 0; i < 4; i++) m.field(12 + 8 * i, 8, `superblock address ${i}`);
    m.boundary(48);
    objectHeaders.add(u64(bytes, 36));
  }
  for (const signature of HDF5_SIGNATURES) {
    for (const at of occurrences(bytes, signature)) {
      m.boundary(at);
      m.boundary(at + 4);
      hdf5Block(bytes, m, signature, at, objectHeaders);
    }
  }
  for (const at of objectHeaders) if (at > 0) v1ObjectHeader(bytes, m, at);
  return m.done();
}

function hdf5Block(bytes: Uint8Array, m: Builder, signature: string, at: number, objectHeaders: Set<number>): void {
  switch (signature) {
    case 'TREE': {
      const entries = u16(bytes, at + 6);
      m.field(at + 6, 2, 'B-tree entries used');
      m.field(at + 8, 8, 'B-tree left sibling');
      m.field(at + 16, 8, 'B-tree right sibling');
      const keySize = bytes[at + 4] === 0 ? 8 : 8 + 8 * 4; // group keys; chunk keys assume rank ≤ 3
      for (let i = 0; i < Math.min(entries, 64); i++) {
        const entry = at + 24 + i * (keySize + 8);
        m.field(entry, 8, 'B-tree key');
        m.field(entry + keySize, 8, 'B-tree child address');
      }
      m.block(at, 24 + Math.max(0, entries) * (keySize + 8) + keySize);
      break;
    }
    case 'SNOD': {
      const count = u16(bytes, at + 6);
      m.field(at + 6, 2, 'symbol node entry count');
      for (let i = 0; i < Math.min(count, 256); i++) {
        const entry = at + 8 + 40 * i;
        m.boundary(entry);
        m.field(entry, 8, 'symbol name offset');
        m.field(entry + 8, 8, 'symbol object header address');
        m.field(entry + 16, 4, 'symbol cache type');
        objectHeaders.add(u64(bytes, entry + 8));
      }
      m.block(at, 8 + 40 * Math.max(0, count));
      break;
    }
    case 'HEAP': {
      const size = u64(bytes, at + 8);
      const data = u64(bytes, at + 24);
      m.field(at + 8, 8, 'local heap data size');
      m.field(at + 16, 8, 'local heap free list');
      m.field(at + 24, 8, 'local heap data address');
      m.block(at, 32);
      if (data > 0 && size > 0) m.block(data, size);
      break;
    }
    case 'GCOL': {
      const size = u64(bytes, at + 8);
      m.field(at + 8, 8, 'global heap collection size');
      // Objects: index (2), references (2), reserved (4), size (8), data padded to 8.
      let p = at + 16;
      for (let i = 0; i < 256 && p + 16 <= Math.min(bytes.length, at + Math.max(size, 0)); i++) {
        m.boundary(p);
        m.field(p, 2, 'global heap object index');
        m.field(p + 8, 8, 'global heap object size');
        const objectSize = u64(bytes, p + 8);
        if (objectSize < 0 || u16(bytes, p) === 0) break;
        p += 16 + Math.ceil(objectSize / 8) * 8;
      }
      if (size > 0) m.block(at, size);
      break;
    }
    case 'OHDR': {
      const flags = bytes[at + 5];
      let p = at + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
      const width = 1 << (flags & 0x03);
      if (width === 2 || width === 4 || width === 8) m.field(p, width, 'object header chunk size');
      p += width;
      m.boundary(p);
      break;
    }
    case 'BTHD':
      m.field(at + 6, 4, 'B-tree v2 node size');
      m.field(at + 10, 2, 'B-tree v2 record size');
      m.field(at + 12, 2, 'B-tree v2 depth');
      m.field(at + 16, 8, 'B-tree v2 root');
      m.field(at + 24, 2, 'B-tree v2 root records');
      break;
    case 'FRHP':
      m.field(at + 7, 2, 'fractal heap filter length');
      m.field(at + 10, 4, 'fractal heap max object size');
      m.field(at + 110, 2, 'fractal heap table width');
      m.field(at + 112, 8, 'fractal heap start block size');
      m.field(at + 120, 8, 'fractal heap max direct block size');
      m.field(at + 132, 8, 'fractal heap root block');
      break;
    case 'FAHD':
      m.field(at + 8, 8, 'fixed array entries');
      m.field(at + 16, 8, 'fixed array data block');
      break;
    default:
      break;
  }
}

/** A v1 object header: prefix (16 bytes), then messages of type (2), size (2), flags (1), reserved (3). */
function v1ObjectHeader(bytes: Uint8Array, m: Builder, at: number): void {
  if (bytes[at] !== 1 || at + 16 > bytes.length) return;
  const size = u32(bytes, at + 8);
  m.field(at + 2, 2, 'object header message count');
  m.field(at + 8, 4, 'object header size');
  m.block(at, 16 + size);
  const end = Math.min(bytes.length, at + 16 + size);
  for (let p = at + 16; p + 8 <= end; ) {
    const type = u16(bytes, p);
    const length = u16(bytes, p + 2);
    const name = MESSAGE_NAMES[type] ?? `message ${type}`;
    m.boundary(p);
    m.field(p, 2, `${name} type`);
    m.field(p + 2, 2, `${name} size`);
    const body = p + 8;
    if (type === 1) {
      // Dataspace v1: version, rank, flags, reserved (5), then 8-byte dimensions.
      const rank = bytes[body + 1];
      m.field(body, 2, 'dataspace version and rank');
      for (let d = 0; d < Math.min(rank, 8); d++) m.field(body + 8 + 8 * d, 8, `dataspace dimension ${d}`);
    } else if (type === 3) {
      m.field(body + 4, 4, 'datatype size');
    } else if (type === 8 && bytes[body] === 3 && bytes[body + 1] === 1) {
      m.field(body + 2, 8, 'contiguous data address');
      m.field(body + 10, 8, 'contiguous data size');
    } else if (type === 8 && bytes[body] === 3 && bytes[body + 1] === 0) {
      m.field(body + 2, 2, 'compact data size');
    } else if (type === 12) {
      m.field(body + 2, 2, 'attribute name size');
      m.field(body + 4, 2, 'attribute datatype size');
      m.field(body + 6, 2, 'attribute dataspace size');
    } else if (type === 16) {
      m.field(body, 8, 'continuation address');
      m.field(body + 8, 8, 'continuation length');
      const chunk = u64(bytes, body);
      const chunkLength = u64(bytes, body + 8);
      if (chunk > 0 && chunkLength > 0) m.block(chunk, chunkLength);
    } else if (type === 17) {
      m.field(body, 8, 'symbol table B-tree address');
      m.field(body + 8, 8, 'symbol table local heap address');
    }
    if (length < 0) break;
    p = body + length;
  }
}

/** A zip's local headers, central directory entries and end record, with their size and offset fields. */
export function zipMap(bytes: Uint8Array): FileMap {
  const m = new Builder(bytes.length);
  for (const at of occurrences(bytes, 'PK\x03\x04')) {
    const nameLength = u16(bytes, at + 26);
    const extraLength = u16(bytes, at + 28);
    const compressed = u32(bytes, at + 18);
    m.field(at + 8, 2, 'local compression method');
    m.field(at + 14, 4, 'local crc');
    m.field(at + 18, 4, 'local compressed size');
    m.field(at + 22, 4, 'local uncompressed size');
    m.field(at + 26, 2, 'local name length');
    m.field(at + 28, 2, 'local extra length');
    const data = at + 30 + nameLength + extraLength;
    m.boundary(at + 30);
    m.block(at, 30 + nameLength + extraLength);
    if (compressed > 0) m.block(data, compressed);
  }
  for (const at of occurrences(bytes, 'PK\x01\x02')) {
    m.field(at + 10, 2, 'central compression method');
    m.field(at + 20, 4, 'central compressed size');
    m.field(at + 24, 4, 'central uncompressed size');
    m.field(at + 28, 2, 'central name length');
    m.field(at + 30, 2, 'central extra length');
    m.field(at + 32, 2, 'central comment length');
    m.field(at + 42, 4, 'central local header offset');
    m.block(at, 46 + Math.max(0, u16(bytes, at + 28)) + Math.max(0, u16(bytes, at + 30)) + Math.max(0, u16(bytes, at + 32)));
  }
  for (const at of occurrences(bytes, 'PK\x05\x06')) {
    m.field(at + 8, 2, 'end record entries on disk');
    m.field(at + 10, 2, 'end record entries');
    m.field(at + 12, 4, 'end record directory size');
    m.field(at + 16, 4, 'end record directory offset');
    m.field(at + 20, 2, 'end record comment length');
    m.block(at, 22);
  }
  return m.done();
}

/** The map of a seed by its magic bytes; other files (JSON) only get their ends. */
export function mapOf(bytes: Uint8Array): FileMap {
  if (bytes[0] === 0x89 && bytes[1] === 0x48) return hdf5Map(bytes);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return zipMap(bytes);
  const m = new Builder(bytes.length);
  m.boundary(0);
  m.boundary(bytes.length);
  return m.done();
}
