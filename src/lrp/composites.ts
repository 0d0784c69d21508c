import type { Graph, OpKind } from '../model/graph.js';
import { DEFAULT_TRANSFORMER_RULES, type TransformerRules } from './attention.js';
import { RULE_PARAMETERS, type RuleParams } from './parameters.js';
import { TREATMENT } from './relevance-step.js';
import { makeRule, type Rule } from './rules.js';

/** Where a Dense/Conv node sits: its kind, and whether it is the first Dense-or-Conv, or the first Conv, in execution order. */
export interface Position {
  kind: 'dense' | 'conv';
  firstLinear: boolean;
  firstConv: boolean;
}

/** What a method applies to each Dense/Conv node. */
export type RuleChooser = (at: Position, p: RuleParams) => Rule;

/**
 * A composite: one line for `lrp-keras methods`, its rule per position (as Zennit's composites of the
 * same names), and how it treats attention and LayerNormalization (default: AttnLRP's uniform rule, LayerNorm passes).
 */
export interface CompositeSpec {
  description: string;
  choose: RuleChooser;
  transformer?: TransformerRules;
}

const denseEpsilon =
  (conv: RuleChooser): RuleChooser =>
  (at, p) =>
    at.kind === 'dense' ? makeRule('epsilon', p) : conv(at, p);
const flatFirst =
  (rest: RuleChooser): RuleChooser =>
  (at, p) =>
    at.firstLinear ? makeRule('flat', p) : rest(at, p);
const zPlus: RuleChooser = (_, p) => makeRule('z-plus', p);
const alpha2Beta1: RuleChooser = (_, p) => makeRule('alpha-beta', { ...p, alpha: 2, beta: 1 });
const boxThenGamma: RuleChooser = (at, p) => makeRule(at.firstConv ? 'z-box' : 'gamma', p);

export const COMPOSITES: Record<string, CompositeSpec> = {
  'epsilon-plus': { description: 'composite: Dense ε, Conv z⁺ (the lrp() default)', choose: denseEpsilon(zPlus) },
  'epsilon-plus-flat': { description: 'composite: first Dense/Conv flat, Dense ε, Conv z⁺', choose: flatFirst(denseEpsilon(zPlus)) },
  'epsilon-alpha2-beta1': { description: 'composite: Dense ε, Conv α2β1', choose: denseEpsilon(alpha2Beta1) },
  'epsilon-alpha2-beta1-flat': {
    description: 'composite: first Dense/Conv flat, Dense ε, Conv α2β1',
    choose: flatFirst(denseEpsilon(alpha2Beta1)),
  },
  'epsilon-gamma-box': { description: 'composite: Dense ε, first Conv zB (low, high), other Conv γ', choose: denseEpsilon(boxThenGamma) },
  attnlrp: {
    description:
      'AttnLRP (Achtibat et al. 2024): ε on every Dense/Conv/projection, attention by its softmax and uniform product rules, LayerNorm with σ frozen',
    choose: (_, p) => makeRule('epsilon', p),
    transformer: { attention: 'uniform', layerNorm: 'frozen-sigma' },
  },
  'cp-lrp': {
    description: 'CP-LRP (Ali et al. 2022): as attnlrp with the attention weights frozen (v takes all, q and k nothing)',
    choose: (_, p) => makeRule('epsilon', p),
    transformer: { attention: 'frozen', layerNorm: 'frozen-sigma' },
  },
};

/** How a node kind is treated under the given transformer rules (TREATMENT unless the composite changes it). */
function treatment(kind: OpKind, rules: TransformerRules): string {
  if (kind === 'layernorm' && rules.layerNorm === 'frozen-sigma') return 'σ frozen, ε-rule (AttnLRP)';
  if (kind === 'attention-context' && rules.attention === 'frozen') return 'weights frozen: all to v (CP-LRP)';
  if (kind === 'attention-scores' && rules.attention === 'frozen') return 'nothing (weights frozen)';
  return TREATMENT[kind];
}

/**
 * The rule of every Dense/Conv node (by node index) under `choose`; `overrides` (from `layerRules`)
 * replace it by Keras layer name first, then by class.
 */
export function assignRules(graph: Graph, choose: RuleChooser, p: RuleParams, overrides: Record<string, Rule> = {}): Map<number, Rule> {
  const rules = new Map<number, Rule>();
  let firstLinear = true;
  let firstConv = true;
  graph.nodes.forEach((node, index) => {
    const kind = node.op.kind;
    // A recurrent layer counts as the first layer: it keeps its own rules, and no later Dense/Conv gets flat or zB.
    if (kind === 'recurrent') firstLinear = firstConv = false;
    if (kind !== 'dense' && kind !== 'conv') return;
    const at: Position = { kind, firstLinear, firstConv: kind === 'conv' && firstConv };
    firstLinear = false;
    if (kind === 'conv') firstConv = false;
    rules.set(index, overrides[node.layer] ?? overrides[node.className] ?? choose(at, p));
  });
  return rules;
}

/**
 * For each Keras layer, what each composite does to it: the rules of its Dense/Conv nodes (both
 * halves of a separable conv, in order), or the fixed treatment of its main node (CONVENTIONS.md).
 */
export function describeRules(graph: Graph): Map<string, Record<string, string>> {
  const p = Object.fromEntries(Object.entries(RULE_PARAMETERS).map(([name, spec]) => [name, spec.fallback])) as RuleParams;
  const out = new Map<string, Record<string, string>>();
  for (const [id, composite] of Object.entries(COMPOSITES)) {
    const rules = assignRules(graph, composite.choose, p);
    const linear = new Map<string, string[]>();
    graph.nodes.forEach((node, index) => {
      const rule = rules.get(index);
      if (rule) linear.set(node.layer, [...(linear.get(node.layer) ?? []), rule.name]);
    });
    const transformer = composite.transformer ?? DEFAULT_TRANSFORMER_RULES;
    const attention = new Set(graph.nodes.filter((node) => node.op.kind === 'attention-context').map((node) => node.layer));
    for (const node of graph.nodes) {
      if (node.name !== node.layer) continue;
      const entry = out.get(node.layer) ?? {};
      const folded = node.className === 'BatchNormalization' && node.op.kind === 'identity';
      entry[id] = attention.has(node.layer)
        ? `projections ${linear.get(node.layer)?.join(', ')}; softmax: ${treatment('attention-scores', transformer)}; A·v: ${treatment('attention-context', transformer)}`
        : (linear.get(node.layer)?.join(' then ') ?? (folded ? 'folded into the layer before' : treatment(node.op.kind, transformer)));
      out.set(node.layer, entry);
    }
  }
  return out;
}
