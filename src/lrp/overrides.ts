import { fail } from '../errors.js';
import type { Graph } from '../model/graph.js';
import { didYouMean } from '../suggest.js';
import { RULE_PARAM_NAMES, ruleParams, type RuleParams } from './parameters.js';
import { makeRule, RULES, type Rule } from './rules.js';

/** A `layerRules` value: a rule id, or a rule id with its own parameters. */
export type RuleOverride = string | ({ rule: string } & Partial<RuleParams>);

/** The rules `layerRules` sets, by Keras layer name or class; parameters not given are the method's `p`. */
export function overrideRules(layerRules: Record<string, RuleOverride> | undefined, p: RuleParams, graph: Graph): Record<string, Rule> {
  const out: Record<string, Rule> = Object.create(null);
  const known = new Set(graph.nodes.flatMap((n) => [n.layer, n.className]));
  const ids = Object.keys(RULES);
  for (const [key, spec] of Object.entries(layerRules ?? {})) {
    if (!known.has(key))
      fail(`option layerRules: '${key}' is neither a layer name nor a layer class of the model${didYouMean(key, [...known])}`);
    const id = typeof spec === 'string' ? spec : spec?.rule;
    if (typeof id !== 'string' || !Object.hasOwn(RULES, id)) {
      fail(`option layerRules['${key}']: unknown rule ${JSON.stringify(id)}${didYouMean(String(id), ids)}; valid: ${ids.join(', ')}`);
    }
    if (typeof spec === 'object') {
      for (const k of Object.keys(spec)) {
        if (k !== 'rule' && !(RULE_PARAM_NAMES as string[]).includes(k))
          fail(`option layerRules['${key}']: unknown key '${k}'; valid: rule, ${RULE_PARAM_NAMES.join(', ')}`);
      }
    }
    out[key] = makeRule(id, typeof spec === 'string' ? p : ruleParams({ ...p, ...spec }));
  }
  return out;
}
