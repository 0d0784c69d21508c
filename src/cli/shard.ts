import { basename } from 'node:path';
import { usageError } from './flags.js';

/**
 * A stable split of input files over n machines: file f belongs to shard hash(basename(f)) mod n.
 * A file's shard depends on its own name only, not on the order or number of the other inputs, so
 * every machine can be given the same list (or a glob that grows) and the shards stay disjoint and
 * cover the list. Files with the same name fall in the same shard, where their heatmaps are told
 * apart (x.png, x-2.png) as in one run.
 */

export interface Shard {
  /** 0-based: 0 … count − 1 (as Kubernetes' JOB_COMPLETION_INDEX and AWS Batch's array index). */
  index: number;
  count: number;
}

/** "i/n" with 0 ≤ i < n. */
export function parseShard(value: unknown): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(value));
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw usageError(`--shard must be i/n with 0 ≤ i < n (e.g. 0/4), got '${String(value)}'`);
  return { index, count };
}

/** FNV-1a (32 bits) of the UTF-16 code units: small, fast and the same everywhere. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The shard a file belongs to among `count`. */
export const shardOf = (path: string, count: number): number => fnv1a(basename(path)) % count;

/** The files of `paths` in `shard`, in their given order. */
export const inShard = (paths: readonly string[], shard: Shard): string[] => paths.filter((p) => shardOf(p, shard.count) === shard.index);
