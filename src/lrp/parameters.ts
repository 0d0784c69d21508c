import { fail } from '../errors.js';

/**
 * The numeric parameters LRP rules read, with their defaults and lower bounds. A new parameter is one
 * entry here: options, `layerRules` overrides, validation and the innvestigate aliases' defaults all
 * read this table.
 */
export const RULE_PARAMETERS = {
  epsilon: { fallback: 1e-6, min: 0 },
  gamma: { fallback: 0.25, min: 0 },
  alpha: { fallback: 2, min: 1 },
  beta: { fallback: 1, min: 0 },
  /** ε of every rule's stabilizer except the Epsilon rule's own (CONVENTIONS.md). */
  stabilizer: { fallback: 1e-6, min: 0 },
} as const satisfies Record<string, { fallback: number; min: number }>;

export type RuleParamName = keyof typeof RULE_PARAMETERS;
export type RuleParams = Record<RuleParamName, number>;

export const RULE_PARAM_NAMES = Object.keys(RULE_PARAMETERS) as RuleParamName[];

/** The parameters given (else `defaults`, else the table's fallbacks), each checked; α − β = 1 (Bach et al.). */
export function ruleParams(given: Partial<Record<RuleParamName, unknown>>, defaults: Partial<RuleParams> = {}): RuleParams {
  const p = {} as RuleParams;
  for (const name of RULE_PARAM_NAMES) {
    const { fallback, min } = RULE_PARAMETERS[name];
    const v = given[name] ?? defaults[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      fail(`option ${name} must be a finite number ≥ ${min}, got ${JSON.stringify(v)}`);
    p[name] = v;
  }
  if (Math.abs(p.alpha - p.beta - 1) > 1e-9)
    fail(`options alpha and beta must satisfy alpha − beta = 1, got alpha=${p.alpha}, beta=${p.beta}`);
  return p;
}
