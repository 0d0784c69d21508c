import type { Activation } from '../kernels/activations.js';
import type { ConvGeometry } from '../kernels/conv2d.js';
import type { WindowGeometry } from '../kernels/geometry.js';

/**
 * The executable form of a model: a list of operations in execution order, each reading tensors
 * by id (0 is the model input, k + 1 is the output of node k). Keras layers lower to one or more
 * nodes (a Conv2D with a fused relu is a conv node and an activation node).
 */
export type Op =
  /** y = x·W + b over the last axis; `rows` positions per sample share the kernel. */
  | { kind: 'dense'; W: Float32Array; b: Float32Array | null; inF: number; outF: number; rows: number }
  | { kind: 'conv'; W: Float32Array; b: Float32Array | null; geom: ConvGeometry }
  | { kind: 'activation'; act: Activation }
  | { kind: 'softmax'; axis: number }
  | { kind: 'maxpool'; geom: WindowGeometry }
  | { kind: 'avgpool'; geom: WindowGeometry }
  /** y[i] = x[map[i]] (−1: 0). `toChannelsFirst` marks the transpose back after a channels_first layer's kernel. */
  | { kind: 'gather'; map: Int32Array; toChannelsFirst?: boolean }
  | { kind: 'affine'; scale: Float32Array; shift: Float32Array; channels: number; inner: number }
  | { kind: 'identity' }
  | { kind: 'add' }
  | { kind: 'average' }
  /** Inputs seen as (outer, block_k): the output interleaves their blocks. */
  | { kind: 'concat'; outer: number; blocks: number[] };

export type OpKind = Op['kind'];

export type LinearOp = Extract<Op, { kind: 'dense' | 'conv' }>;

export interface GraphNode {
  /** Unique: the Keras layer name, with a suffix for the extra nodes a layer lowers to. */
  name: string;
  /** The Keras layer this node comes from, and its class. */
  layer: string;
  className: string;
  inputs: number[];
  outShape: number[];
  op: Op;
}

export interface Graph {
  inputShape: number[];
  nodes: GraphNode[];
  /** Tensor id of the model output. */
  output: number;
}

export const tensorShape = (graph: Graph, id: number): number[] => (id === 0 ? graph.inputShape : graph.nodes[id - 1].outShape);
