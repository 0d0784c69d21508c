/**
 * What a run should not pass over in silence: a sample whose relevance or logits are all zero or
 * not finite gives a blank or meaningless heatmap. The CLI prints these on stderr and lists them
 * under `warnings` with --json.
 */

type Values = Float32Array;

const allZero = (v: Values): boolean => v.every((x) => x === 0);
const nonFinite = (v: Values): number => v.reduce((n, x) => (Number.isFinite(x) ? n : n + 1), 0);

/**
 * The warnings for one sample (`name`) from its relevance and the model's output, and its logits,
 * asked for only to say why relevance is zero or not finite (they cost a forward pass).
 */
export function sampleWarnings(name: string, relevance: Values, output: Values, logits: () => Values): string[] {
  const badRelevance = nonFinite(relevance);
  const zero = badRelevance === 0 && allZero(relevance);
  const badOutput = nonFinite(output);
  if (badRelevance === 0 && !zero)
    return badOutput > 0 ? [`${name}: ${badOutput} of the model's ${output.length} outputs are not finite`] : [];
  const out = logits();
  const badLogits = nonFinite(out);
  const why =
    badLogits > 0 ? ` (${badLogits} of its ${out.length} logits are not finite)` : allZero(out) ? ' (its logits are all zero)' : '';
  return badRelevance > 0
    ? [`${name}: ${badRelevance} relevance values are not finite${why}; the heatmap draws them as zero`]
    : [`${name}: relevance is all zero${why}; the heatmap is blank`];
}

/** A copy with every non-finite value replaced by zero, for drawing; the values themselves when all are finite. */
export function finiteOrZero(values: Values): Values {
  return values.every(Number.isFinite) ? values : values.map((x) => (Number.isFinite(x) ? x : 0));
}
