// The universal entry point (edge isolates, browsers, Deno): no WebAssembly, no code generation, no
// Node modules. HDF5 is read by the pure-TypeScript reader; models come as bytes or http(s) URLs.
import { pureReader } from './io/hdf5-pure/index.js';
import { createLoadModel } from './load.js';

export const loadModel = createLoadModel({ readers: { pure: pureReader }, defaultReader: 'pure' });
export { LrpKerasError } from './errors.js';
export type { Tensor, TensorLike } from './tensor.js';
export type { LoadOptions } from './load.js';
export { DEFAULT_LIMITS, type Limits } from './io/limits.js';
export type { Model, ModelLayer } from './model/model.js';
export type { ModelSource } from './io/source.js';
export type { H5Reader, H5File, H5Group, H5Dataset, H5AttrValue } from './io/hdf5.js';
export { pureReader } from './io/hdf5-pure/index.js';
export {
  analyze,
  lrp,
  defineRule,
  topConcepts,
  METHODS,
  ALIASES,
  type AnalyzeOptions,
  type Explanation,
  type ConservationRow,
  type Target,
  type UnitTarget,
  type Condition,
  type Concept,
} from './analyze/index.js';
export type { Rule, RuleSpec } from './lrp/rules.js';
export type { RuleParams } from './lrp/parameters.js';
export { attentionWeights } from './analyze/attention-weights.js';
export { kernelBackend, prepareKernels, setKernelModule, type Precision } from './kernels/backend.js';
export {
  pixelFlipping,
  evaluateMethods,
  type PixelFlippingOptions,
  type PixelFlippingResult,
  type EvaluateMethodsOptions,
  type MethodEvaluation,
} from './evaluate/pixel-flipping.js';
