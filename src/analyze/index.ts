import { fail } from '../errors.js';
import { withPrecision } from '../kernels/backend.js';
import { withExecutor } from '../kernels/gemm.js';
import { chunkRows, rowsOf } from '../model/batching.js';
import { tensorShape } from '../model/graph.js';
import { modelInternals, packInput, type Model, type ModelInput, type ModelInternals } from '../model/model.js';
import { forwardAll } from '../model/ops.js';
import { executorFor } from '../parallel/threads.js';
import type { TensorLike } from '../tensor.js';
import { chunkOptions, mergeExplanations } from './chunks.js';
import type { Explanation } from './conservation.js';
import { lrpRelevance } from './lrp.js';
import { resolveMethod } from './methods.js';
import { abortCheck, checkOptions, precisionOf, type AnalyzeOptions } from './options.js';
import { startOf } from './start.js';

export type { Target } from '../attribution/targets.js';
export type { ConservationRow, Explanation } from './conservation.js';
export { ALIASES, defineRule, METHODS } from './methods.js';
export type { AnalyzeOptions } from './options.js';
export type { Condition } from './concepts.js';
export type { UnitTarget } from './start.js';
export { topConcepts, type Concept } from './top-concepts.js';

/**
 * Explain the model's prediction for every sample of `x` with `options.method`: relevance in the input's
 * shape, or for a model with several inputs an array with one relevance per input (in `inputNames` order).
 */
export function analyze(model: Model, x: TensorLike, options: AnalyzeOptions): Explanation;
export function analyze(model: Model, x: ModelInput, options: AnalyzeOptions): Explanation | Explanation[];
export function analyze(model: Model, x: ModelInput, options: AnalyzeOptions): Explanation | Explanation[] {
  checkOptions(options);
  const resolved = resolveMethod(options.method);
  const { data, n, shapes } = packInput(model, x, `${String(options.method)}: input`);
  const inner = modelInternals(model, shapes, options.output);
  const rows = chunkRows(inner.graph, options.batchSize);
  const between = abortCheck(options.signal);
  const perInput = withPrecision(precisionOf(options), () =>
    withExecutor(executorFor(options.threads), () => {
      if (n <= rows) return explain(inner, resolved, data, n, options, between);
      // Samples are independent: a large batch runs in chunks, each with its rows of every per-sample option.
      const parts: Explanation[][] = [];
      for (let from = 0; from < n; from += rows) {
        const to = Math.min(n, from + rows);
        parts.push(
          explain(
            inner,
            resolved,
            data.map((d) => rowsOf(d, n, from, to)),
            to - from,
            chunkOptions(options, n, from, to),
            between,
          ),
        );
      }
      return data.map((_, k) => mergeExplanations(parts.map((p) => p[k])));
    }),
  );
  return perInput.length === 1 ? perInput[0] : perInput;
}

/** One chunk: the forward pass (of the graph the method reads), the targets, then the method; one explanation per input. */
function explain(
  inner: ModelInternals,
  { id, method, defaults }: ReturnType<typeof resolveMethod>,
  xs: Float32Array[],
  n: number,
  options: AnalyzeOptions,
  between: () => void,
): Explanation[] {
  const lrp = method.family === 'lrp';
  if (options.condition !== undefined && !lrp) fail(`option condition: concept-conditional relevance needs an LRP method, not '${id}'`);
  const graph = lrp ? inner.lrpGraph : inner.graph;
  const shapes = graph.inputs.map((id) => [n, ...tensorShape(graph, id)]);
  const values = forwardAll(graph, xs, n, between);
  const start = startOf(inner, options.target, values[inner.logitsTensor], n, lrp);
  const run = { model: inner, xs, n, shapes, start, options, values, between };
  if (method.family === 'lrp') return lrpRelevance(run, method, defaults);
  if (method.family === 'map') return [method.explain(run)];
  return method.attribute(run).map((data, k) => ({ shape: shapes[k], data }));
}

/** LRP with the default composite `epsilon-plus` (Dense ε, Conv z⁺). */
export function lrp(model: Model, x: TensorLike, options?: Partial<AnalyzeOptions>): Explanation;
export function lrp(model: Model, x: ModelInput, options?: Partial<AnalyzeOptions>): Explanation | Explanation[];
export function lrp(model: Model, x: ModelInput, options: Partial<AnalyzeOptions> = {}): Explanation | Explanation[] {
  return analyze(model, x, { ...options, method: options.method ?? 'epsilon-plus' });
}
