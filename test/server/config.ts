// What every runtime's server test serves: two fixture models and small limits, so that the limit
// cases stay cheap. Imports nothing, so Deno, Bun and workerd scripts can import it too.

/** Served name → fixture path (under test/fixtures). */
export const SERVED_MODELS: Record<string, string> = { cnn: 'models/cnn_keras3.h5', mlp: 'models/mlp.h5' };

export const TEST_LIMITS = {
  maxBodyBytes: 2 ** 20,
  maxBatch: 4,
  maxImagePixels: 2 ** 20,
  timeoutMs: 20_000,
  concurrency: 2,
  queue: 16,
};
