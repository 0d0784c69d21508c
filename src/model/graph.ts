import type { Activation } from '../kernels/activations.js';
import type { AttentionScoresSpec } from '../kernels/attention.js';
import type { ConvGeometry } from '../kernels/conv2d.js';
import type { Combine } from '../kernels/elementwise.js';
import type { WindowGeometry } from '../kernels/geometry.js';
import type { Taps } from '../kernels/interpolate.js';
import type { LayerNormSpec } from '../kernels/layer-norm.js';
import type { RecurrentSpec } from '../kernels/recurrent.js';
import type { DirectionMerge } from '../kernels/sequence.js';
import type { Pointwise, Reduction } from '../kernels/tf-ops.js';

/**
 * The executable form of a model: a list of operations in execution order, each reading tensors
 * by id (k + 1 is the output of node k; id 0 is no tensor). The model's inputs are `input` nodes.
 * Keras layers lower to one or more nodes (a Conv2D with a fused relu is a conv node and an
 * activation node); a layer called several times lowers once per call, with shared weights.
 */
export type Op =
  /** Model input number `index` (in `inputNames` order). */
  | { kind: 'input'; index: number }
  /** y = x·W + b over the last axis; `rows` positions per sample share the kernel. */
  | { kind: 'dense'; W: Float32Array; b: Float32Array | null; inF: number; outF: number; rows: number }
  /**
   * A convolution; `transposed`: Conv1D/2DTranspose, whose forward is the transpose of the conv with this
   * geometry (its input is the geometry's output side). `steps` (TimeDistributed): the geometry applies
   * to each of that many consecutive slices of a sample; likewise for pooling.
   */
  | { kind: 'conv'; W: Float32Array; b: Float32Array | null; geom: ConvGeometry; transposed?: boolean; steps?: number }
  | { kind: 'activation'; act: Activation }
  /** Softmax over the last axis; `log`: log_softmax (supported where it is the model's last operation). */
  | { kind: 'softmax'; axis: number; log?: boolean }
  | { kind: 'maxpool'; geom: WindowGeometry; steps?: number }
  | { kind: 'avgpool'; geom: WindowGeometry; steps?: number }
  /** y[i] = x[map[i]] (−1: 0). `toChannelsFirst` marks the transpose back after a channels_first layer's kernel. */
  | { kind: 'gather'; map: Int32Array; toChannelsFirst?: boolean }
  | { kind: 'affine'; scale: Float32Array; shift: Float32Array; channels: number; inner: number }
  | { kind: 'identity' }
  | { kind: 'add' }
  | { kind: 'average' }
  /** Inputs seen as (outer, block_k): the output interleaves their blocks. */
  | { kind: 'concat'; outer: number; blocks: number[] }
  /** Subtract, Multiply, Maximum, Minimum with Keras' broadcasting: input k reads cell maps[k][i] (null: i). */
  | { kind: Combine; maps: (Int32Array | null)[] }
  /** PReLU, α per cell of a sample. */
  | { kind: 'prelu'; alpha: Float32Array }
  | { kind: 'layernorm'; spec: LayerNormSpec }
  /** A fixed linear resampling with non-negative weights (bilinear up-sampling / resizing). */
  | { kind: 'interpolate'; taps: Taps }
  /** MultiHeadAttention's weights softmax(q·kᵀ/√dk + mask) (H, T, S); inputs q (T, H, dk), k (S, H, dk), then masks. */
  | { kind: 'attention-scores'; spec: AttentionScoresSpec }
  /** MultiHeadAttention's A·v per head (T, H, dv); inputs A (H, T, S), v (S, H, dv). */
  | { kind: 'attention-context'; heads: number; T: number; S: number; dv: number }
  /** reduce_sum / reduce_mean over some axes (TF ops, Keras 3 `sum` / `mean` nodes). */
  | { kind: 'reduce'; reduction: Reduction }
  /** sqrt, square, not_equal with a constant (TF ops, Keras 3 nodes). */
  | { kind: 'pointwise'; pointwise: Pointwise }
  /** The quotient of two tensors with broadcasting (`truediv`, Keras 3 `divide`). */
  | { kind: 'divide'; maps: (Int32Array | null)[] }
  /** Embedding: integer token ids → rows of E (vocab, dim); a token input's relevance is summed over dim. */
  | { kind: 'embedding'; E: Float32Array; vocab: number; dim: number }
  /** A mask (1 per time step) from x: any of the step's `features` values differs from `value` (mask_zero: token ≠ 0). */
  | { kind: 'mask'; value: number; features: number }
  /** x ⊙ mask per time step (the Masking layer); inputs [x, mask]. */
  | { kind: 'apply-mask'; features: number }
  /**
   * SimpleRNN / LSTM / GRU over `steps` steps; inputs [x, mask?, initial states?]; output and final states
   * packed per sequence. `slices` (TimeDistributed): that many sequences per sample.
   */
  | { kind: 'recurrent'; spec: RecurrentSpec; steps: number; slices?: number }
  /** Bidirectional's sum / ave / mul of its two directions. */
  | { kind: 'merge-directions'; mode: DirectionMerge }
  /** GlobalAveragePooling1D under a mask; inputs [x (steps, channels), mask]. */
  | { kind: 'masked-mean'; steps: number; channels: number };

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
  nodes: GraphNode[];
  /** Tensor ids of the model inputs and outputs, in Keras' `input_layers` / `output_layers` order. */
  inputs: number[];
  outputs: number[];
}

/** The node that produces tensor `id`, and that tensor's shape (without batch). */
export const nodeOf = (graph: Graph, id: number): GraphNode => graph.nodes[id - 1];
export const tensorShape = (graph: Graph, id: number): number[] => nodeOf(graph, id).outShape;

/** The input shapes of the model (without batch). */
export const inputShapes = (graph: Graph): number[][] => graph.inputs.map((id) => tensorShape(graph, id));
