import { LrpKerasError } from '../errors.js';
import type { SignPart, WeightView } from '../kernels/gemm-problem.js';
import { prepared } from '../kernels/prepared.js';
import type { LinearOp } from '../model/graph.js';
import { linearForward, linearTranspose } from '../model/ops.js';
import type { InputModifier, ParamModifier, Rule, Term } from './rules.js';

/** Bounds of the z-box rule, already broadcast to the layer input of one batch. */
export interface Bounds {
  low: Float32Array;
  high: Float32Array;
}

/**
 * A term's kernel is the layer's own with the rule's modifier, applied by the kernels as they pack
 * it (no modified copy per call); modified biases are small and kept per layer and modifier.
 */
function termWeights(op: LinearOp, param: ParamModifier): WeightView {
  return param.key === 'identity'
    ? { W: op.W, transform: null, cacheKey: param.key }
    : { W: op.W, transform: param.map, slopes: param.scale, cacheKey: param.key };
}

function termBias(op: LinearOp, param: ParamModifier): Float32Array | null {
  if (param.zeroBias || !op.b) return null;
  const b = op.b;
  return param.key === 'identity' ? b : prepared(b, `modified|${param.key}`, () => b.map(param.map));
}

/** What a term multiplies: a part of x read in place by the kernels, or another tensor (ones, a bound). */
interface TermInput {
  tensor: Float32Array;
  part: SignPart;
  vanishes: boolean;
}

const hasNegative = (x: Float32Array): boolean => {
  for (let i = 0; i < x.length; i++) if (x[i] < 0) return true;
  return false;
};

const hasPositive = (x: Float32Array): boolean => {
  for (let i = 0; i < x.length; i++) if (x[i] > 0) return true;
  return false;
};

/**
 * The input of a term. After a relu x has no negative part: x⁺ is x itself and a term on x⁻ vanishes
 * (adds nothing to the relevance, nor to z unless it has a bias).
 */
function termInput(x: Float32Array, input: InputModifier, bounds: Bounds | undefined, nonNegative: () => boolean): TermInput {
  switch (input) {
    case 'x':
      return { tensor: x, part: 'all', vanishes: false };
    case 'positive':
      return nonNegative() ? { tensor: x, part: 'all', vanishes: false } : { tensor: x, part: 'positive', vanishes: !hasPositive(x) };
    case 'negative':
      return { tensor: x, part: 'negative', vanishes: nonNegative() };
    case 'ones':
      return { tensor: new Float32Array(x.length).fill(1), part: 'all', vanishes: false };
    case 'low':
    case 'high':
      if (!bounds) throw new LrpKerasError('the z-box rule needs low and high bounds');
      return { tensor: bounds[input], part: 'all', vanishes: false };
  }
}

/** The group's denominator is the layer's own output z when its one term is the unmodified layer. */
const isPlainLayer = (terms: Term[]): boolean =>
  terms.length === 1 && terms[0].input === 'x' && terms[0].param.key === 'identity' && !terms[0].param.zeroBias && terms[0].sign === 1;

const stabilize = (z: number, epsilon: number): number => z + (z >= 0 ? epsilon : -epsilon);

/**
 * z of a group: the layer's own output for the plain layer; the modified forward pass of its one
 * contributing term (bias included); or the signed sum of its terms' passes. Terms whose input
 * vanishes add only their bias, if they have one.
 */
function groupDenominator(
  op: LinearOp,
  all: Term[],
  contributing: Term[],
  inputOf: (m: InputModifier) => TermInput,
  z: Float32Array,
  n: number,
  outSize: number,
): Float32Array {
  if (isPlainLayer(all)) return z;
  const passes = all.filter((t) => contributing.includes(t) || termBias(op, t.param) !== null);
  const pass = (t: Term): Float32Array => {
    const xin = inputOf(t.input);
    return linearForward(op, xin.tensor, termWeights(op, t.param), termBias(op, t.param), n, outSize, xin.part);
  };
  if (passes.length === 1 && passes[0].sign === 1) return pass(passes[0]);
  const zg = new Float32Array(n * outSize);
  for (const t of passes) {
    const zt = pass(t);
    for (let j = 0; j < zg.length; j++) zg[j] += t.sign * zt[j];
  }
  return zg;
}

/**
 * Relevance at the input of one Dense/Conv node under `rule`: the four steps of Zennit's BasicHook
 * (modified forward, divide, transposed kernel, multiply) for every term of every group.
 */
export function linearRelevance(
  op: LinearOp,
  rule: Rule,
  x: Float32Array,
  z: Float32Array,
  R: Float32Array,
  n: number,
  inSize: number,
  outSize: number,
  bounds?: Bounds,
): Float32Array {
  let Rin: Float32Array | null = null;
  const inputs = new Map<InputModifier, TermInput>();
  let nonNegative: boolean | undefined;
  const isNonNegative = (): boolean => (nonNegative ??= !hasNegative(x));
  const inputOf = (m: InputModifier): TermInput => {
    const known = inputs.get(m);
    if (known) return known;
    const v = termInput(x, m, bounds, isNonNegative);
    inputs.set(m, v);
    return v;
  };
  for (const group of rule.groups) {
    const terms = group.terms.filter((t) => !inputOf(t.input).vanishes);
    const zg = groupDenominator(op, group.terms, terms, inputOf, z, n, outSize);
    // s = R / zg, written over zg when zg is this group's own array (not the layer's z).
    const s = zg === z ? new Float32Array(zg.length) : zg;
    const eps = rule.stabilizer;
    if (group.select === 'all' && eps !== null) {
      for (let j = 0; j < s.length; j++) s[j] = R[j] / stabilize(zg[j], eps);
    } else {
      for (let j = 0; j < s.length; j++) {
        const selected = group.select === 'all' || (group.select === 'positive' ? z[j] > 0 : z[j] < 0);
        s[j] = !selected ? 0 : eps === null ? R[j] / zg[j] : R[j] / stabilize(zg[j], eps);
      }
    }
    for (const t of terms) {
      const c = linearTranspose(op, s, termWeights(op, t.param), n, inSize);
      const { tensor, part } = inputOf(t.input);
      const f = group.coef * t.sign;
      // The first contribution is summed into its own transpose's array, not into a fresh one of zeros.
      const earlier: Float32Array | null = Rin;
      const out: Float32Array = earlier ?? c;
      for (let i = 0; i < out.length; i++) {
        const v = tensor[i];
        const xi = part === 'all' ? v : part === 'positive' ? (v > 0 ? v : 0) : v < 0 ? v : 0;
        out[i] = (earlier === null ? 0 : earlier[i]) + f * xi * c[i];
      }
      Rin = out;
    }
  }
  return Rin ?? new Float32Array(n * inSize);
}
