/**
 * Layers that pass their input's mask on to their output (CONVENTIONS-RECURRENT.md §1, "mask
 * propagation"): dropout and noise layers, activations, normalisations, Dense and TimeDistributed on
 * sequences. Recurrent layers set their own (kept with `return_sequences`); every other layer drops it
 * (Conv1D, pooling, Flatten, merges).
 */
export const KEEPS_MASK: ReadonlySet<string> = new Set([
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'PReLU',
  'ThresholdedReLU',
  'Softmax',
  'BatchNormalization',
  'LayerNormalization',
  'Dense',
  'TimeDistributed',
]);

/** Whether a layer of `className` carries the mask from an input of `inShape` to an output of `outShape` (same time axis). */
export const carriesMask = (className: string, inShape: number[], outShape: number[]): boolean =>
  KEEPS_MASK.has(className) && inShape.length >= 2 && outShape.length >= 2 && inShape[0] === outShape[0];
