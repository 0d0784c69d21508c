import type { Model } from '../index.js';

/** A model input or output as the API lists it. */
export interface NamedShape {
  name: string;
  /** Without the batch axis; null marks a free dimension (JSON null). */
  shape: (number | null)[];
}

export const modelInputs = (model: Model): NamedShape[] => model.inputNames.map((name, i) => ({ name, shape: [...model.inputShapes[i]] }));

export const modelOutputs = (model: Model): NamedShape[] =>
  model.outputNames.map((name, i) => ({ name, shape: [...model.outputShapes[i]] }));
