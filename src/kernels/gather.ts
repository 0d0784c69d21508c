/**
 * Re-indexing layers (Flatten in channels_first, Permute, padding, cropping, up-sampling, layout
 * transposes) as one index map per sample: y[i] = x[map[i]], or 0 where map[i] < 0.
 */
export function gatherForward(x: Float32Array, y: Float32Array, map: Int32Array, n: number, inSize: number): void {
  const outSize = map.length;
  for (let s = 0; s < n; s++) {
    const xo = s * inSize;
    const yo = s * outSize;
    for (let i = 0; i < outSize; i++) {
      const from = map[i];
      y[yo + i] = from < 0 ? 0 : x[xo + from];
    }
  }
}

/** The adjoint: every output cell sends its value back to the cell it came from (copies add up). */
export function gatherBackward(gy: Float32Array, gx: Float32Array, map: Int32Array, n: number, inSize: number): void {
  const outSize = map.length;
  gx.fill(0, 0, n * inSize);
  for (let s = 0; s < n; s++) {
    const xo = s * inSize;
    const yo = s * outSize;
    for (let i = 0; i < outSize; i++) {
      const from = map[i];
      if (from >= 0) gx[xo + from] += gy[yo + i];
    }
  }
}

/**
 * An index map over every cell of `outShape` in row-major order: `source(index, inStride)` gives the
 * input cell an output multi-index reads (or −1). Shared by the transpose and resampling maps.
 */
function indexMap(
  inShape: readonly number[],
  outShape: readonly number[],
  source: (index: number[], inStride: number[]) => number,
): Int32Array {
  const inStride = new Array<number>(inShape.length);
  for (let d = inShape.length - 1, acc = 1; d >= 0; d--) {
    inStride[d] = acc;
    acc *= inShape[d];
  }
  const size = outShape.reduce((a, b) => a * b, 1);
  const map = new Int32Array(size);
  const index = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < size; i++) {
    map[i] = source(index, inStride);
    for (let k = outShape.length - 1; k >= 0; k--) {
      if (++index[k] < outShape[k]) break;
      index[k] = 0;
    }
  }
  return map;
}

/** Index map of a transpose: output axis k is input axis perm[k]. */
export function permuteMap(inShape: readonly number[], perm: readonly number[]): Int32Array {
  return indexMap(
    inShape,
    perm.map((p) => inShape[p]),
    (index, inStride) => {
      let from = 0;
      for (let k = 0; k < perm.length; k++) from += index[k] * inStride[perm[k]];
      return from;
    },
  );
}

/**
 * Index map of padding (negative amounts crop) and nearest up-sampling over the leading spatial axes
 * of a channels-last shape: output cell p along axis d reads input floor((p − before[d]) / repeat[d]).
 */
export function resampleMap(
  inShape: readonly number[],
  before: readonly number[],
  after: readonly number[],
  repeat: readonly number[],
): { map: Int32Array; outShape: number[] } {
  const spatial = before.length;
  const outShape = inShape.map((n, d) => (d < spatial ? n * repeat[d] + before[d] + after[d] : n));
  const map = indexMap(inShape, outShape, (index, inStride) => {
    let from = 0;
    for (let d = 0; d < outShape.length; d++) {
      const p = d < spatial ? index[d] - before[d] : index[d];
      if (p < 0 || p >= inShape[d] * (d < spatial ? repeat[d] : 1)) return -1;
      from += (d < spatial ? Math.floor(p / repeat[d]) : p) * inStride[d];
    }
    return from;
  });
  return { map, outShape };
}
