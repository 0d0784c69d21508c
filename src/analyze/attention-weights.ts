import type { Graph } from '../model/graph.js';
import { modelInternals, packInput, type Model, type ModelInput } from '../model/model.js';
import { forwardAll } from '../model/ops.js';
import type { Tensor } from '../tensor.js';

/**
 * The attention weights (batch, heads, query steps, key steps) of every MultiHeadAttention call of a
 * forward pass, by Keras layer name (a layer called again: `name#2`, …), as Keras'
 * `return_attention_scores` gives them.
 */
export function attentionOf(graph: Graph, values: Float32Array[], n: number): Record<string, Tensor> {
  const out: Record<string, Tensor> = Object.create(null);
  graph.nodes.forEach((node, index) => {
    if (node.op.kind !== 'attention-scores') return;
    out[node.name.replace(/\/scores$/, '')] = { shape: [n, ...node.outShape], data: values[index + 1] };
  });
  return out;
}

/** The attention weights of every MultiHeadAttention layer for the samples of `x`, to set beside their relevance. */
export function attentionWeights(model: Model, x: ModelInput): Record<string, Tensor> {
  const { data, n, shapes } = packInput(model, x, 'attentionWeights: input');
  const { graph } = modelInternals(model, shapes);
  return attentionOf(graph, forwardAll(graph, data, n), n);
}
