import { fail } from '../errors.js';
import type { Bounds } from '../lrp/linear-rule.js';
import { nodeOf, tensorShape, type Graph } from '../model/graph.js';
import { nodeForward } from '../model/ops.js';
import { formatShape, sizeOf, toTensor, type TensorLike } from '../tensor.js';
import type { BoundOption } from './options.js';

/**
 * z-box bounds for the layer at node `index`: a scalar, one value per channel (the last axis of the
 * layer input), or a tensor of the model input's shape, carried through the re-indexing nodes
 * (layout transposes, padding) between the model input and that layer.
 */
export function boundsFor(graph: Graph, index: number, n: number, low: BoundOption, high: BoundOption): Bounds {
  const bounds = { low: expand(graph, index, n, low, 'low'), high: expand(graph, index, n, high, 'high') };
  for (let i = 0; i < bounds.low.length; i++) {
    if (bounds.low[i] > bounds.high[i]) fail(`options low and high: low (${bounds.low[i]}) > high (${bounds.high[i]}) at flat index ${i}`);
  }
  return bounds;
}

function expand(graph: Graph, index: number, n: number, v: BoundOption, name: string): Float32Array {
  const node = graph.nodes[index];
  const inId = node.inputs[0];
  const inShape = tensorShape(graph, inId);
  const out = new Float32Array(n * sizeOf(inShape));
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(`option ${name} must be finite, got ${v}`);
    return out.fill(v);
  }
  if (Array.isArray(v) && v.every((e) => typeof e === 'number')) {
    const c = inShape[inShape.length - 1];
    if (v.length !== c) fail(`option ${name} has ${v.length} values; layer '${node.layer}' reads ${c} channels`);
    for (let i = 0; i < out.length; i++) out[i] = v[i % c];
    return out;
  }
  const t = toTensor(v as TensorLike, `option ${name}`);
  // The model input the layer reads, through re-indexing nodes only.
  const path: number[] = [];
  let id = inId;
  for (; nodeOf(graph, id).op.kind !== 'input'; id = nodeOf(graph, id).inputs[0]) {
    const kind = nodeOf(graph, id).op.kind;
    if (kind !== 'gather' && kind !== 'identity')
      fail(`option ${name}: a tensor bound applies only to a layer that reads a model input, not to '${node.layer}'`);
    path.unshift(id - 1);
  }
  const inputShape = tensorShape(graph, id);
  const modelSize = sizeOf(inputShape);
  if (t.data.length !== modelSize && t.data.length !== n * modelSize) {
    fail(
      `option ${name} has shape ${formatShape(t.shape)}; expected the input shape ${formatShape(inputShape)} (with or without the batch)`,
    );
  }
  let value: Float32Array = new Float32Array(n * modelSize);
  for (let i = 0; i < value.length; i++) value[i] = t.data[i % t.data.length];
  for (const k of path) value = nodeForward(graph, graph.nodes[k], [value], n);
  return value;
}
