import type { Graph, GraphNode, LinearOp } from './graph.js';

/** Keras layer pairs whose BatchNormalization was folded into the Dense/Conv before it. */
export type BatchNormMerge = [linear: string, batchNorm: string];

/**
 * Fold every BatchNormalization that reads the raw output of a Dense/Conv (possibly through the
 * layout transpose of a channels_first conv) and is its only reader into that layer:
 * W' = W·scale, b' = b·scale + shift. Zennit's canonizer does the same before explaining, so that
 * the rules see one linear layer. Returns a new graph; the folded BN nodes become identities.
 */
export function foldBatchNorms(graph: Graph): { graph: Graph; merges: BatchNormMerge[] } {
  const nodes = graph.nodes.slice();
  const readers = new Map<number, number>();
  for (const node of nodes) for (const id of node.inputs) readers.set(id, (readers.get(id) ?? 0) + 1);
  for (const id of graph.outputs) readers.set(id, (readers.get(id) ?? 0) + 1);
  const merges: BatchNormMerge[] = [];

  nodes.forEach((bn, index) => {
    if (bn.op.kind !== 'affine' || bn.className !== 'BatchNormalization') return;
    let id = bn.inputs[0];
    let transposed = false;
    for (let via = nodes[id - 1]?.op; via?.kind === 'gather' && via.toChannelsFirst && readers.get(id) === 1; via = nodes[id - 1]?.op) {
      id = nodes[id - 1].inputs[0];
      transposed = true;
    }
    if (readers.get(id) !== 1) return;
    const linear = nodes[id - 1];
    const op = linear.op;
    if (op.kind !== 'dense' && op.kind !== 'conv') return;
    const outChannels = op.kind === 'dense' ? op.outF : op.transposed ? op.geom.C : op.geom.O;
    const spatial = op.kind === 'dense' ? 1 : op.transposed ? op.geom.H * op.geom.W : op.geom.OH * op.geom.OW;
    if (bn.op.channels !== outChannels || bn.op.inner !== (transposed ? spatial : 1)) return;
    nodes[id - 1] = { ...linear, op: scaled(op, bn.op.scale, bn.op.shift) };
    nodes[index] = { ...bn, op: { kind: 'identity' } } as GraphNode;
    merges.push([linear.layer, bn.layer]);
  });
  return { graph: { ...graph, nodes }, merges };
}

function scaled(op: LinearOp, scale: Float32Array, shift: Float32Array): LinearOp {
  const outChannels = scale.length;
  // A transposed conv's kernel is (kh, kw, out, in): its output channel is the second-to-last axis.
  const inner = op.kind === 'conv' && op.transposed ? op.geom.O : 1;
  const W = op.W.map((w, i) => w * scale[Math.floor(i / inner) % outChannels]);
  const b = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) b[c] = (op.b ? op.b[c] : 0) * scale[c] + shift[c];
  return { ...op, W, b };
}
