import { LrpKerasError } from '../errors.js';
import type { LinearOp } from '../model/graph.js';
import { linearForward, linearTranspose } from '../model/ops.js';
import type { InputModifier, ParamModifier, Rule } from './rules.js';

/** Bounds of the z-box rule, already broadcast to the layer input of one batch. */
export interface Bounds { low: Float32Array; high: Float32Array }

/** Modified kernels and biases, prepared once per layer and modifier and reused across calls. */
const prepared = new WeakMap<LinearOp, Map<string, { W: Float32Array; b: Float32Array | null }>>();

function modifiedParams(op: LinearOp, param: ParamModifier): { W: Float32Array; b: Float32Array | null } {
  let cache = prepared.get(op);
  if (!cache) prepared.set(op, (cache = new Map()));
  let entry = cache.get(param.key);
  if (!entry) {
    const b = param.zeroBias || !op.b ? null : op.b.map(param.map);
    entry = { W: param.key === 'identity' ? op.W : op.W.map(param.map), b };
    cache.set(param.key, entry);
  }
  return entry;
}

function modifiedInput(x: Float32Array, input: InputModifier, bounds: Bounds | undefined): Float32Array {
  switch (input) {
    case 'x': return x;
    case 'positive': return x.map((v) => (v > 0 ? v : 0));
    case 'negative': return x.map((v) => (v < 0 ? v : 0));
    case 'ones': return new Float32Array(x.length).fill(1);
    case 'low':
    case 'high':
      if (!bounds) throw new LrpKerasError('the z-box rule needs low and high bounds');
      return bounds[input];
  }
}

const stabilize = (z: number, epsilon: number): number => z + (z >= 0 ? epsilon : -epsilon);

/**
 * Relevance at the input of one Dense/Conv node under `rule`: the four steps of Zennit's BasicHook
 * (modified forward, divide, transposed kernel, multiply) for every term of every group.
 */
export function linearRelevance(
  op: LinearOp, rule: Rule, x: Float32Array, z: Float32Array, R: Float32Array, n: number, inSize: number, outSize: number, bounds?: Bounds,
): Float32Array {
  const Rin = new Float32Array(n * inSize);
  const inputs = new Map<InputModifier, Float32Array>();
  const inputOf = (m: InputModifier): Float32Array => {
    let v = inputs.get(m);
    if (!v) inputs.set(m, (v = modifiedInput(x, m, bounds)));
    return v;
  };
  for (const group of rule.groups) {
    const params = group.terms.map((t) => modifiedParams(op, t.param));
    const zg = new Float32Array(n * outSize);
    group.terms.forEach((t, k) => {
      const zt = linearForward(op, inputOf(t.input), params[k].W, params[k].b, n, outSize);
      for (let j = 0; j < zg.length; j++) zg[j] += t.sign * zt[j];
    });
    const s = new Float32Array(zg.length);
    for (let j = 0; j < s.length; j++) {
      const selected = group.select === 'all' || (group.select === 'positive' ? z[j] > 0 : z[j] < 0);
      if (!selected) continue;
      s[j] = rule.stabilizer === null ? R[j] / zg[j] : R[j] / stabilize(zg[j], rule.stabilizer);
    }
    group.terms.forEach((t, k) => {
      const c = linearTranspose(op, s, params[k].W, n, inSize);
      const xin = inputOf(t.input);
      const f = group.coef * t.sign;
      for (let i = 0; i < Rin.length; i++) Rin[i] += f * xin[i] * c[i];
    });
  }
  return Rin;
}
