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

export interface Term { input: InputModifier; param: ParamModifier; sign: 1 | -1 }
export interface Group { terms: Term[]; coef: number; select: 'all' | 'positive' | 'negative' }

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
const bySign = (key: string, pos: number, neg: number): ParamModifier => ({ key, map: (w) => w + (w > 0 ? pos * w : w < 0 ? neg * w : 0), scale: { pos, neg } });

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
  return { terms: [{ input: 'positive', param: a, sign: 1 }, { input: 'negative', param: withoutBias(b), sign: 1 }], coef, select: 'all' };
};

const short = (v: number): string => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));

export const epsilonRule = (epsilon: number): Rule => ({ name: `epsilon(${short(epsilon)})`, groups: single('x', identity), stabilizer: epsilon });

export const lrp0Rule = (): Rule => ({ name: 'lrp-0', groups: single('x', identity), stabilizer: null });

export const zPlusRule = (): Rule => ({ name: 'z-plus', groups: [signedGroup('positive', 1)], stabilizer: 1e-6 });

export const alphaBetaRule = (alpha: number, beta: number): Rule => ({
  name: `alpha-beta(${alpha},${beta})`,
  groups: beta === 0 ? [signedGroup('positive', alpha)] : [signedGroup('positive', alpha), signedGroup('negative', -beta)],
  stabilizer: 1e-6,
});

/** Generalised γ: units with z > 0 favour positive contributions, units with z < 0 negative ones; z = 0 drops. */
export const gammaRule = (gamma: number): Rule => ({
  name: `gamma(${gamma})`,
  groups: [
    { terms: [{ input: 'positive', param: gammaPlus(gamma), sign: 1 }, { input: 'negative', param: withoutBias(gammaMinus(gamma)), sign: 1 }], coef: 1, select: 'positive' },
    { terms: [{ input: 'positive', param: gammaMinus(gamma), sign: 1 }, { input: 'negative', param: withoutBias(gammaPlus(gamma)), sign: 1 }], coef: 1, select: 'negative' },
  ],
  stabilizer: 1e-6,
});

/** Flat: every input of a unit gets an equal share (Nⱼ = the number of its real inputs). */
export const flatRule = (): Rule => ({ name: 'flat', groups: single('ones', ones), stabilizer: 1e-6 });

/** w²: shares by squared weights; b² stays in the denominator. */
export const wSquareRule = (): Rule => ({ name: 'w-square', groups: single('ones', square), stabilizer: 1e-6 });

/** zB (Montavon et al. 2017) for inputs bounded by [low, high]; the bias cancels out. */
export const zBoxRule = (): Rule => ({
  name: 'z-box',
  groups: [{
    terms: [
      { input: 'x', param: identity, sign: 1 },
      { input: 'low', param: positive, sign: -1 },
      { input: 'high', param: negative, sign: -1 },
    ],
    coef: 1,
    select: 'all',
  }],
  stabilizer: 1e-6,
});
