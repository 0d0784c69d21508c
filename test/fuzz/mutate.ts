// Mutation operators for model files, as plain data (so a failing case prints, replays and shrinks),
// and fast-check arbitraries that aim them at the structure a FileMap found.
import fc from 'fast-check';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { uniformGenerator } from '../../src/attribution/random.js';
import type { FileMap } from './structure.js';

export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'zero'; readonly at: number; readonly length: number }
  | { readonly op: 'random'; readonly at: number; readonly length: number; readonly seed: number }
  | { readonly op: 'swap'; readonly a: number; readonly b: number; readonly length: number }
  /** Overwrite a little-endian field with a large or odd value (hex string, so that 2^64 − 1 fits). */
  | { readonly op: 'inflate'; readonly at: number; readonly width: 2 | 4 | 8; readonly value: string; readonly label?: string }
  | { readonly op: 'insert'; readonly at: number; readonly length: number; readonly seed: number }
  | { readonly op: 'delete'; readonly at: number; readonly length: number };

/** Deterministic bytes from a seed. */
function randomBytes(length: number, seed: number): Uint8Array {
  const next = uniformGenerator(seed);
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

/** Apply mutations in order to a copy; positions past the (possibly shrunk) end are clipped. */
export function applyMutations(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = input.slice();
  for (const m of mutations) {
    const n = bytes.length;
    const clip = (at: number): number => Math.max(0, Math.min(n, at));
    switch (m.op) {
      case 'flip':
        if (m.at < n) bytes[m.at] ^= 1 << (m.bit & 7);
        break;
      case 'truncate':
        bytes = bytes.slice(0, clip(m.at));
        break;
      case 'zero':
        bytes.fill(0, clip(m.at), clip(m.at + m.length));
        break;
      case 'random':
        if (m.at < n) bytes.set(randomBytes(clip(m.at + m.length) - m.at, m.seed), m.at);
        break;
      case 'swap': {
        const length = Math.min(m.length, n - Math.max(m.a, m.b));
        if (length <= 0 || m.a === m.b) break;
        const a = bytes.slice(m.a, m.a + length);
        bytes.copyWithin(m.a, m.b, m.b + length);
        bytes.set(a, m.b);
        break;
      }
      case 'inflate': {
        let value = BigInt(m.value);
        for (let i = 0; i < m.width && m.at + i < n; i++, value >>= 8n) bytes[m.at + i] = Number(value & 0xffn);
        break;
      }
      case 'insert': {
        const at = clip(m.at);
        const grown = new Uint8Array(n + m.length);
        grown.set(bytes.subarray(0, at));
        grown.set(randomBytes(m.length, m.seed), at);
        grown.set(bytes.subarray(at), at + m.length);
        bytes = grown;
        break;
      }
      case 'delete':
        bytes = Uint8Array.from([...bytes.subarray(0, clip(m.at)), ...bytes.subarray(clip(m.at + m.length))]);
        break;
    }
  }
  return bytes;
}

export function describeMutation(m: Mutation): string {
  const at = (x: number): string => `0x${x.toString(16)}`;
  switch (m.op) {
    case 'flip':
      return `flip bit ${m.bit} at ${at(m.at)}`;
    case 'truncate':
      return `truncate at ${at(m.at)}`;
    case 'zero':
      return `zero ${m.length} bytes at ${at(m.at)}`;
    case 'random':
      return `randomise ${m.length} bytes at ${at(m.at)} (seed ${m.seed})`;
    case 'swap':
      return `swap ${m.length} bytes at ${at(m.a)} and ${at(m.b)}`;
    case 'inflate':
      return `set ${m.width}-byte field at ${at(m.at)}${m.label ? ` (${m.label})` : ''} to ${m.value}`;
    case 'insert':
      return `insert ${m.length} random bytes at ${at(m.at)} (seed ${m.seed})`;
    case 'delete':
      return `delete ${m.length} bytes at ${at(m.at)}`;
  }
}

/** Values a length, count, size or address field should never be trusted with. */
const HOSTILE: Record<2 | 4 | 8, string[]> = {
  2: ['0x0', '0x1', '0xffff', '0x7fff', '0x8000', '0x100'],
  4: ['0x0', '0x1', '0xffffffff', '0x7fffffff', '0x80000000', '0x10000000', '0x1000000'],
  8: [
    '0x0',
    '0x1',
    '0xffffffffffffffff',
    '0xfffffffffffffffe',
    '0x7fffffffffffffff',
    '0x4000000000000000',
    '0x20000000000000',
    '0x100000000',
    '0x10000000',
    '0x1000000',
  ],
};

/** A position: mostly at or near the structure, sometimes anywhere. */
function positionArb(map: FileMap): fc.Arbitrary<number> {
  const last = Math.max(0, map.length - 1);
  const anywhere = fc.integer({ min: 0, max: last });
  const targets = [...map.boundaries.filter((b) => b < map.length), ...map.fields.map((f) => f.at)];
  if (targets.length === 0) return anywhere;
  const near = fc.tuple(fc.constantFrom(...targets), fc.integer({ min: -16, max: 48 })).map(([t, d]) => Math.max(0, Math.min(last, t + d)));
  return fc.oneof(
    { arbitrary: near, weight: 4 },
    { arbitrary: fc.constantFrom(...targets), weight: 3 },
    { arbitrary: anywhere, weight: 1 },
  );
}

const lengthArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 16 }), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 512 }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 1 << 16 }), weight: 1 },
);

/** One mutation aimed by the map. */
export function mutationArb(map: FileMap): fc.Arbitrary<Mutation> {
  const at = positionArb(map);
  const seed = fc.integer({ min: 0, max: 0x7fffffff });
  const truncateAt = map.boundaries.length
    ? fc.oneof(
        { arbitrary: fc.constantFrom(...map.boundaries), weight: 3 },
        { arbitrary: fc.integer({ min: 0, max: map.length }), weight: 1 },
      )
    : fc.integer({ min: 0, max: map.length });
  const inflate = map.fields.length
    ? fc
        .constantFrom(...map.fields)
        .chain((f) =>
          fc
            .constantFrom(...HOSTILE[f.width])
            .map((value): Mutation => ({ op: 'inflate', at: f.at, width: f.width, value, label: f.label })),
        )
    : fc.tuple(at, fc.constantFrom(...HOSTILE[8])).map(([p, value]): Mutation => ({ op: 'inflate', at: p, width: 8, value }));
  const block = map.blocks.length ? fc.constantFrom(...map.blocks) : fc.tuple(at, lengthArb);
  return fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }), weight: 5 },
    { arbitrary: truncateAt.map((p): Mutation => ({ op: 'truncate', at: p })), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('zero' as const), at, length: lengthArb }), weight: 2 },
    { arbitrary: block.map(([p, length]): Mutation => ({ op: 'zero', at: p, length })), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('random' as const), at, length: lengthArb, seed }), weight: 2 },
    {
      arbitrary: fc.tuple(block, block).map(([[a, la], [b, lb]]): Mutation => ({ op: 'swap', a, b, length: Math.min(la, lb) })),
      weight: 1,
    },
    { arbitrary: fc.record({ op: fc.constant('swap' as const), a: at, b: at, length: lengthArb }), weight: 1 },
    { arbitrary: inflate, weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('insert' as const), at, length: fc.integer({ min: 1, max: 64 }), seed }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }), weight: 1 },
  );
}

/** One to four mutations; shrinking drops them one by one. */
export const mutationsArb = (map: FileMap): fc.Arbitrary<Mutation[]> => fc.array(mutationArb(map), { minLength: 1, maxLength: 4 });

// --- .keras members ----------------------------------------------------------------------------

export const KERAS_MEMBERS = ['model.weights.h5', 'config.json'] as const;
export type KerasMember = (typeof KERAS_MEMBERS)[number];

/** The zip with one member replaced (stored, as Keras 3 stores it), the others kept as they were. */
export function replaceMember(zip: Uint8Array, member: string, bytes: Uint8Array): Uint8Array {
  const files = unzipSync(zip);
  const out: Zippable = {};
  for (const [name, data] of Object.entries(files)) out[name] = [name === member ? bytes : data, { level: 0 }];
  return zipSync(out);
}

export const memberOf = (zip: Uint8Array, member: string): Uint8Array => unzipSync(zip, { filter: (f) => f.name === member })[member];
export { strFromU8, strToU8 };
