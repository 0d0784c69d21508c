import type { RuleParams } from './parameters.js';

/**
 * LRP rules for Dense and Conv layers as data over one mechanism (Zennit's BasicHook). A rule is a
 * list of groups; each group sums a few modified forward passes into its own denominator:
 *
 *   z_g = Σ_t sign_t · layer(input_t(x); weight_t(W), bias_t(b))
 *   R_in = Σ_g coef_g · Σ_t sign_t · input_t(x) ⊙ layerᵀ(weight_t(W)) (mask_g ⊙ R / stab(z_g))
 *
 * where stab(z) = z + ε·sign(z) (sign(0) = +1) and mask_g selects the units whose original output
 * has the sign the group is for (the generalised γ rule); the bias never receives relevance.
 * Montavon et al., "Layer-wise relevance propagation: an overview" (2019); Zennit `rules.py`.
 */

/** How a term modifies the layer input: x itself, its positive/negative part, ones, or a bound. */
export type InputModifier = 'x' | 'positive' | 'negative' | 'ones' | 'low' | 'high';

/** How a term modifies the parameters: one elementwise map, applied to W and (unless zeroed) to b. */
export interface ParamModifier {
  /** Names the prepared weights in caches, e.g. `positive`, `gamma+:0.25` (the bias plays no part in them). */
  key: string;
  map: (w: number) => number;
  /** When `map` is w ↦ w + (w > 0 ? pos·w : w < 0 ? neg·w : 0): its two extra slopes, which kernels apply inline. */
  scale?: { pos: number; neg: number };
  /** The bias takes no part in this term (Zennit's `zero_params=['bias']`). */
  zeroBias?: boolean;
}

export interface Term {
  input: InputModifier;
  param: ParamModifier;
  sign: 1 | -1;
}
export interface Group {
  terms: Term[];
  coef: number;
  select: 'all' | 'positive' | 'negative';
}

export interface Rule {
  /** For reports and `Model.layers[].rules`, e.g. `epsilon(1e-06)`. */
  name: string;
  groups: Group[];
  /** ε of the stabilizer; null for none at all (LRP-0). */
  stabilizer: number | null;
}

/**
 * A modifier linear on each sign, w ↦ w + (w > 0 ? pos·w : w < 0 ? neg·w : 0): the identity, the
 * positive and negative parts (w − w is +0), γ's (w + γw⁺, w + γw⁻), each bit for bit as its
 * definition reads (a zero weight, of either sign, becomes +0).
 */
const bySign = (key: string, pos: number, neg: number): ParamModifier => ({
  key,
  map: (w) => w + (w > 0 ? pos * w : w < 0 ? neg * w : 0),
  scale: { pos, neg },
});

const identity = bySign('identity', 0, 0);
const positive = bySign('positive', 0, -1);
const negative = bySign('negative', -1, 0);
const withoutBias = (p: ParamModifier): ParamModifier => ({ ...p, zeroBias: true });
const ones: ParamModifier = { key: 'ones', map: () => 1, zeroBias: true };
const square: ParamModifier = { key: 'square', map: (w) => w * w };
const gammaPlus = (g: number): ParamModifier => bySign(`gamma+:${g}`, g, 0);
const gammaMinus = (g: number): ParamModifier => bySign(`gamma-:${g}`, 0, g);

const single = (input: InputModifier, param: ParamModifier): Group[] => [{ terms: [{ input, param, sign: 1 }], coef: 1, select: 'all' }];

/** Positive (x⁺w⁺ + x⁻w⁻ + b⁺) or negative (x⁺w⁻ + x⁻w⁺ + b⁻) contributions, each normalised by itself. */
const signedGroup = (sign: 'positive' | 'negative', coef: number): Group => {
  const [a, b] = sign === 'positive' ? [positive, negative] : [negative, positive];
  return {
    terms: [
      { input: 'positive', param: a, sign: 1 },
      { input: 'negative', param: withoutBias(b), sign: 1 },
    ],
    coef,
    select: 'all',
  };
};

const short = (v: number): string => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));

/** A rule as data: what `lrp-keras methods` says of it, and how it is made from the rule parameters. */
export interface RuleSpec {
  /** One line: what the rule does when a method applies it to every Dense/Conv. */
  description: string;
  make(p: RuleParams): Rule;
}

/**
 * Every rule, by id. Each id is also a method (the rule on every Dense/Conv) and a `layerRules`
 * value; composites pick from this table. A new rule is one entry (or `defineRule`).
 */
export const RULES: Record<string, RuleSpec> = {
  'lrp-0': {
    description: 'LRP-0 (ε = 0) on every Dense/Conv',
    make: () => ({ name: 'lrp-0', groups: single('x', identity), stabilizer: null }),
  },
  epsilon: {
    description: 'LRP-ε on every Dense/Conv (epsilon, default 1e-6)',
    make: (p) => ({ name: `epsilon(${short(p.epsilon)})`, groups: single('x', identity), stabilizer: p.epsilon }),
  },
  'z-plus': {
    description: 'LRP-z⁺ on every Dense/Conv',
    make: (p) => ({ name: 'z-plus', groups: [signedGroup('positive', 1)], stabilizer: p.stabilizer }),
  },
  'alpha-beta': {
    description: 'LRP-αβ on every Dense/Conv (alpha, beta; α − β = 1)',
    make: (p) => ({
      name: `alpha-beta(${p.alpha},${p.beta})`,
      groups: p.beta === 0 ? [signedGroup('positive', p.alpha)] : [signedGroup('positive', p.alpha), signedGroup('negative', -p.beta)],
      stabilizer: p.stabilizer,
    }),
  },
  /** Generalised γ: units with z > 0 favour positive contributions, units with z < 0 negative ones; z = 0 drops. */
  gamma: {
    description: 'generalised LRP-γ on every Dense/Conv (gamma, default 0.25)',
    make: (p) => ({
      name: `gamma(${p.gamma})`,
      groups: [
        {
          terms: [
            { input: 'positive', param: gammaPlus(p.gamma), sign: 1 },
            { input: 'negative', param: withoutBias(gammaMinus(p.gamma)), sign: 1 },
          ],
          coef: 1,
          select: 'positive',
        },
        {
          terms: [
            { input: 'positive', param: gammaMinus(p.gamma), sign: 1 },
            { input: 'negative', param: withoutBias(gammaPlus(p.gamma)), sign: 1 },
          ],
          coef: 1,
          select: 'negative',
        },
      ],
      stabilizer: p.stabilizer,
    }),
  },
  /** Every input of a unit gets an equal share (Nⱼ = the number of its real inputs). */
  flat: {
    description: 'flat rule on every Dense/Conv',
    make: (p) => ({ name: 'flat', groups: single('ones', ones), stabilizer: p.stabilizer }),
  },
  /** Shares by squared weights; b² stays in the denominator. */
  'w-square': {
    description: 'w² rule on every Dense/Conv',
    make: (p) => ({ name: 'w-square', groups: single('ones', square), stabilizer: p.stabilizer }),
  },
  /** zB (Montavon et al. 2017) for inputs bounded by [low, high]; the bias cancels out. */
  'z-box': {
    description: 'zB rule on every Dense/Conv (low, high), meant for the first layer',
    make: (p) => ({
      name: 'z-box',
      groups: [
        {
          terms: [
            { input: 'x', param: identity, sign: 1 },
            { input: 'low', param: positive, sign: -1 },
            { input: 'high', param: negative, sign: -1 },
          ],
          coef: 1,
          select: 'all',
        },
      ],
      stabilizer: p.stabilizer,
    }),
  },
};

/** A rule by id with the given parameters. */
export const makeRule = (id: string, p: RuleParams): Rule => RULES[id].make(p);

/** The rule reads the z-box bounds (a term whose input is `low` or `high`). */
export const needsBounds = (rule: Rule): boolean => rule.groups.some((g) => g.terms.some((t) => t.input === 'low' || t.input === 'high'));
