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
