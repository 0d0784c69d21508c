import { LrpKerasError } from './errors.js';

/** Row-major float32 tensor, batch first, in the model's Keras layout. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** What the public functions accept as a tensor: `{shape, data}`, an ndarray, or nested number arrays. */
export type TensorLike =
  | Tensor
  | { shape: readonly number[]; data: ArrayLike<number>; stride?: readonly number[]; offset?: number }
  | NestedArray;
export type NestedArray = number[] | NestedArray[];

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export const formatShape = (shape: readonly (number | null)[]): string =>
  `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;

/** Normalise any accepted input into a packed Float32 tensor; `what` names the argument in errors. */
export function toTensor(value: TensorLike, what = 'input'): Tensor {
  if (Array.isArray(value)) return fromNested(value, what);
  if (value === null || typeof value !== 'object' || !('shape' in value) || !('data' in value)) {
    throw new LrpKerasError(`${what}: expected {shape, data}, an ndarray or nested number arrays`);
  }
  const shape = Array.from(value.shape);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new LrpKerasError(`${what}: shape ${JSON.stringify(shape)} has an invalid dimension`);
  }
  const size = sizeOf(shape);
  const strided = value as { stride?: readonly number[]; offset?: number };
  if (strided.stride !== undefined && !isPacked(shape, strided.stride, strided.offset ?? 0)) {
    return { shape, data: packStrided(value.data, shape, strided.stride, strided.offset ?? 0) };
  }
  const offset = strided.offset ?? 0;
  if (value.data.length - offset < size) {
    throw new LrpKerasError(`${what}: shape ${formatShape(shape)} needs ${size} values, data has ${value.data.length - offset}`);
  }
  const data =
    value.data instanceof Float32Array && offset === 0 && value.data.length === size
      ? value.data
      : Float32Array.from({ length: size }, (_, i) => value.data[offset + i]);
  return { shape, data };
}

function isPacked(shape: number[], stride: readonly number[], offset: number): boolean {
  if (offset !== 0) return false;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] > 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

function packStrided(src: ArrayLike<number>, shape: number[], stride: readonly number[], offset: number): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d] * stride[d];
    out[i] = src[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

function fromNested(value: NestedArray, what: string): Tensor {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const data = new Float32Array(sizeOf(shape));
  let at = 0;
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw new LrpKerasError(`${what}: nested arrays must hold numbers at depth ${depth}`);
      data[at++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new LrpKerasError(`${what}: nested arrays are ragged at depth ${depth} (expected length ${shape[depth]})`);
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(value, 0);
  return { shape, data };
}

/** A declared shape whose every dimension is fixed; `what` names it when one is free (`null`). */
export function fixedShape(shape: readonly (number | null)[], what: string): number[] {
  if (shape.some((d) => d === null))
    throw new LrpKerasError(`${what} has free dimensions ${formatShape([null, ...shape])}; give a concrete shape`);
  return shape as number[];
}
