import { fail } from '../errors.js';
import type { TransformerRules } from '../lrp/attention.js';
import { COMPOSITES, type RuleChooser } from '../lrp/composites.js';
import type { RuleParams } from '../lrp/parameters.js';
import { makeRule, RULES, type RuleSpec } from '../lrp/rules.js';
import { didYouMean } from '../suggest.js';
import { GRADIENT_METHODS, type GradientMethod } from './gradients.js';
import { MAP_METHODS, type MapMethod } from './maps.js';

/** An LRP method: the rule it gives each Dense/Conv node, and how it treats attention and LayerNormalization. */
export interface LrpMethod {
  family: 'lrp';
  description: string;
  choose: RuleChooser;
  transformer?: TransformerRules;
}

export type Method = GradientMethod | MapMethod | LrpMethod;

const ruleMethod = (id: string, rule: RuleSpec): LrpMethod => ({
  family: 'lrp',
  description: rule.description,
  choose: (_, p) => makeRule(id, p),
});

/**
 * Every method `analyze` accepts, by id, in the order `lrp-keras methods` lists them: the gradient
 * methods, Grad-CAM and occlusion, each rule of `RULES` on every Dense/Conv, and the composites. The only list of method ids.
 */
export const METHOD_TABLE: Record<string, Method> = {
  ...GRADIENT_METHODS,
  ...MAP_METHODS,
  ...Object.fromEntries(Object.entries(RULES).map(([id, rule]) => [id, ruleMethod(id, rule)])),
  ...Object.fromEntries(
    Object.entries(COMPOSITES).map(([id, c]): [string, LrpMethod] => [
      id,
      { family: 'lrp', description: c.description, choose: c.choose, transformer: c.transformer },
    ]),
  ),
};

/** Method id → one-line description (for errors, the CLI and the README). Kept in step with `METHOD_TABLE`. */
export const METHODS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(METHOD_TABLE).map(([id, m]) => [id, m.description]),
);

/**
 * innvestigate analyzer names mapped to the closest method and the defaults that make them closest;
 * README.md lists what still differs.
 */
export const ALIASES: Readonly<Record<string, { method: string; defaults?: Partial<RuleParams> }>> = {
  'lrp.z': { method: 'epsilon', defaults: { epsilon: 1e-7 } },
  'lrp.epsilon': { method: 'epsilon', defaults: { epsilon: 1e-7 } },
  'lrp.alpha_2_beta_1': { method: 'alpha-beta', defaults: { alpha: 2, beta: 1 } },
  'lrp.alpha_1_beta_0': { method: 'alpha-beta', defaults: { alpha: 1, beta: 0 } },
  'lrp.z_plus': { method: 'z-plus' },
  'lrp.z_plus_fast': { method: 'z-plus' },
  'lrp.flat': { method: 'flat' },
  'lrp.w_square': { method: 'w-square' },
  'lrp.sequential_preset_a': { method: 'epsilon-plus', defaults: { epsilon: 0.1 } },
  'lrp.sequential_preset_b': { method: 'epsilon-alpha2-beta1', defaults: { epsilon: 0.1 } },
  'lrp.sequential_preset_a_flat': { method: 'epsilon-plus-flat', defaults: { epsilon: 0.1 } },
  'lrp.sequential_preset_b_flat': { method: 'epsilon-alpha2-beta1-flat', defaults: { epsilon: 0.1 } },
  gradient: { method: 'gradient' },
  input_t_gradient: { method: 'gradient-x-input' },
  integrated_gradients: { method: 'integrated-gradients' },
  smoothgrad: { method: 'smoothgrad' },
  guided_backprop: { method: 'guided-backprop' },
  deconvnet: { method: 'deconvnet' },
};

/** A method id or innvestigate alias: its table entry and the parameter defaults the alias brings. */
export function resolveMethod(method: unknown): { id: string; method: Method; defaults: Partial<RuleParams> } {
  const ids = Object.keys(METHOD_TABLE);
  const valid = `valid ids: ${ids.join(', ')} (and the innvestigate names ${Object.keys(ALIASES).join(', ')})`;
  if (method === undefined) return fail(`option method is required; ${valid}`);
  if (typeof method === 'string' && Object.hasOwn(METHOD_TABLE, method)) return { id: method, method: METHOD_TABLE[method], defaults: {} };
  if (typeof method === 'string' && Object.hasOwn(ALIASES, method)) {
    const alias = ALIASES[method];
    return { id: alias.method, method: METHOD_TABLE[alias.method], defaults: alias.defaults ?? {} };
  }
  return fail(`option method: unknown method ${JSON.stringify(method)}${didYouMean(String(method), ids)}; ${valid}`);
}

/**
 * Add a rule: it becomes a method (the rule on every Dense/Conv), a `layerRules` value and a row of
 * `lrp-keras methods`, exactly like the built-in rules.
 */
export function defineRule(id: string, spec: RuleSpec): void {
  if (!/^[a-z][a-z0-9-]*$/.test(id)) fail(`defineRule: id ${JSON.stringify(id)} must be lower-case letters, digits and dashes`);
  if (Object.hasOwn(METHOD_TABLE, id) || Object.hasOwn(ALIASES, id)) fail(`defineRule: '${id}' is already a method id`);
  RULES[id] = spec;
  METHOD_TABLE[id] = ruleMethod(id, spec);
  (METHODS as Record<string, string>)[id] = spec.description;
}
