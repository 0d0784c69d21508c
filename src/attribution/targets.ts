import { LrpKerasError } from '../errors.js';

/** Which class to explain: the top logit per sample, one class for all, or one per sample. */
export type Target = 'max' | number | number[];

const fail = (message: string): never => {
  throw new LrpKerasError(message);
};

/** Target class per sample, checked against the number of classes. */
export function resolveTargets(target: unknown, logits: Float32Array, n: number): number[] {
  const t = target ?? 'max';
  const classes = logits.length / n;
  const check = (c: unknown, i: number): number =>
    Number.isInteger(c) && (c as number) >= 0 && (c as number) < classes
      ? (c as number)
      : fail(`option target: ${JSON.stringify(c)} for sample ${i} is not a class index in [0, ${classes - 1}]`);
  if (t === 'max') {
    return Array.from({ length: n }, (_, s) => {
      let best = 0;
      for (let k = 1; k < classes; k++) if (logits[s * classes + k] > logits[s * classes + best]) best = k;
      return best;
    });
  }
  if (Array.isArray(t)) {
    if (t.length !== n) fail(`option target: ${t.length} indices for a batch of ${n}`);
    return t.map(check);
  }
  if (typeof t === 'number') return Array.from({ length: n }, (_, i) => check(t, i));
  return fail(`option target must be 'max', a class index or one index per sample, got ${JSON.stringify(t)}`);
}
