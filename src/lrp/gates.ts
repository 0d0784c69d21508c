import type { Graph, GraphNode } from '../model/graph.js';

/** Layers a gate is recognised through (they only move values around). */
const RE_INDEXING = new Set(['Reshape', 'Permute', 'RepeatVector', 'Flatten']);
const GATE_ACTIVATIONS = new Set(['sigmoid', 'hard_sigmoid']);

const producer = (graph: Graph, id: number): GraphNode | undefined => graph.nodes[id - 1];

/**
 * Whether tensor `id` is a gate of a Multiply (CONVENTIONS.md, gate-signal rule): the layer producing
 * it ends in sigmoid, hard_sigmoid or softmax, looking through re-indexing layers in between.
 */
export function isGate(graph: Graph, id: number): boolean {
  for (let node = producer(graph, id); node; node = producer(graph, node.inputs[0])) {
    const op = node.op;
    if (op.kind === 'softmax') return !op.log;
    if (op.kind === 'activation') return GATE_ACTIVATIONS.has(op.act.name);
    if (!RE_INDEXING.has(node.className) || (op.kind !== 'identity' && op.kind !== 'gather')) return false;
  }
  return false;
}

/**
 * The share of a Multiply's relevance each input receives: gates get 0 and the signals split it
 * equally; when every input is a gate, or none is, all split it equally (AttnLRP's uniform rule).
 */
export function multiplyShares(graph: Graph, node: GraphNode): number[] {
  const gates = node.inputs.map((id) => isGate(graph, id));
  const signals = gates.filter((g) => !g).length;
  if (signals === 0 || signals === gates.length) return gates.map(() => 1 / gates.length);
  return gates.map((g) => (g ? 0 : 1 / signals));
}

/**
 * Whether tensor `id` reaches nothing but Multiply gates (through re-indexing layers): a softmax used
 * only that way receives no relevance, so it needs no rule.
 */
export function onlyGates(graph: Graph, id: number): boolean {
  const readers = graph.nodes.filter((node) => node.inputs.includes(id));
  if (readers.length === 0) return false;
  return readers.every((reader) => {
    const at = graph.nodes.indexOf(reader) + 1;
    if (reader.op.kind === 'multiply') {
      const shares = multiplyShares(graph, reader);
      return reader.inputs.every((input, k) => input !== id || shares[k] === 0);
    }
    return RE_INDEXING.has(reader.className) && (reader.op.kind === 'identity' || reader.op.kind === 'gather') && onlyGates(graph, at);
  });
}
