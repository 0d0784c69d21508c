import { LrpKerasError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { textHeatmapANSI, textHeatmapHTML, type TextHeatmapOptions } from './text-heatmap.js';

/**
 * Relevance per time step of a sequence model (a transformer or RNN on (steps, features) inputs):
 * each step's relevance summed over its features, shown with the text heatmap, one cell per step.
 */

/** The relevance of each step of one sample of a (batch, steps, …) explanation, summed over the other axes. */
export function stepRelevance(relevance: Tensor, sample = 0): number[] {
  const [n, steps] = relevance.shape;
  if (relevance.shape.length < 2)
    throw new LrpKerasError(`step relevance: expected (batch, steps, …), got shape [${relevance.shape.join(', ')}]`);
  if (!Number.isInteger(sample) || sample < 0 || sample >= n)
    throw new LrpKerasError(`step relevance: sample ${sample} is not in the batch of ${n}`);
  const per = relevance.data.length / (n * steps);
  return Array.from({ length: steps }, (_, t) => {
    let sum = 0;
    for (let i = (sample * steps + t) * per; i < (sample * steps + t + 1) * per; i++) sum += relevance.data[i];
    return sum;
  });
}

/** Labels t0, t1, … or the caller's (dates, tokens). */
const labelsFor = (steps: number, labels?: readonly string[]): readonly string[] => {
  if (labels && labels.length !== steps) throw new LrpKerasError(`step heatmap: ${labels.length} labels for ${steps} steps`);
  return labels ?? Array.from({ length: steps }, (_, t) => `t${t}`);
};

/** One sample's steps as an HTML heatmap (see textHeatmapHTML). */
export function stepHeatmapHTML(
  relevance: Tensor,
  options: TextHeatmapOptions & { sample?: number; labels?: readonly string[]; page?: boolean } = {},
): string {
  const values = stepRelevance(relevance, options.sample ?? 0);
  return textHeatmapHTML(labelsFor(values.length, options.labels), values, options);
}

/** One sample's steps as terminal text (see textHeatmapANSI). */
export function stepHeatmapANSI(
  relevance: Tensor,
  options: TextHeatmapOptions & { sample?: number; labels?: readonly string[]; color?: boolean } = {},
): string {
  const values = stepRelevance(relevance, options.sample ?? 0);
  return textHeatmapANSI(labelsFor(values.length, options.labels), values, options);
}
