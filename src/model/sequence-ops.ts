import { fail } from '../errors.js';
import { recurrentBackward, recurrentForwardKept } from '../kernels/recurrent.js';
import {
  applyRowMask,
  embeddingForward,
  maskedMeanForward,
  maskedMeanTranspose,
  maskedMeanWeights,
  maskOf,
  mergeDirections,
  mergeDirectionsBackward,
  sumRows,
} from '../kernels/sequence.js';
import type { GraphNode, Op } from './graph.js';

/** The ops of text and sequence models (CONVENTIONS-RECURRENT.md §1). */
export type SequenceOp = Extract<Op, { kind: 'embedding' | 'mask' | 'apply-mask' | 'recurrent' | 'merge-directions' | 'masked-mean' }>;

/** Forward pass of a sequence op over n samples; `count` is the output's length. */
export function sequenceOpForward(node: GraphNode, op: SequenceOp, xs: Float32Array[], n: number, count: number): Float32Array {
  const x = xs[0];
  if (op.kind === 'recurrent') return recurrentForwardKept(op.spec, xs, n * (op.slices ?? 1), op.steps);
  const y = new Float32Array(count);
  switch (op.kind) {
    case 'embedding': {
      const bad = embeddingForward(x, op.E, y, x.length, op.dim, op.vocab);
      if (bad >= 0) {
        const size = x.length / n;
        fail(
          `layer '${node.layer}' (${node.className}): token id ${x[bad]} (sample ${Math.floor(bad / size)}, position ${bad % size}) is not an integer in the vocabulary of ${op.vocab} (0 … ${op.vocab - 1})`,
        );
      }
      break;
    }
    case 'mask':
      maskOf(x, y, count, op.features, op.value);
      break;
    case 'apply-mask':
      applyRowMask(x, xs[1], y, xs[1].length, op.features);
      break;
    case 'merge-directions':
      mergeDirections(op.mode, x, xs[1], y);
      break;
    case 'masked-mean':
      maskedMeanForward(x, maskedMeanWeights(xs[1], n, op.steps), y, n, op.steps, op.channels);
      break;
  }
  return y;
}

/** The gradient of a sequence op at each of its inputs (masks get 0: they are piecewise constant). */
export function sequenceOpBackward(op: SequenceOp, xs: Float32Array[], y: Float32Array, gy: Float32Array, n: number): Float32Array[] {
  const x = xs[0];
  switch (op.kind) {
    case 'embedding': {
      // Token ids take the gradient at their embedding summed over its axis (CONVENTIONS.md, "Token inputs").
      const gx = new Float32Array(x.length);
      sumRows(gy, gx, gx.length, op.dim);
      return [gx];
    }
    case 'mask':
      return [new Float32Array(x.length)];
    case 'apply-mask': {
      const gx = new Float32Array(x.length);
      applyRowMask(gy, xs[1], gx, xs[1].length, op.features);
      return [gx, new Float32Array(xs[1].length)];
    }
    case 'recurrent':
      return recurrentBackward(op.spec, xs, n * (op.slices ?? 1), op.steps, gy, { kind: 'gradient' }, y);
    case 'merge-directions':
      return mergeDirectionsBackward(op.mode, x, xs[1], gy);
    case 'masked-mean': {
      const gx = new Float32Array(x.length);
      maskedMeanTranspose(gy, maskedMeanWeights(xs[1], n, op.steps), gx, n, op.steps, op.channels);
      return [gx, new Float32Array(xs[1].length)];
    }
  }
}
