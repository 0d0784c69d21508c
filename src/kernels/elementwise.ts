/**
 * Element-wise merges of several tensors (Keras' Subtract, Multiply, Maximum, Minimum) with Keras'
 * broadcasting: shapes are aligned on their last axes (Keras expands the shorter ones after the batch
 * axis), an axis of length 1 repeats. Each input reads through a per-sample index map (null: the
 * output's own cell).
 */
export type Combine = 'subtract' | 'multiply' | 'maximum' | 'minimum';

/** The broadcast shape of `shapes` (without batch), or undefined when two lengths differ and neither is 1. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const d = rank - s.length + k;
      if (s[k] === out[d] || s[k] === 1) continue;
      if (out[d] !== 1) return undefined;
      out[d] = s[k];
    }
  }
  return out;
}

/** Which cell of an input of `inShape` each cell of `outShape` reads; null when the shapes are equal. */
export function broadcastMap(inShape: readonly number[], outShape: readonly number[]): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, k) => d === outShape[k])) return null;
  const offset = outShape.length - inShape.length;
  const stride = new Array<number>(outShape.length).fill(0);
  for (let k = inShape.length - 1, acc = 1; k >= 0; k--) {
    stride[k + offset] = inShape[k] === 1 ? 0 : acc;
    acc *= inShape[k];
  }
  const size = outShape.reduce((a, b) => a * b, 1);
  const map = new Int32Array(size);
  const index = new Array<number>(outShape.length).fill(0);
  let from = 0;
  for (let i = 0; i < size; i++) {
    map[i] = from;
    for (let d = outShape.length - 1; d >= 0; d--) {
      from += stride[d];
      if (++index[d] < outShape[d]) break;
      from -= stride[d] * outShape[d];
      index[d] = 0;
    }
  }
  return map;
}

/** The cell of a broadcast input that output cell i reads (no map: the same cell). */
export const cell = (map: Int32Array | null, i: number): number => (map ? map[i] : i);

/** y = x₀ ∘ x₁ ∘ … folded left to right, as Keras applies the operation pairwise. */
export function combineForward(
  kind: Combine,
  xs: Float32Array[],
  maps: (Int32Array | null)[],
  inSizes: number[],
  y: Float32Array,
  n: number,
  outSize: number,
): void {
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < outSize; i++) {
      let v = xs[0][s * inSizes[0] + cell(maps[0], i)];
      for (let k = 1; k < xs.length; k++) {
        const w = xs[k][s * inSizes[k] + cell(maps[k], i)];
        if (kind === 'subtract') v -= w;
        else if (kind === 'multiply') v *= w;
        else if (kind === 'maximum') v = w > v ? w : v;
        else v = w < v ? w : v;
      }
      y[s * outSize + i] = v;
    }
  }
}

/** Add a signal over the output back into input k's cells (the sum over its broadcast axes). */
export function scatterToInput(g: Float32Array, map: Int32Array | null, n: number, outSize: number, inSize: number): Float32Array {
  if (!map) return g;
  const gx = new Float32Array(n * inSize);
  for (let s = 0; s < n; s++) for (let i = 0; i < outSize; i++) gx[s * inSize + map[i]] += g[s * outSize + i];
  return gx;
}

/**
 * The first input (in input order) that holds each output value of a Maximum / Minimum: where the
 * gradient goes (TensorFlow's pairwise max/min send a tie to their first operand) and where
 * winner-take-all sends the relevance.
 */
export function winners(
  xs: Float32Array[],
  maps: (Int32Array | null)[],
  inSizes: number[],
  y: Float32Array,
  n: number,
  outSize: number,
): Uint16Array {
  const won = new Uint16Array(n * outSize);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < outSize; i++) {
      const v = y[s * outSize + i];
      let k = 0;
      while (k < xs.length - 1 && xs[k][s * inSizes[k] + cell(maps[k], i)] !== v) k++;
      won[s * outSize + i] = k;
    }
  }
  return won;
}

/** The exact adjoint of `combineForward` at its inputs: one gradient per input, in the input's shape. */
export function combineBackward(
  kind: Combine,
  xs: Float32Array[],
  maps: (Int32Array | null)[],
  inSizes: number[],
  y: Float32Array,
  gy: Float32Array,
  n: number,
  outSize: number,
): Float32Array[] {
  const parts = xs.map(() => new Float32Array(n * outSize));
  if (kind === 'subtract') {
    for (let j = 0; j < gy.length; j++) {
      parts[0][j] = gy[j];
      for (let k = 1; k < xs.length; k++) parts[k][j] = -gy[j];
    }
  } else if (kind === 'multiply') {
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < outSize; i++) {
        const j = s * outSize + i;
        for (let k = 0; k < xs.length; k++) {
          let p = gy[j];
          for (let m = 0; m < xs.length; m++) if (m !== k) p *= xs[m][s * inSizes[m] + cell(maps[m], i)];
          parts[k][j] = p;
        }
      }
    }
  } else {
    const won = winners(xs, maps, inSizes, y, n, outSize);
    for (let j = 0; j < gy.length; j++) parts[won[j]][j] = gy[j];
  }
  return parts.map((p, k) => scatterToInput(p, maps[k], n, outSize, inSizes[k]));
}
