import { sizeOf, type Tensor } from '../tensor.js';
import type { Graph } from './graph.js';

/** Activations of one chunk stay below this many bytes unless `batchSize` says otherwise. */
export const CHUNK_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * How many samples to run at once: every tensor of the forward pass is kept for the backward pass,
 * and the backward pass holds about as much again, so a batch larger than this is run in chunks.
 */
export function chunkRows(graph: Graph, batchSize: number | undefined): number {
  if (batchSize !== undefined) return batchSize;
  const perSample = 2 * 4 * graph.nodes.reduce((sum, node) => sum + sizeOf(node.outShape), 0);
  return Math.max(1, Math.floor(CHUNK_BUDGET_BYTES / perSample));
}

/** Rows `from`..`to` of a batch-first array of `n` rows. */
export const rowsOf = <T extends { subarray(a: number, b: number): T; length: number }>(data: T, n: number, from: number, to: number): T =>
  data.subarray((data.length / n) * from, (data.length / n) * to);

/** Concatenate batch-first tensors along the batch axis. */
export function concatRows(parts: Tensor[]): Tensor {
  const data = new Float32Array(parts.reduce((sum, p) => sum + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [parts.reduce((sum, p) => sum + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}
