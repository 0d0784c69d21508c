import { nodeOf, type Graph, type GraphNode } from './graph.js';

/** One node's backward step: from the signal at its output to a signal per input. */
export type BackwardStep = (node: GraphNode, index: number, xs: Float32Array[], y: Float32Array, upstream: Float32Array) => Float32Array[];

/** Replaces the complete signal at a tensor before it travels further down (concept conditioning). */
export type SignalFilter = (id: number, signal: Float32Array) => Float32Array;

/**
 * Walk the graph backwards from tensor `from` (seeded with `seed`), summing what several readers of
 * one tensor send back. Returns the signal at every tensor reached (index = tensor id); `sent`, when
 * given, receives what each node sent to each of its inputs (before summing with other readers);
 * `filter`, when given, may replace each tensor's signal once all its readers have sent theirs.
 */
export function propagateBackward(
  graph: Graph,
  values: Float32Array[],
  from: number,
  seed: Float32Array,
  step: BackwardStep,
  sent?: Float32Array[][],
  filter?: SignalFilter,
): (Float32Array | undefined)[] {
  const signals: (Float32Array | undefined)[] = new Array(values.length);
  const owned = new Set<number>();
  signals[from] = seed;
  for (let id = from; id >= 1; id--) {
    const arrived = signals[id];
    if (!arrived) continue;
    const upstream = filter ? filter(id, arrived) : arrived;
    signals[id] = upstream;
    const node = nodeOf(graph, id);
    const parts = step(
      node,
      id - 1,
      node.inputs.map((i) => values[i]),
      values[id],
      upstream,
    );
    if (sent) sent[id - 1] = parts;
    node.inputs.forEach((input, k) => {
      const existing = signals[input];
      if (!existing) {
        signals[input] = parts[k];
        return;
      }
      // Steps may return their upstream array itself (identities): never add into a shared array.
      const sum = owned.has(input) ? existing : existing.slice();
      for (let i = 0; i < sum.length; i++) sum[i] += parts[k][i];
      signals[input] = sum;
      owned.add(input);
    });
  }
  return signals;
}
