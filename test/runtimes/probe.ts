// What every runtime test runs inside its runtime: load each fixture model from its bytes, explain
// a fixed input with a few methods, and hand back the numbers for Node to compare with its own.
// It imports nothing: the library comes in as an argument, so the same code runs in workerd, Vercel's
// edge runtime, Chromium, Deno, Bun and Node.

/** The part of the library's API the probe uses (either entry point has it). */
export interface ProbeLibrary {
  loadModel(source: Uint8Array, options?: { reader?: unknown }): Promise<ProbeModel>;
  lrp(model: ProbeModel, x: ProbeTensor): ProbeTensor;
  analyze(model: ProbeModel, x: ProbeTensor, options: { method: string }): ProbeTensor;
}
interface ProbeModel {
  inputShape: number[];
  logits(x: ProbeTensor): ProbeTensor;
}
interface ProbeTensor {
  shape: number[];
  data: Float32Array;
}

/** Fixture models (paths under test/fixtures): a Keras 3 .h5, a Keras 2 .h5 with BatchNorm, a Keras 3 .keras zip. */
export const PROBE_MODELS = ['models/cnn_keras3.h5', 'models/cnn_bn.h5', 'corpus/k3.9.2_keras_zip_seq_mlp_leakyrelu_opt.keras'];

/** What each model is asked: `lrp()` itself, two other methods, and the logits. */
export const PROBE_METHODS = ['lrp', 'epsilon-gamma-box', 'gradient-x-input', 'logits'];

/** One explanation: plain arrays, so JSON carries every float32 exactly. */
export interface ProbeOutput {
  method: string;
  shape: number[];
  data: number[];
}

export interface ProbeResult {
  runtime: string;
  inputShape: number[];
  outputs: ProbeOutput[];
}

/** Two samples of a fixed pattern in [0, 1] made with integer arithmetic only (no engine's Math.sin). */
export function probeInput(inputShape: number[]): ProbeTensor {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(2 * size);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 101) / 100;
  return { shape: [2, ...inputShape], data };
}

/** Load a model from its bytes (with a reader by name or an H5Reader) and explain the probe input with every probe method. */
export async function probeModel(lib: ProbeLibrary, bytes: Uint8Array, runtime: string, reader?: unknown): Promise<ProbeResult> {
  const model = await lib.loadModel(bytes, reader ? { reader } : {});
  const x = probeInput(model.inputShape);
  const outputs = PROBE_METHODS.map((method) => {
    const out = method === 'lrp' ? lib.lrp(model, x) : method === 'logits' ? model.logits(x) : lib.analyze(model, x, { method });
    return { method, shape: [...out.shape], data: Array.from(out.data) };
  });
  return { runtime, inputShape: [...model.inputShape], outputs };
}
