import type { ModelInternals } from '../model/model.js';
import type { AnalyzeOptions } from './options.js';
import type { Start } from './start.js';

/** What every method works from: one chunk of samples, what it explains and the forward pass of the graph it reads. */
export interface Run {
  model: ModelInternals;
  /** One array per model input. */
  xs: Float32Array[];
  n: number;
  /** Each input's shape with the batch axis. */
  shapes: number[][];
  /** The tensor and units explained. */
  start: Start;
  options: AnalyzeOptions;
  values: Float32Array[];
  /** Runs between layers (the abort check). */
  between: () => void;
}
