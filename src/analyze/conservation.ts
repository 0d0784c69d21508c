import { tensorShape, type Graph } from '../model/graph.js';
import type { Tensor } from '../tensor.js';

/** One row of the conservation report: relevance summed per sample at a layer's output and input. */
export interface ConservationRow {
  layer: string;
  className: string;
  relevanceOut: number[];
  relevanceIn: number[];
  /** (out − in) / out per sample: what biases and stabilizers absorbed (or injected, when negative). */
  absorbed: number[];
}

/** Relevance in the input's shape; with `returnLayers`, also at every layer's input and the conservation report. */
export interface Explanation extends Tensor {
  layers?: Record<string, Tensor>;
  conservation?: ConservationRow[];
  /** With `returnLayers`, LRP methods: each MultiHeadAttention layer's weights (batch, heads, query steps, key steps). */
  attention?: Record<string, Tensor>;
}

/** The sum over each of the n samples of a batch-first array (0 for a signal that never arrived). */
function sampleSums(a: Float32Array | undefined, n: number): number[] {
  const values = a ?? new Float32Array(0);
  const size = values.length / n;
  return Array.from({ length: n }, (_, s) => {
    let acc = 0;
    for (let i = s * size; i < (s + 1) * size; i++) acc += values[i];
    return acc;
  });
}

/**
 * Relevance at every Keras layer's input (summed over all its readers), and how much each layer
 * conserved: what reached its output against what it sent back to its inputs.
 */
export function layerReport(
  graph: Graph,
  signals: (Float32Array | undefined)[],
  sent: Float32Array[][],
  n: number,
): Required<Pick<Explanation, 'layers' | 'conservation'>> {
  const layers: Record<string, Tensor> = Object.create(null);
  const conservation: ConservationRow[] = [];
  const seen = new Set<string>();
  graph.nodes.forEach((node, index) => {
    if (node.op.kind === 'input' || seen.has(node.layer)) return;
    seen.add(node.layer);
    const last = graph.nodes.reduce((at, m, k) => (m.layer === node.layer ? k : at), index);
    const outSignal = signals[last + 1];
    if (!outSignal) return;
    const input = signals[node.inputs[0]];
    if (input) layers[node.layer] = { shape: [n, ...tensorShape(graph, node.inputs[0])], data: input };
    const relOut = sampleSums(outSignal, n);
    const relIn = (sent[index] ?? [])
      .map((a) => sampleSums(a, n))
      .reduce((a, b) => a.map((v, s) => v + b[s]), new Array<number>(n).fill(0));
    conservation.push({
      layer: node.layer,
      className: node.className,
      relevanceOut: relOut,
      relevanceIn: relIn,
      absorbed: relOut.map((o, s) => (o === 0 ? 0 : (o - relIn[s]) / o)),
    });
  });
  return { layers, conservation };
}
