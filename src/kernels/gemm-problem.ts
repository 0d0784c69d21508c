import type { ConvGeometry } from './geometry.js';

/**
 * The vocabulary of the matrix-multiply core (gemm.ts), kept apart so that the kernels built on it
 * (depthwise.ts, the thread pool) read the problem without importing the core itself.
 */

/** How the GEMM reads its left operand A (M × K) from a tensor. */
export type LeftOperand =
  /** A[m, k] = a[m·lda + k] (Dense, and the transposed Dense with lda = out features). */
  | { kind: 'rows'; lda: number }
  /** Conv forward: row m is output pixel (s, oy, ox), column k the window tap (ky, kx, ci) of `group`. */
  | { kind: 'patches'; geom: ConvGeometry; group: number }
  /**
   * Conv transpose (backward-data): row m is input pixel (s, iy, ix), column k = (ky, kx, o) the
   * output cell of channel o whose window reads that pixel through tap (ky, kx), or 0 if none does.
   */
  | { kind: 'transposed-patches'; geom: ConvGeometry; group: number };

/** Which values of the left operand a product reads: all of them, or only its positive or negative ones. */
export type SignPart = 'all' | 'positive' | 'negative';

export interface GemmProblem {
  M: number;
  N: number;
  K: number;
  left: LeftOperand;
  a: Float32Array;
  part: SignPart;
  /** B packed by `packRight` (panels of four columns, zero-padded), or the kernel itself when `depthwise`. */
  right: Float32Array;
  /** B is block-diagonal, a depthwise convolution's kernel read where it lies (see depthwise.ts). */
  depthwise?: boolean;
  bias: Float32Array | null;
  /** Index in `bias` of column 0. */
  biasOffset: number;
  /** C[m, n] is c[cOffset + m·ldc + n]. */
  c: Float32Array;
  ldc: number;
  cOffset: number;
}

/** Rows and columns of a register tile. */
export const TILE = 4;

/**
 * Where B[k, n] sits in a weight array. k splits as k = kOuter·inner + kInner, and B[k, n] is
 * w[base + kOuter·outerStride + kInner·innerStride + n·nStride]: every Dense/Conv kernel and its
 * transpose, in Keras' layout, is such a view.
 */
export interface RightLayout {
  K: number;
  N: number;
  inner: number;
  base: number;
  outerStride: number;
  innerStride: number;
  nStride: number;
}

/**
 * A weight array as a product reads it: as stored, or through an elementwise transform that packing
 * applies as it copies (no transformed copy is made). `cacheKey` names the transform in the caches of
 * packed weights, so arrays prepared under one transform are never served for another.
 */
export interface WeightView {
  W: Float32Array;
  transform: ((w: number) => number) | null;
  /** The transform's slopes when it is w ↦ w + (w > 0 ? pos·w : w < 0 ? neg·w : 0): packing applies them inline, without a call per weight. */
  slopes?: { pos: number; neg: number };
  cacheKey: string;
}

export const plainWeights = (W: Float32Array): WeightView => ({ W, transform: null, cacheKey: 'identity' });

export const panelsOf = (N: number): number => Math.ceil(N / TILE);

/** A GEMM as layers ask for it: the weights as stored (with their modifier) and how to read them as B. */
export interface GemmCall extends Omit<GemmProblem, 'right'> {
  weights: WeightView;
  layout: RightLayout;
  /** Names the layout in the cache of packed weights, e.g. `dense`, `conv-t:0`. */
  layoutKey: string;
}
