import { getOrCreate } from '../get-or-create.js';

/**
 * Arrays prepared from a weight array (packed panels, a modified kernel or bias), kept with it under
 * a key that names the preparation: the six most recently used per array, so that a sweep over
 * many modifiers (γ values, say) does not grow memory while one method's needs (epsilon-plus: up
 * to five per layer) stay prepared. Dropped with the weights.
 */
const KEEP_PER_ARRAY = 6;

const kept = new WeakMap<Float32Array, Map<string, Float32Array>>();

export function prepared(source: Float32Array, key: string, make: () => Float32Array): Float32Array {
  const byKey = getOrCreate(kept, source, () => new Map<string, Float32Array>());
  let value = byKey.get(key);
  if (value) {
    byKey.delete(key); // re-inserted below: a Map keeps insertion order, its first key is the least recently used
  } else {
    value = make();
    const oldest = byKey.keys().next();
    if (byKey.size >= KEEP_PER_ARRAY && !oldest.done) byKey.delete(oldest.value);
  }
  byKey.set(key, value);
  return value;
}
