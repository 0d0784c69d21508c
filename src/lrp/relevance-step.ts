import { assertNever, LrpKerasError } from '../errors.js';
import { scatterToInput } from '../kernels/elementwise.js';
import type { BackwardStep } from '../model/backward.js';
import type { Graph, OpKind } from '../model/graph.js';
import { inputSize, nodeBackward } from '../model/ops.js';
import { sizeOf } from '../tensor.js';
import {
  attentionContextRelevance,
  attentionScoresRelevance,
  DEFAULT_TRANSFORMER_RULES,
  layerNormRelevance,
  reduceRelevance,
  type TransformerRules,
} from './attention.js';
import { multiplyShares, onlyGates } from './gates.js';
import { linearRelevance, type Bounds } from './linear-rule.js';
import { mergeDirectionsRelevance, recurrentRelevance } from './recurrent.js';
import { needsBounds, type Rule } from './rules.js';

const NORM_STABILIZER = 1e-6;

/** How relevance crosses each kind of node, in words (`Model.layers[].rules`, `lrp-keras summary`). */
export const TREATMENT: Record<OpKind, string> = {
  input: 'receives relevance',
  dense: 'its rule',
  conv: 'its rule',
  activation: 'pass',
  affine: 'pass',
  identity: 'pass',
  softmax: 'removed (final softmax); none (only a Multiply gate)',
  maxpool: 'winner-take-all',
  avgpool: 'z-rule',
  add: 'z-rule',
  average: 'z-rule',
  gather: 'route back',
  concat: 'split back',
  subtract: 'z-rule',
  multiply: 'gate-signal',
  maximum: 'winner-take-all',
  minimum: 'winner-take-all',
  prelu: 'pass',
  layernorm: 'pass',
  interpolate: 'z-rule',
  'attention-scores': 'AttnLRP softmax rule, then the uniform product rule to q and k',
  'attention-context': 'AttnLRP uniform product rule',
  reduce: 'z-rule',
  pointwise: 'pass (comparisons: nothing)',
  divide: 'no rule (gradient methods only)',
  embedding: 'summed per token',
  mask: 'nothing (a mask)',
  'apply-mask': 'pass',
  'masked-mean': 'z-rule',
  recurrent: 'LRP-all (ε on its linear maps, gates nothing)',
  'merge-directions': "by each direction's share",
};

/**
 * Why relevance cannot cross node `index`, or undefined when it can: a quotient of tensors, and a
 * softmax that is not only a gate (a final softmax is removed before LRP starts).
 */
export function noRule(graph: Graph, index: number): string | undefined {
  const kind = graph.nodes[index].op.kind;
  if (kind === 'divide') return 'the quotient of two tensors has no LRP rule (gradient methods work)';
  if (kind === 'softmax' && !onlyGates(graph, index + 1))
    return 'a softmax inside the model has no LRP rule (only a final softmax, which is removed; gradient methods work)';
  return undefined;
}

/**
 * Every layer LRP would have to cross backwards from tensor `from` without a rule, named at once
 * (before any relevance is computed).
 */
export function checkLrpRules(graph: Graph, from: number): void {
  const seen = new Set<number>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop() as number;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...graph.nodes[id - 1].inputs);
  }
  // In execution order, one line per Keras layer.
  const problems = new Map<string, string>();
  for (const id of [...seen].sort((a, b) => a - b)) {
    const why = noRule(graph, id - 1);
    const node = graph.nodes[id - 1];
    if (why) problems.set(`'${node.layer}' (${node.className})`, why);
  }
  if (problems.size === 0) return;
  const list = [...problems].map(([layer, why]) => `${layer}: ${why}`);
  throw new LrpKerasError(
    problems.size === 1
      ? `LRP cannot explain this model: layer ${list[0]}`
      : `LRP cannot explain this model: ${problems.size} layers have no LRP rule: ${list.join('; ')}`,
  );
}

/**
 * How relevance crosses each kind of node (CONVENTIONS.md): Dense/Conv by their rule; activations,
 * PReLU, LayerNormalization and unfolded BatchNorm pass it unchanged; average pooling, Add, Average,
 * Subtract and bilinear resampling by the z-rule over their inputs; Multiply by the gate-signal rule;
 * max pooling, Maximum/Minimum, re-indexing and Concatenate route it as the gradient does.
 */
export function relevanceStep(
  graph: Graph,
  n: number,
  rules: Map<number, Rule>,
  boundsOf: (index: number) => Bounds,
  transformer: TransformerRules = DEFAULT_TRANSFORMER_RULES,
  stabilizer = NORM_STABILIZER,
  recurrentEpsilon = 1e-6,
): BackwardStep {
  return (node, index, xs, y, R) => {
    const op = node.op;
    switch (op.kind) {
      case 'input':
        return [];
      case 'dense':
      case 'conv': {
        const rule = rules.get(index);
        if (!rule) throw new LrpKerasError(`no LRP rule for layer '${node.layer}' (${node.className})`);
        return [
          linearRelevance(
            op,
            rule,
            xs[0],
            y,
            R,
            n,
            inputSize(graph, node, 0),
            sizeOf(node.outShape),
            needsBounds(rule) ? boundsOf(index) : undefined,
          ),
        ];
      }
      case 'activation':
      case 'affine':
      case 'identity':
      case 'prelu':
        return [R];
      case 'layernorm':
        return transformer.layerNorm === 'pass' ? [R] : [layerNormRelevance(op.spec, xs[0], y, R, n, stabilizer)];
      case 'attention-scores':
        return attentionScoresRelevance(op.spec, xs, y, R, n, stabilizer);
      case 'attention-context':
        return attentionContextRelevance(op, xs, y, R, n, stabilizer, transformer.attention);
      case 'reduce':
        return [reduceRelevance(op.reduction, xs[0], y, R, n, stabilizer)];
      case 'pointwise':
        return [op.pointwise.fn === 'not-equal' ? new Float32Array(xs[0].length) : R];
      case 'divide':
      case 'softmax': {
        const why = noRule(graph, index);
        if (why) throw new LrpKerasError(`layer '${node.layer}' (${node.className}): ${why}`);
        return [new Float32Array(R.length)];
      }
      case 'recurrent':
        return recurrentRelevance(op, xs, y, R, n, recurrentEpsilon);
      case 'merge-directions':
        return mergeDirectionsRelevance(op.mode, xs, R, recurrentEpsilon);
      case 'embedding':
      case 'mask':
      case 'apply-mask':
      case 'maxpool':
      case 'gather':
      case 'concat':
      case 'maximum':
      case 'minimum':
        return nodeBackward(graph, node, xs, y, R, n);
      case 'multiply': {
        const outSize = sizeOf(node.outShape);
        return multiplyShares(graph, node).map((share, k) =>
          scatterToInput(
            R.map((r) => r * share),
            op.maps[k],
            n,
            outSize,
            inputSize(graph, node, k),
          ),
        );
      }
      case 'avgpool':
      case 'add':
      case 'average':
      case 'subtract':
      case 'masked-mean':
      case 'interpolate': {
        const s = new Float32Array(R.length);
        for (let j = 0; j < s.length; j++) s[j] = R[j] / (y[j] + (y[j] >= 0 ? NORM_STABILIZER : -NORM_STABILIZER));
        return nodeBackward(graph, node, xs, y, s, n).map((c, k) => {
          const x = xs[k];
          const out = new Float32Array(x.length);
          for (let i = 0; i < out.length; i++) out[i] = x[i] * c[i];
          return out;
        });
      }
      default:
        return assertNever(op, 'op kind');
    }
  };
}
