import { resolveTargets } from '../attribution/targets.js';
import { withExecutor } from '../kernels/gemm.js';
import { chunkRows, rowsOf } from '../model/batching.js';
import { checkInput, modelInternals, type Model } from '../model/model.js';
import { forwardAll } from '../model/ops.js';
import { executorFor } from '../parallel/threads.js';
import type { TensorLike } from '../tensor.js';
import { chunkOptions, mergeExplanations } from './chunks.js';
import type { Explanation } from './conservation.js';
import { lrpRelevance } from './lrp.js';
import { resolveMethod } from './methods.js';
import { abortCheck, checkOptionKeys, type AnalyzeOptions } from './options.js';

export type { Target } from '../attribution/targets.js';
export type { ConservationRow, Explanation } from './conservation.js';
export { ALIASES, defineRule, METHODS } from './methods.js';
export type { AnalyzeOptions } from './options.js';

/** Explain the model's prediction for every sample of `x` with `options.method`. */
export function analyze(model: Model, x: TensorLike, options: AnalyzeOptions): Explanation {
  checkOptionKeys(options);
  resolveMethod(options.method);
  const { data, n, shape } = checkInput(model, x, `${String(options.method)}: input`);
  const rows = chunkRows(modelInternals(model).graph, options.batchSize);
  const between = abortCheck(options.signal);
  return withExecutor(executorFor(options.threads), () => {
    if (n <= rows) return explain(model, { shape, data }, options, between);
    // Samples are independent: a large batch runs in chunks, each with its rows of every per-sample option.
    const parts: Explanation[] = [];
    for (let from = 0; from < n; from += rows) {
      const to = Math.min(n, from + rows);
      parts.push(explain(model, { shape: [to - from, ...shape.slice(1)], data: rowsOf(data, n, from, to) }, chunkOptions(options, n, from, to), between));
    }
    return mergeExplanations(parts);
  });
}

/** One chunk: the forward pass (of the graph the method reads), the targets, then the method. */
function explain(model: Model, x: TensorLike, options: AnalyzeOptions, between: () => void): Explanation {
  const inner = modelInternals(model);
  const { id, method, defaults } = resolveMethod(options.method);
  const { data, n, shape } = checkInput(model, x, `${id}: input`);
  const values = forwardAll(method.family === 'lrp' ? inner.lrpGraph : inner.graph, data, n, between);
  const targets = resolveTargets(options.target, values[inner.logitsTensor], n);
  const run = { model: inner, x: data, n, shape, targets, options, values, between };
  if (method.family === 'lrp') return lrpRelevance(run, method, defaults);
  return { shape: shape.slice(), data: method.attribute(run) };
}

/** LRP with the default composite `epsilon-plus` (Dense ε, Conv z⁺). */
export function lrp(model: Model, x: TensorLike, options: Partial<AnalyzeOptions> = {}): Explanation {
  return analyze(model, x, { ...options, method: options.method ?? 'epsilon-plus' });
}
