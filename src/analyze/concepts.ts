import { fail } from '../errors.js';
import type { SignalFilter } from '../model/backward.js';
import { tensorShape } from '../model/graph.js';
import type { ModelInternals } from '../model/model.js';
import { channelAxis, channelMask, layerTensor } from './start.js';

/**
 * Concept-conditional relevance (Achtibat et al. 2023, CRP): at the output of `layer`, only the
 * relevance of `channels` goes on down; the rest is set to 0. Relevance on paths that bypass the
 * layer (a residual skip, another input) is left as it is.
 */
export interface Condition {
  layer: string;
  channels: number[];
}

/** The tensor a condition's layer outputs and its channel axis and count, checked. */
export function conditionLayer(model: ModelInternals, layer: unknown, what: string): { tensor: number; shape: number[]; axis: number } {
  const tensor = layerTensor(model, layer, what, true);
  const shape = tensorShape(model.lrpGraph, tensor);
  return { tensor, shape, axis: channelAxis(model.lrpGraph, shape) };
}

/** The filter that keeps only the condition's channels at its layer (none without a condition). */
export function conditionFilter(model: ModelInternals, condition: unknown, startTensor: number): SignalFilter | undefined {
  if (condition === undefined) return undefined;
  const c = condition as Partial<Condition>;
  if (typeof condition !== 'object' || condition === null || !Array.isArray(c.channels) || c.channels.length === 0) {
    return fail(`option condition must be {layer, channels} with a non-empty array of channel indices, got ${JSON.stringify(condition)}`);
  }
  const { tensor, shape, axis } = conditionLayer(model, c.layer, 'option condition.layer');
  for (const k of c.channels) {
    if (!Number.isInteger(k) || k < 0 || k >= shape[axis])
      fail(`option condition.channels: ${JSON.stringify(k)} is not a channel of layer '${c.layer}' (0 to ${shape[axis] - 1})`);
  }
  if (tensor > startTensor) fail(`option condition.layer: '${c.layer}' comes after the target, so no relevance reaches it`);
  const one = channelMask(shape, axis, c.channels);
  return (id, signal) => (id === tensor ? signal.map((r, i) => r * one[i % one.length]) : signal);
}
