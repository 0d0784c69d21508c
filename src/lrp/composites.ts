import type { Graph } from '../model/graph.js';
import { alphaBetaRule, epsilonRule, flatRule, gammaRule, lrp0Rule, wSquareRule, zBoxRule, zPlusRule, type Rule } from './rules.js';

/** Rule parameters as the options give them (defaults filled in). */
export interface RuleParams { epsilon: number; gamma: number; alpha: number; beta: number }

/** A rule by its method id, for single-rule methods and `layerRules` values. */
export function ruleById(id: string, p: RuleParams): Rule | undefined {
  switch (id) {
    case 'lrp-0': return lrp0Rule();
    case 'epsilon': return epsilonRule(p.epsilon);
    case 'z-plus': return zPlusRule();
    case 'alpha-beta': return alphaBetaRule(p.alpha, p.beta);
    case 'gamma': return gammaRule(p.gamma);
    case 'flat': return flatRule();
    case 'w-square': return wSquareRule();
    case 'z-box': return zBoxRule();
    default: return undefined;
  }
}

export const RULE_IDS = ['lrp-0', 'epsilon', 'z-plus', 'alpha-beta', 'gamma', 'flat', 'w-square', 'z-box'] as const;

/**
 * Composites map each Dense/Conv node to a rule: by layer type and by position (the first
 * Dense-or-Conv, or the first Conv, in execution order), as Zennit's composites of the same names.
 */
export const COMPOSITES: Record<string, (kind: 'dense' | 'conv', first: { linear: boolean; conv: boolean }, p: RuleParams) => Rule> = {
  'epsilon-plus': (kind, _, p) => (kind === 'dense' ? epsilonRule(p.epsilon) : zPlusRule()),
  'epsilon-plus-flat': (kind, first, p) => (first.linear ? flatRule() : kind === 'dense' ? epsilonRule(p.epsilon) : zPlusRule()),
  'epsilon-alpha2-beta1': (kind, _, p) => (kind === 'dense' ? epsilonRule(p.epsilon) : alphaBetaRule(2, 1)),
  'epsilon-alpha2-beta1-flat': (kind, first, p) => (first.linear ? flatRule() : kind === 'dense' ? epsilonRule(p.epsilon) : alphaBetaRule(2, 1)),
  'epsilon-gamma-box': (kind, first, p) => (kind === 'dense' ? epsilonRule(p.epsilon) : first.conv ? zBoxRule() : gammaRule(p.gamma)),
};

export type RuleOverride = string | ({ rule: string } & Partial<RuleParams>);

/**
 * The rule of every Dense/Conv node (by node index) for a method: a composite, or one rule
 * everywhere; `layerRules` overrides by Keras layer name first, then by class.
 */
export function assignRules(
  graph: Graph, method: string, p: RuleParams, overrides: Record<string, Rule> = {},
): Map<number, Rule> {
  const rules = new Map<number, Rule>();
  let seenLinear = false;
  let seenConv = false;
  graph.nodes.forEach((node, index) => {
    const kind = node.op.kind;
    if (kind !== 'dense' && kind !== 'conv') return;
    const first = { linear: !seenLinear, conv: kind === 'conv' && !seenConv };
    seenLinear = true;
    if (kind === 'conv') seenConv = true;
    const composite = COMPOSITES[method];
    const base = composite ? composite(kind, first, p) : ruleById(method, p);
    const rule = overrides[node.layer] ?? overrides[node.className] ?? base;
    if (rule) rules.set(index, rule);
  });
  return rules;
}

const TREATMENT: Record<string, string> = {
  activation: 'pass', affine: 'pass', identity: 'pass', softmax: 'removed (final softmax)',
  maxpool: 'winner-take-all', avgpool: 'z-rule', add: 'z-rule', average: 'z-rule', gather: 'route back', concat: 'split back',
};

/**
 * For each Keras layer, what each composite does to it: the rules of its Dense/Conv nodes (both
 * halves of a separable conv, in order), or the fixed treatment of its main node (CONVENTIONS.md).
 */
export function describeRules(graph: Graph): Map<string, Record<string, string>> {
  const p: RuleParams = { epsilon: 1e-6, gamma: 0.25, alpha: 2, beta: 1 };
  const out = new Map<string, Record<string, string>>();
  for (const composite of Object.keys(COMPOSITES)) {
    const rules = assignRules(graph, composite, p);
    const linear = new Map<string, string[]>();
    graph.nodes.forEach((node, index) => {
      const rule = rules.get(index);
      if (rule) linear.set(node.layer, [...(linear.get(node.layer) ?? []), rule.name]);
    });
    for (const node of graph.nodes) {
      if (node.name !== node.layer) continue;
      const entry = out.get(node.layer) ?? {};
      const folded = node.className === 'BatchNormalization' && node.op.kind === 'identity';
      entry[composite] = linear.get(node.layer)?.join(' then ') ?? (folded ? 'folded into the layer before' : TREATMENT[node.op.kind]);
      out.set(node.layer, entry);
    }
  }
  return out;
}
