import type { CallSpec, TensorRef } from './config.js';
import { isObject } from '../json.js';

/** A Keras 3 `__keras_tensor__` reference, or tf.keras 2's `[layer, node, tensor]` (MultiHeadAttention's `value`, a TFOpLambda's `y`), or undefined. */
export function kerasTensorRef(v: unknown): TensorRef | undefined {
  if (Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2]))
    return { layer: v[0], node: v[1], tensor: v[2] };
  if (!isObject(v) || v.class_name !== '__keras_tensor__' || !isObject(v.config)) return undefined;
  const h = v.config.keras_history;
  if (!Array.isArray(h) || typeof h[0] !== 'string' || !Number.isInteger(h[1]) || !Number.isInteger(h[2])) return undefined;
  return { layer: h[0], node: h[1], tensor: h[2] };
}

/**
 * Tensors a call passes by keyword (Keras 3 writes `initial_state=[h, c]` and `mask=m` into the node's
 * kwargs as `__keras_tensor__`s; Keras 2 lists them with the positional inputs instead), by keyword.
 */
export function kwargTensorRefs(call: CallSpec): Record<string, TensorRef[]> {
  const out: Record<string, TensorRef[]> = {};
  for (const [key, value] of Object.entries(call.kwargs)) {
    const single = kerasTensorRef(value);
    const refs = single
      ? [single]
      : (Array.isArray(value) ? value : [value]).map(kerasTensorRef).filter((r): r is TensorRef => r !== undefined);
    if (refs.length) out[key] = refs;
  }
  return out;
}
