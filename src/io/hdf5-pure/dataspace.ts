import { fail, type Cursor, type H5Context } from './bytes.js';

export interface Dataspace {
  /** `null` dataspaces hold no elements at all (not even a scalar one). */
  readonly kind: 'scalar' | 'simple' | 'null';
  readonly shape: number[];
  /** Number of elements: 1 for scalar, 0 for null, else the product of the shape. */
  readonly count: number;
  /** Maximum dimensions (Infinity when unlimited); the shape when the file gives none. */
  readonly maxShape: number[];
}

// HDF5 allows 32 dimensions.
const MAX_RANK = 32;

/** Parse a dataspace message (versions 1 and 2) at the cursor. */
export function parseDataspace(c: Cursor): Dataspace {
  const version = c.u8();
  const rank = c.u8();
  const flags = c.u8();
  if (rank > MAX_RANK) fail(c.ctx, `${c.what}: dataspace of rank ${rank} (corrupt)`);
  let kind: Dataspace['kind'];
  if (version === 1) {
    c.skip(5); // reserved
    kind = rank === 0 ? 'scalar' : 'simple';
  } else if (version === 2) {
    const type = c.u8();
    if (type > 2) fail(c.ctx, `${c.what}: dataspace type ${type} is unknown (corrupt)`);
    kind = (['scalar', 'simple', 'null'] as const)[type];
  } else {
    return fail(c.ctx, `${c.what}: dataspace version ${version} is not supported`);
  }
  const dims = kind === 'simple' ? rank : 0;
  const shape = Array.from({ length: dims }, () => c.length());
  // Flag bit 0: maximum dimensions follow (chunk indexes need them). A permutation may follow: unused.
  const maxShape = flags & 0x01 ? Array.from({ length: dims }, () => maxDimension(c)) : shape;
  return { kind, shape, count: kind === 'null' ? 0 : elementCount(c.ctx, c.what, shape), maxShape };
}

/** A maximum dimension; all ones means unlimited. */
function maxDimension(c: Cursor): number {
  const bytes = c.bytes(c.ctx.lengthSize);
  if (bytes.every((b) => b === 0xff)) return Infinity;
  c.pos -= c.ctx.lengthSize;
  return c.length();
}

/** The product of the dimensions, refusing products that no longer fit exactly in a double. */
export function elementCount(ctx: H5Context, what: string, shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (!Number.isSafeInteger(count)) fail(ctx, `${what}: shape [${shape.join(', ')}] has too many elements (corrupt)`);
  }
  return count;
}
