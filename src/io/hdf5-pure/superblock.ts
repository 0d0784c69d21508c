import { cursorAt, fail, required, type Cursor, type H5Context } from './bytes.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

/**
 * Find and parse the superblock; sets the context's address and length widths and returns the
 * root group's object header address.
 */
export function readSuperblock(ctx: H5Context): number {
  const start = findSignature(ctx);
  const c = cursorAt(ctx, start, Math.min(ctx.bytes.length - start, 256), 'superblock');
  c.skip(8);
  const version = c.u8();
  if (version === 0 || version === 1) return readV0V1(c, start, version);
  if (version === 2 || version === 3) return readV2V3(c, start);
  return fail(ctx, `superblock version ${version} is not supported`);
}

/** The signature sits at 0 or, after a user block, at 512, 1024, 2048, … */
function findSignature(ctx: H5Context): number {
  for (let at = 0; at + SIGNATURE.length <= ctx.bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => ctx.bytes[at + i] === b)) return at;
  }
  return fail(ctx, 'not an HDF5 file (no HDF5 signature found)');
}

function setSizes(c: Cursor, offsetSize: number, lengthSize: number): void {
  // Widths other than these would make every later field meaningless; 8 is what h5py writes.
  for (const [name, size] of [
    ['offsets', offsetSize],
    ['lengths', lengthSize],
  ] as const) {
    if (![2, 4, 8].includes(size)) fail(c.ctx, `superblock: size of ${name} ${size} is invalid (corrupt)`);
  }
  c.ctx.offsetSize = offsetSize;
  c.ctx.lengthSize = lengthSize;
}

function readV0V1(c: Cursor, start: number, version: number): number {
  c.skip(4); // free-space, root symbol table entry and shared-header versions, reserved
  setSizes(c, c.u8(), c.u8());
  c.skip(1 + 2 + 2 + 4); // reserved, group leaf/internal node K, consistency flags
  if (version === 1) c.skip(4); // indexed storage internal node K, reserved
  c.address(); // base address: see setBase
  c.address(); // free-space info
  c.address(); // end of file
  c.address(); // driver info block
  // Root group symbol table entry: link name offset, then the object header address.
  c.skip(c.ctx.lengthSize);
  return setBase(c, start, required(c, c.address(), 'root object header address'));
}

function readV2V3(c: Cursor, start: number): number {
  setSizes(c, c.u8(), c.u8());
  c.skip(1); // consistency flags
  c.address(); // base address: see setBase
  c.address(); // superblock extension (holds nothing a reader of Keras files needs)
  c.address(); // end of file
  return setBase(c, start, required(c, c.address(), 'root object header address'));
}

/**
 * Addresses count from the superblock. The stored base address could say otherwise, but the HDF5
 * library itself trusts where it found the superblock (it only differs after a user block is added).
 */
function setBase(c: Cursor, start: number, root: number): number {
  c.ctx.base = start;
  return root + start;
}
