import type { Bounds } from '../lrp/linear-rule.js';
import { assignRules } from '../lrp/composites.js';
import { overrideRules } from '../lrp/overrides.js';
import { ruleParams, type RuleParams } from '../lrp/parameters.js';
import { checkLrpRules, relevanceStep } from '../lrp/relevance-step.js';
import { propagateBackward } from '../model/backward.js';
import { attentionOf } from './attention-weights.js';
import { boundsFor } from './bounds.js';
import { conditionFilter } from './concepts.js';
import { layerReport, type Explanation } from './conservation.js';
import type { LrpMethod } from './methods.js';
import type { Run } from './run.js';

/** Relevance from `logit[target]` (or an inner unit's value) back to each input under the method's rules (and `layerRules`). */
export function lrpRelevance(run: Run, method: LrpMethod, defaults: Partial<RuleParams>): Explanation[] {
  const { signals, sent } = lrpSignals(run, method, defaults);
  const graph = run.model.lrpGraph;
  const report = sent ? { ...layerReport(graph, signals, sent, run.n), ...attentionReport(graph, run) } : {};
  return graph.inputs.map((id, k) => ({
    shape: run.shapes[k].slice(),
    data: signals[id] ?? new Float32Array(run.xs[k].length),
    ...report,
  }));
}

/** Attention weights beside the relevance, for models that have attention. */
function attentionReport(graph: Run['model']['lrpGraph'], run: Run): { attention?: Explanation['attention'] } {
  const attention = attentionOf(graph, run.values, run.n);
  return Object.keys(attention).length ? { attention } : {};
}

/** The relevance at every tensor (and, with `returnLayers`, what each node sent back), kept to the `condition`'s channels at its layer. */
export function lrpSignals(
  run: Run,
  method: LrpMethod,
  defaults: Partial<RuleParams>,
): { signals: (Float32Array | undefined)[]; sent?: Float32Array[][] } {
  const { model, n, start, options, values } = run;
  const p = ruleParams(options, defaults);
  const graph = model.lrpGraph;
  checkLrpRules(graph, start.tensor);
  const rules = assignRules(graph, method.choose, p, overrideRules(options.layerRules, p, graph));
  const seed = start.mask.map((m, i) => (m === 0 ? 0 : m * values[start.tensor][i]));
  const bounds = (index: number): Bounds => boundsFor(graph, index, n, options.low ?? 0, options.high ?? 1);
  const sent: Float32Array[][] | undefined = options.returnLayers ? [] : undefined;
  // Recurrent layers use the method's ε, the stabiliser it gives a Dense layer (CONVENTIONS-RECURRENT.md §2).
  const recurrentEpsilon = method.choose({ kind: 'dense', firstLinear: false, firstConv: false }, p).stabilizer ?? 0;
  const step = relevanceStep(graph, n, rules, bounds, method.transformer, p.stabilizer, recurrentEpsilon);
  const signals = propagateBackward(
    graph,
    values,
    start.tensor,
    seed,
    (...args) => {
      run.between();
      return step(...args);
    },
    sent,
    conditionFilter(model, options.condition, start.tensor),
  );
  return { signals, sent };
}
