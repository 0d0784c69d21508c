export { LrpKerasError } from './errors.js';
export type { Tensor, TensorLike } from './tensor.js';
export { loadModel, type LoadOptions } from './load.js';
export type { Model, ModelLayer } from './model/model.js';
export type { ModelSource } from './io/source.js';
export type { H5Reader } from './io/hdf5.js';
export { h5wasmReader } from './io/h5wasm-reader.js';
export { analyze, lrp, type AnalyzeOptions, type Explanation, type ConservationRow, type Target } from './analyze.js';
export { METHODS, ALIASES } from './attribution/methods.js';
