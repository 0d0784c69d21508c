import { assertNever } from '../errors.js';
import {
  attentionContext,
  attentionContextBackward,
  attentionLogits,
  attentionLogitsBackward,
  attentionMask,
  maskedSoftmax,
  maskedSoftmaxBackward,
} from '../kernels/attention.js';
import { divideBackward, divideForward, pointwiseBackward, pointwiseForward, reduceBackward, reduceForward } from '../kernels/tf-ops.js';
import type { Op } from './graph.js';

/** The ops of transformer models: attention's two nodes and the TF-op / Keras 3 operation nodes without a layer. */
export type TransformerOp = Extract<Op, { kind: 'attention-scores' | 'attention-context' | 'reduce' | 'pointwise' | 'divide' }>;

/** One node's forward pass over n samples (`count` output values; `inSizes` per sample of each input). */
export function transformerOpForward(op: TransformerOp, xs: Float32Array[], n: number, count: number, inSizes: number[]): Float32Array {
  const y = new Float32Array(count);
  switch (op.kind) {
    case 'attention-scores': {
      const logits = new Float32Array(count);
      attentionLogits(xs[0], xs[1], logits, n, op.spec);
      maskedSoftmax(logits, attentionMask(op.spec, xs.slice(2), n), y, n, op.spec);
      return y;
    }
    case 'attention-context':
      attentionContext(xs[0], xs[1], y, n, op.heads, op.T, op.S, op.dv);
      return y;
    case 'reduce':
      reduceForward(xs[0], y, op.reduction, n);
      return y;
    case 'pointwise':
      pointwiseForward(op.pointwise, xs[0], y, count);
      return y;
    case 'divide':
      divideForward(xs[0], xs[1], op.maps, inSizes, y, n, count / n);
      return y;
    default:
      return assertNever(op, 'op kind');
  }
}

/** The gradient at each input; masks and comparisons pass none. */
export function transformerOpBackward(
  op: TransformerOp,
  xs: Float32Array[],
  y: Float32Array,
  gy: Float32Array,
  n: number,
  inSizes: number[],
): Float32Array[] {
  const zeros = (k: number): Float32Array => new Float32Array(n * inSizes[k]);
  switch (op.kind) {
    case 'attention-scores': {
      const gx = new Float32Array(y.length);
      maskedSoftmaxBackward(y, gy, gx, y.length / op.spec.S, op.spec.S);
      const [gq, gk] = [zeros(0), zeros(1)];
      attentionLogitsBackward(gx, xs[0], xs[1], gq, gk, n, op.spec);
      return [gq, gk, ...xs.slice(2).map((_, k) => zeros(k + 2))];
    }
    case 'attention-context': {
      const [gA, gv] = [zeros(0), zeros(1)];
      attentionContextBackward(gy, xs[0], xs[1], gA, gv, n, op.heads, op.T, op.S, op.dv);
      return [gA, gv];
    }
    case 'reduce': {
      const gx = zeros(0);
      reduceBackward(gy, gx, op.reduction, n);
      return [gx];
    }
    case 'pointwise': {
      const gx = zeros(0);
      pointwiseBackward(op.pointwise, xs[0], y, gy, gx, gx.length);
      return [gx];
    }
    case 'divide':
      return divideBackward(xs[0], xs[1], op.maps, inSizes, gy, n, gy.length / n);
    default:
      return assertNever(op, 'op kind');
  }
}
