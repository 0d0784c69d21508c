import type { Model } from '../index.js';

/** A model input or output as the API lists it. */
export interface NamedShape {
  name: string;
  /** Without the batch axis. */
  shape: number[];
}

/**
 * The names and shapes of a model's inputs and outputs. Models with several inputs or outputs carry
 * `inputNames`/`inputShapes` (and the output pair; API.md); a model without them has one of each.
 */
interface ManyInOut {
  inputNames?: readonly string[];
  inputShapes?: readonly (readonly number[])[];
  outputNames?: readonly string[];
  outputShapes?: readonly (readonly number[])[];
}

const named = (names: readonly string[] | undefined, shapes: readonly (readonly number[])[] | undefined, only: readonly number[], fallback: string): NamedShape[] =>
  names && shapes ? names.map((name, i) => ({ name, shape: [...shapes[i]] })) : [{ name: fallback, shape: [...only] }];

export const modelInputs = (model: Model): NamedShape[] => {
  const m = model as Model & ManyInOut;
  return named(m.inputNames, m.inputShapes, model.inputShape, 'input');
};

export const modelOutputs = (model: Model): NamedShape[] => {
  const m = model as Model & ManyInOut;
  return named(m.outputNames, m.outputShapes, model.outputShape, 'output');
};
