// lrp-keras/ndarray: interop with scijs ndarray, for Node and browsers only. ndarray (and ndarray-ops,
// through cwise) compile their code with `new Function`, which Cloudflare Workers and Vercel's edge
// runtime refuse; that is why this lives in its own entry point and the core never imports it.
// `ndarray` is an optional peer dependency: install it beside lrp-keras to use this entry.
import ndarray from 'ndarray';
import { LrpKerasError } from './errors.js';
import { formatShape, sizeOf, toTensor, type Tensor } from './tensor.js';

/** A scijs ndarray over float32 data (its API as @types/ndarray describes it, without needing that package). */
export interface Float32NdArray {
  data: Float32Array;
  shape: number[];
  stride: number[];
  offset: number;
  dtype: 'float32';
  size: number;
  dimension: number;
  order: number[];
  get(...index: number[]): number;
  set(...indexAndValue: number[]): number;
  index(...index: number[]): number;
  pick(...index: (number | null)[]): Float32NdArray;
  transpose(...axes: number[]): Float32NdArray;
  lo(...index: number[]): Float32NdArray;
  hi(...index: number[]): Float32NdArray;
  step(...steps: number[]): Float32NdArray;
  T: Float32NdArray;
}

/** What `fromNdarray` reads: any ndarray (any dtype, strides and offset, so views too). */
export interface NdArrayLike {
  data: ArrayLike<number>;
  shape: readonly number[];
  stride: readonly number[];
  offset: number;
}

/**
 * A tensor (an explanation, logits, an input) as an ndarray over the same data, without a copy:
 * writing into one writes into the other.
 */
export function toNdarray(tensor: Tensor): Float32NdArray {
  if (tensor === null || typeof tensor !== 'object' || !(tensor.data instanceof Float32Array) || !Array.isArray(tensor.shape)) {
    throw new LrpKerasError('toNdarray: expected a {shape, data: Float32Array} tensor');
  }
  if (sizeOf(tensor.shape) !== tensor.data.length) {
    throw new LrpKerasError(
      `toNdarray: shape ${formatShape(tensor.shape)} needs ${sizeOf(tensor.shape)} values, data has ${tensor.data.length}`,
    );
  }
  return ndarray(tensor.data, [...tensor.shape]) as unknown as Float32NdArray;
}

/**
 * An ndarray as a packed float32 tensor, in index order whatever its strides (a transposed or picked
 * view is read as it looks); a packed float32 ndarray keeps its data, others are copied. `analyze`, `lrp`, `predict` and `logits` accept ndarrays as they are; this
 * is for when the tensor itself is wanted.
 */
export function fromNdarray(array: NdArrayLike): Tensor {
  if (array === null || typeof array !== 'object' || !Array.isArray(array.stride)) {
    throw new LrpKerasError('fromNdarray: expected an ndarray ({data, shape, stride, offset})');
  }
  return toTensor({ data: array.data, shape: array.shape, stride: array.stride, offset: array.offset ?? 0 }, 'ndarray');
}
