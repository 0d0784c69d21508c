// Seeded random tensors and the error measure of the kernel tests.
import { uniformGenerator } from '../src/attribution/random.js';

export function random(seed: number): () => number {
  const uniform = uniformGenerator(seed);
  return () => uniform() - 0.5;
}

export const randomArray = (length: number, seed: number): Float32Array => {
  const r = random(seed);
  return Float32Array.from({ length }, r);
};

/** max |a − b| / max(1, max |b|): the float32 rounding of sums of a few thousand products is far below 1e-5. */
export function relativeError(a: Float32Array, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}
