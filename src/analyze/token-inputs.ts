import { sumRows } from '../kernels/sequence.js';
import type { Graph } from '../model/graph.js';

/**
 * Where each model input's attribution is taken (CONVENTIONS.md, "Token inputs"): at the input itself,
 * or, for an input of integer token ids, at the output of the Embedding that reads it, summed over the
 * embedding axis afterwards.
 */
export interface AttributionSite {
  /** The tensor whose gradient (and value) the method reads. */
  tensor: number;
  /** Embedding width for a token input (its values are summed per token), 0 otherwise. */
  dim: number;
}

export function attributionSites(graph: Graph): AttributionSite[] {
  return graph.inputs.map((id) => {
    const readers = graph.nodes.flatMap((node, k) => (node.inputs.includes(id) ? [{ node, tensor: k + 1 }] : []));
    const embeddings = readers.filter((r) => r.node.op.kind === 'embedding');
    const others = readers.filter((r) => r.node.op.kind !== 'embedding' && r.node.op.kind !== 'mask');
    // One Embedding reading the ids (a mask may read them too): the embedding is where gradients make sense.
    if (embeddings.length === 1 && others.length === 0) {
      const op = embeddings[0].node.op;
      return { tensor: embeddings[0].tensor, dim: op.kind === 'embedding' ? op.dim : 0 };
    }
    return { tensor: id, dim: 0 };
  });
}

/** An attribution at a site, per token for a token input: Σ over the embedding axis. */
export function perToken(a: Float32Array, dim: number): Float32Array {
  if (dim === 0) return a;
  const out = new Float32Array(a.length / dim);
  sumRows(a, out, out.length, dim);
  return out;
}
