import { fail } from '../errors.js';
import { withExecutor } from '../kernels/gemm.js';
import { modelInternals, packInput, type Model, type ModelInput } from '../model/model.js';
import { forwardAll } from '../model/ops.js';
import { executorFor } from '../parallel/threads.js';
import { conditionLayer } from './concepts.js';
import { lrpSignals } from './lrp.js';
import { resolveMethod } from './methods.js';
import { abortCheck, checkOptions, type AnalyzeOptions } from './options.js';
import { startOf } from './start.js';

/** A channel of a layer and the LRP relevance it holds for one sample's prediction. */
export interface Concept {
  channel: number;
  relevance: number;
}

/**
 * The channels of `layer` ranked by the LRP relevance they hold for each sample's prediction (the
 * sum over the channel's positions, unconditioned), most relevant first: the "top concepts" to pass
 * to `condition`. `options` are those of `analyze` with an LRP method.
 */
export function topConcepts(model: Model, x: ModelInput, layer: string, options: AnalyzeOptions): Concept[][] {
  checkOptions(options);
  const { data, n, shapes } = packInput(model, x, 'topConcepts: input');
  const inner = modelInternals(model, shapes, options.output);
  const { id, method, defaults } = resolveMethod(options.method);
  if (method.family !== 'lrp') fail(`topConcepts: method '${id}' is not an LRP method; concepts are ranked by LRP relevance`);
  if (options.condition !== undefined) fail('topConcepts: option condition is not allowed here (the ranking is unconditioned)');
  const { tensor, shape, axis } = conditionLayer(inner, layer, 'topConcepts: layer');
  const between = abortCheck(options.signal);
  const relevance = withExecutor(executorFor(options.threads), () => {
    const values = forwardAll(inner.lrpGraph, data, n, between);
    const start = startOf(inner, options.target, values[inner.logitsTensor], n, true);
    if (tensor > start.tensor) fail(`topConcepts: layer '${layer}' comes after the target, so no relevance reaches it`);
    const run = { model: inner, xs: data, n, shapes: shapes.map((s) => [n, ...s]), start, options, values, between };
    return lrpSignals(run, method, defaults).signals[tensor] ?? new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  });
  const size = relevance.length / n;
  const channels = shape[axis];
  const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, s) => {
    const sums = new Float64Array(channels);
    for (let i = 0; i < size; i++) sums[Math.floor(i / stride) % channels] += relevance[s * size + i];
    return Array.from(sums, (r, channel) => ({ channel, relevance: r })).sort((a, b) => b.relevance - a.relevance || a.channel - b.channel);
  });
}
