import { resolveTargets } from '../attribution/targets.js';
import { ALIASES, analyze, LrpKerasError, type Model, type Tensor, type TensorLike } from '../index.js';
import { HttpError } from './http-error.js';
import type { ExplainJob } from './explain-request.js';
import { modelOutputs } from './model-io.js';

/**
 * Runs an explain job a few samples at a time, yielding to the event loop between chunks so that other
 * requests take turns; a request past its deadline or whose client has gone stops computing (analyze
 * checks its signal between layers).
 * Samples are independent, so chunks give the bits one `analyze` call on the whole batch gives
 * (analyze itself runs large batches in chunks); smoothgrad draws its noise over the whole batch in
 * order, so it runs in one piece.
 */

/**
 * Samples per turn. Two keep most of batching's gain (MobileNetV2: 1.27 s a sample at batch 4, 1.54 s
 * at batch 1) while other requests get a turn every two samples.
 */
const CHUNK_SAMPLES = 2;
const WHOLE_BATCH_METHODS = new Set(['smoothgrad']);

export interface Explained {
  /** One tensor per model input. */
  relevance: Tensor[];
  /** The logits of the explained output. */
  logits: Tensor;
  /** The class explained per sample. */
  target: number[];
}

const rowsOf = (t: Tensor, from: number, to: number): Tensor => {
  const size = t.data.length / t.shape[0];
  return { shape: [to - from, ...t.shape.slice(1)], data: t.data.subarray(from * size, to * size) };
};

/** The inputs as analyze takes them: one tensor for a one-input model, else the list in input order. */
const asArgument = (inputs: Tensor[]): TensorLike | readonly TensorLike[] => (inputs.length === 1 ? inputs[0] : inputs);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The explained output's logits (`output` by name or index, default the first). */
function outputLogits(model: Model, job: ExplainJob): Tensor {
  const all = asList(model.logits(asArgument(job.inputs)));
  const { output = 0 } = job.options;
  const index = typeof output === 'number' ? output : modelOutputs(model).findIndex((o) => o.name === output);
  if (!(index >= 0 && index < all.length))
    throw new LrpKerasError(
      `field output: ${JSON.stringify(output)} is not one of the model's outputs (${modelOutputs(model)
        .map((o) => o.name)
        .join(', ')})`,
    );
  return all[index];
}

/** Logits and targets: a wrong target or output is the client's mistake, found before any relevance is computed. */
export function predictJob(model: Model, job: ExplainJob): { logits: Tensor; target: number[] } {
  const logits = outputLogits(model, job);
  return { logits, target: resolveTargets(job.options.target, logits.data, job.n) };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const TIMEOUT_MESSAGE = 'the explanation did not finish within the time limit; retry later or send fewer samples';

/**
 * A signal for `analyze` that is aborted once `deadline` has passed or `request` is aborted.
 * analyze runs synchronously, so no timer can abort a signal while it runs; this one reads the clock
 * each time analyze checks it (between layers and chunks). analyze reads only `aborted` and `reason`.
 */
function deadlineSignal(request: AbortSignal, deadline: number): AbortSignal {
  return Object.create(request, {
    aborted: { get: () => request.aborted || Date.now() > deadline },
    reason: { get: () => (request.aborted ? request.reason : new Error('time limit')) },
  }) as AbortSignal;
}

/** The relevance of every sample, chunk by chunk; stops with a 503 at `deadline` or when `signal` aborts. */
export async function relevanceOf(model: Model, job: ExplainJob, deadline: number, signal: AbortSignal): Promise<Tensor[]> {
  const method = ALIASES[job.method]?.method ?? job.method;
  const chunk = WHOLE_BATCH_METHODS.has(method) ? job.n : CHUNK_SAMPLES;
  const relevance = job.inputs.map((t) => ({ shape: t.shape.slice(), data: new Float32Array(t.data.length) }));
  const stop = deadlineSignal(signal, deadline);
  for (let from = 0; from < job.n; from += chunk) {
    if (from > 0) await nextTurn();
    if (stop.aborted) throw new HttpError(503, 'timeout', TIMEOUT_MESSAGE);
    const to = Math.min(job.n, from + chunk);
    const target = Array.isArray(job.options.target) ? job.options.target.slice(from, to) : job.options.target;
    const options = { ...job.options, method: job.method, target, signal: stop };
    let part: Tensor[];
    try {
      part = asList<Tensor>(analyze(model, asArgument(job.inputs.map((t) => rowsOf(t, from, to))), options));
    } catch (e) {
      if (stop.aborted && e instanceof LrpKerasError && e.message.startsWith('aborted'))
        throw new HttpError(503, 'timeout', TIMEOUT_MESSAGE);
      throw e;
    }
    part.forEach((r, k) => {
      relevance[k].data.set(r.data, (from * r.data.length) / (to - from));
    });
  }
  return relevance;
}
