import { assertNever, fail } from '../errors.js';
import { activationBackward, activationForward } from '../kernels/activations.js';
import { affineBackward, affineForward } from '../kernels/affine.js';
import { conv2dForward, conv2dTranspose } from '../kernels/conv2d.js';
import { convTransposeForward } from '../kernels/conv-transpose.js';
import { denseForward, denseTranspose } from '../kernels/dense.js';
import { combineBackward, combineForward } from '../kernels/elementwise.js';
import { plainWeights, type SignPart, type WeightView } from '../kernels/gemm-problem.js';
import { gatherBackward, gatherForward } from '../kernels/gather.js';
import { interpolateForward, interpolateTranspose } from '../kernels/interpolate.js';
import { layerNormBackward, layerNormForward } from '../kernels/layer-norm.js';
import { logSoftmaxBackward, logSoftmaxForward } from '../kernels/log-softmax.js';
import { avgPoolForward, avgPoolTranspose, maxPoolBackward, maxPoolForward } from '../kernels/pool2d.js';
import { preluBackward, preluForward } from '../kernels/prelu.js';
import { softmaxBackward, softmaxForward } from '../kernels/softmax.js';
import { sizeOf } from '../tensor.js';
import { tensorShape, type Graph, type GraphNode, type LinearOp } from './graph.js';
import { transformerOpBackward, transformerOpForward } from './transformer-ops.js';
import { sequenceOpBackward, sequenceOpForward } from './sequence-ops.js';

/**
 * Run a linear node on `part` of its input with the given kernel (an LRP rule's modifier is applied
 * as the kernel is packed, no modified copy is made) and bias.
 */
export function linearForward(
  op: LinearOp,
  x: Float32Array,
  w: WeightView,
  b: Float32Array | null,
  n: number,
  outSize: number,
  part: SignPart = 'all',
): Float32Array {
  const y = new Float32Array(n * outSize);
  if (op.kind === 'dense') denseForward(x, w, b, y, n * op.rows, op.inF, op.outF, part);
  else if (op.transposed) convTransposeForward(x, w, b, y, n * (op.steps ?? 1), op.geom, part);
  else conv2dForward(x, w, b, y, n * (op.steps ?? 1), op.geom, part);
  return y;
}

/** The transposed linear map (the gradient with respect to the input) with the given kernel. */
export function linearTranspose(op: LinearOp, g: Float32Array, w: WeightView, n: number, inSize: number): Float32Array {
  const gx = new Float32Array(n * inSize);
  if (op.kind === 'dense') denseTranspose(g, w, gx, n * op.rows, op.inF, op.outF);
  else if (op.transposed) conv2dForward(g, w, null, gx, n * (op.steps ?? 1), op.geom);
  else conv2dTranspose(g, w, gx, n * (op.steps ?? 1), op.geom);
  return gx;
}

/** One node's forward pass over a batch of n samples. */
export function nodeForward(graph: Graph, node: GraphNode, xs: Float32Array[], n: number): Float32Array {
  const op = node.op;
  const outSize = sizeOf(node.outShape);
  const count = n * outSize;
  const x = xs[0];
  const out = (): Float32Array => new Float32Array(count);
  switch (op.kind) {
    case 'input':
      return fail(`node '${node.name}': a model input has no forward pass (its value is given)`);
    case 'dense':
    case 'conv':
      return linearForward(op, x, plainWeights(op.W), op.b, n, outSize);
    case 'identity':
      return x;
    case 'activation':
      return filled(out(), (y) => activationForward(x, y, count, op.act));
    case 'softmax':
      return filled(out(), (y) => (op.log ? logSoftmaxForward : softmaxForward)(x, y, count, node.outShape[node.outShape.length - 1]));
    case 'maxpool':
      return filled(out(), (y) => maxPoolForward(x, y, n * (op.steps ?? 1), op.geom));
    case 'avgpool':
      return filled(out(), (y) => avgPoolForward(x, y, n * (op.steps ?? 1), op.geom));
    case 'gather':
      return filled(out(), (y) => gatherForward(x, y, op.map, n, inputSize(graph, node, 0)));
    case 'affine':
      return filled(out(), (y) => affineForward(x, y, op.scale, op.shift, count, op.channels, op.inner));
    case 'add':
    case 'average':
      return filled(out(), (y) => {
        for (const xi of xs) for (let i = 0; i < count; i++) y[i] += xi[i];
        if (op.kind === 'average') for (let i = 0; i < count; i++) y[i] /= xs.length;
      });
    case 'concat':
      return filled(out(), (y) => concatForward(xs, y, n, op.outer, op.blocks));
    case 'subtract':
    case 'multiply':
    case 'maximum':
    case 'minimum':
      return filled(out(), (y) => combineForward(op.kind, xs, op.maps, inputSizes(graph, node), y, n, outSize));
    case 'prelu':
      return filled(out(), (y) => preluForward(x, y, op.alpha, count));
    case 'layernorm':
      return filled(out(), (y) => layerNormForward(x, y, op.spec, n));
    case 'interpolate':
      return filled(out(), (y) => interpolateForward(x, y, op.taps, n, inputSize(graph, node, 0)));
    case 'attention-scores':
    case 'attention-context':
    case 'reduce':
    case 'pointwise':
    case 'divide':
      return transformerOpForward(op, xs, n, count, inputSizes(graph, node));
    case 'embedding':
    case 'mask':
    case 'apply-mask':
    case 'recurrent':
    case 'merge-directions':
    case 'masked-mean':
      return sequenceOpForward(node, op, xs, n, count);
    default:
      return assertNever(op, 'op kind');
  }
}

/** The kernel of the final softmax (plain or log) behind output `tensor`, which predict applies to its logits. */
export function finalSoftmaxKernel(graph: Graph, tensor: number): typeof softmaxForward {
  let t = tensor;
  while (graph.nodes[t - 1].op.kind === 'identity') t = graph.nodes[t - 1].inputs[0];
  const op = graph.nodes[t - 1].op;
  return op.kind === 'softmax' && op.log ? logSoftmaxForward : softmaxForward;
}

const filled = (y: Float32Array, fill: (y: Float32Array) => void): Float32Array => {
  fill(y);
  return y;
};

export const inputSize = (graph: Graph, node: GraphNode, k: number): number => sizeOf(tensorShape(graph, node.inputs[k]));
const inputSizes = (graph: Graph, node: GraphNode): number[] => node.inputs.map((_, k) => inputSize(graph, node, k));

function concatForward(xs: Float32Array[], y: Float32Array, n: number, outer: number, blocks: number[]): void {
  const total = blocks.reduce((a, b) => a + b, 0);
  for (let r = 0; r < n * outer; r++) {
    let at = r * total;
    xs.forEach((xi, k) => {
      y.set(xi.subarray(r * blocks[k], (r + 1) * blocks[k]), at);
      at += blocks[k];
    });
  }
}

/**
 * The gradient of one node: given its inputs, its output and the gradient at its output, the
 * gradient at each input (the exact adjoint of its linearisation).
 */
export function nodeBackward(
  graph: Graph,
  node: GraphNode,
  xs: Float32Array[],
  y: Float32Array,
  gy: Float32Array,
  n: number,
): Float32Array[] {
  const op = node.op;
  const size = (k: number): number => n * inputSize(graph, node, k);
  switch (op.kind) {
    case 'input':
      return [];
    case 'dense':
    case 'conv':
      return [linearTranspose(op, gy, plainWeights(op.W), n, inputSize(graph, node, 0))];
    case 'identity':
      return [gy];
    case 'activation': {
      const gx = new Float32Array(size(0));
      activationBackward(xs[0], gy, gx, gx.length, op.act);
      return [gx];
    }
    case 'softmax': {
      const gx = new Float32Array(size(0));
      (op.log ? logSoftmaxBackward : softmaxBackward)(y, gy, gx, gx.length, node.outShape[node.outShape.length - 1]);
      return [gx];
    }
    case 'maxpool': {
      const gx = new Float32Array(size(0));
      maxPoolBackward(xs[0], gy, gx, n * (op.steps ?? 1), op.geom);
      return [gx];
    }
    case 'avgpool': {
      const gx = new Float32Array(size(0));
      avgPoolTranspose(gy, gx, n * (op.steps ?? 1), op.geom);
      return [gx];
    }
    case 'gather': {
      const gx = new Float32Array(size(0));
      gatherBackward(gy, gx, op.map, n, inputSize(graph, node, 0));
      return [gx];
    }
    case 'affine': {
      const gx = new Float32Array(size(0));
      affineBackward(gy, gx, op.scale, gx.length, op.channels, op.inner);
      return [gx];
    }
    case 'add':
      return xs.map(() => gy);
    case 'average':
      return xs.map(() => gy.map((v) => v / xs.length));
    case 'concat': {
      const total = op.blocks.reduce((a, b) => a + b, 0);
      return op.blocks.map((block, k) => {
        const gx = new Float32Array(size(k));
        const offset = op.blocks.slice(0, k).reduce((a, b) => a + b, 0);
        for (let r = 0; r < n * op.outer; r++) gx.set(gy.subarray(r * total + offset, r * total + offset + block), r * block);
        return gx;
      });
    }
    case 'subtract':
    case 'multiply':
    case 'maximum':
    case 'minimum':
      return combineBackward(op.kind, xs, op.maps, inputSizes(graph, node), y, gy, n, sizeOf(node.outShape));
    case 'prelu': {
      const gx = new Float32Array(size(0));
      preluBackward(xs[0], gy, gx, op.alpha, gx.length);
      return [gx];
    }
    case 'layernorm': {
      const gx = new Float32Array(size(0));
      layerNormBackward(xs[0], gy, gx, op.spec, n);
      return [gx];
    }
    case 'interpolate': {
      const gx = new Float32Array(size(0));
      interpolateTranspose(gy, gx, op.taps, n, inputSize(graph, node, 0));
      return [gx];
    }
    case 'attention-scores':
    case 'attention-context':
    case 'reduce':
    case 'pointwise':
    case 'divide':
      return transformerOpBackward(op, xs, y, gy, n, inputSizes(graph, node));
    case 'embedding':
    case 'mask':
    case 'apply-mask':
    case 'recurrent':
    case 'merge-directions':
    case 'masked-mean':
      return sequenceOpBackward(op, xs, y, gy, n);
    default:
      return assertNever(op, 'op kind');
  }
}

/**
 * All tensors of a forward pass from the model inputs `xs` (index = tensor id; 0 holds no tensor), so
 * that backward passes can reuse them; `between` runs before each node.
 */
export function forwardAll(
  graph: Graph,
  xs: Float32Array[],
  n: number,
  between?: () => void,
  replaced?: ReadonlyMap<number, Float32Array>,
): Float32Array[] {
  const values: Float32Array[] = [new Float32Array(0)];
  for (const node of graph.nodes) {
    between?.();
    // `replaced`: tensors given instead of computed (integrated gradients and SmoothGrad move token inputs' embeddings).
    const given = replaced?.get(values.length);
    values.push(
      given ??
        (node.op.kind === 'input'
          ? xs[node.op.index]
          : nodeForward(
              graph,
              node,
              node.inputs.map((id) => values[id]),
              n,
            )),
    );
  }
  return values;
}
