// node build/bench/transformer.js [--quick]: one post-LN transformer encoder block (keras.io's
// timeseries transformer: MultiHeadAttention(4 heads, key_dim 16) on (T, 64) → LayerNorm → residual →
// Conv1D(128, 1, relu) → Conv1D(64, 1) → LayerNorm → residual → GlobalAveragePooling1D → Dense(10)),
// random weights, at sequence lengths 128 and 512, batch 1: forward pass (logits), attnlrp and the
// gradient in ms, on the WebAssembly kernels (the default) and the scalar TypeScript ones. Medians of
// repeated runs after warm-up, with min–max. Writes bench/transformer-results.json.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniformGenerator } from '../src/attribution/random.js';
import type { WeightTensor } from '../src/io/keras-h5.js';
import { kernelBackend, withTypeScriptKernels } from '../src/kernels/backend.js';
import { modelFromArchive } from '../src/load.js';
import type { Model } from '../src/model/model.js';
import { analyze } from '../src/node.js';
import { fmt, measure, type Timing } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const quick = process.argv.includes('--quick');
const [D, HEADS, DK, FF, CLASSES] = [64, 4, 16, 128, 10];

const weights = (name: string, shapes: number[][], seed: number): WeightTensor[] => {
  const rand = uniformGenerator(seed);
  return shapes.map((shape, k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const scale = k === 0 ? 1 / Math.sqrt(shape[0] * (shape.length === 3 && name.includes('conv') ? shape[1] : 1)) : 0.1;
    return {
      name: `${name}/${k === 0 ? 'kernel' : 'bias'}:0`,
      shape,
      data: Float32Array.from({ length: n }, () => (rand() - 0.5) * 2 * scale),
    };
  });
};

/** The block for sequences of length T (tf.keras 2 functional config, weights in its h5 naming). */
function block(T: number): Model {
  const node = (...refs: string[]) => [refs.map((r) => [r, 0, 0, {}])];
  const layers = [
    { class_name: 'InputLayer', config: { name: 'x', batch_input_shape: [null, T, D] }, inbound_nodes: [] },
    {
      class_name: 'MultiHeadAttention',
      config: { name: 'mha', num_heads: HEADS, key_dim: DK, use_bias: true },
      inbound_nodes: [[['x', 0, 0, { value: ['x', 0, 0] }]]],
    },
    { class_name: 'LayerNormalization', config: { name: 'ln1', axis: [2], epsilon: 1e-6 }, inbound_nodes: node('mha') },
    { class_name: 'Add', config: { name: 'res1' }, inbound_nodes: node('ln1', 'x') },
    {
      class_name: 'Conv1D',
      config: { name: 'conv1', filters: FF, kernel_size: [1], activation: 'relu', padding: 'valid' },
      inbound_nodes: node('res1'),
    },
    {
      class_name: 'Conv1D',
      config: { name: 'conv2', filters: D, kernel_size: [1], activation: 'linear', padding: 'valid' },
      inbound_nodes: node('conv1'),
    },
    { class_name: 'LayerNormalization', config: { name: 'ln2', axis: [2], epsilon: 1e-6 }, inbound_nodes: node('conv2') },
    { class_name: 'Add', config: { name: 'res2' }, inbound_nodes: node('ln2', 'res1') },
    { class_name: 'GlobalAveragePooling1D', config: { name: 'gap' }, inbound_nodes: node('res2') },
    { class_name: 'Dense', config: { name: 'out', units: CLASSES, activation: 'linear' }, inbound_nodes: node('gap') },
  ];
  const ones = (name: string): WeightTensor[] => [
    { name: `${name}/gamma:0`, shape: [D], data: new Float32Array(D).fill(1) },
    { name: `${name}/beta:0`, shape: [D], data: new Float32Array(D) },
  ];
  return modelFromArchive(
    {
      fileName: 'transformer-block.h5',
      config: { class_name: 'Functional', config: { name: 'block', layers, input_layers: [['x', 0, 0]], output_layers: [['out', 0, 0]] } },
      kerasVersion: '2.15.0',
      backend: 'tensorflow',
      groups: new Map([
        [
          'mha',
          [
            ...weights(
              'mha/query',
              [
                [D, HEADS, DK],
                [HEADS, DK],
              ],
              1,
            ),
            ...weights(
              'mha/key',
              [
                [D, HEADS, DK],
                [HEADS, DK],
              ],
              2,
            ),
            ...weights(
              'mha/value',
              [
                [D, HEADS, DK],
                [HEADS, DK],
              ],
              3,
            ),
            ...weights('mha/attention_output', [[HEADS, DK, D], [D]], 4),
          ],
        ],
        ['ln1', ones('ln1')],
        ['ln2', ones('ln2')],
        ['conv1', weights('conv1', [[1, D, FF], [FF]], 5)],
        ['conv2', weights('conv2', [[1, FF, D], [D]], 6)],
        ['out', weights('out', [[D, CLASSES], [CLASSES]], 7)],
      ]),
    },
    {},
  );
}

interface Row {
  kernels: string;
  length: number;
  forward: Timing;
  attnlrp: Timing;
  gradient: Timing;
  attnlrpOverForward: number;
}

const rows: Row[] = [];
for (const kernels of ['wasm', 'typescript'] as const) {
  for (const length of [128, 512]) {
    const model = block(length);
    const rand = uniformGenerator(11);
    const x = { shape: [1, length, D], data: Float32Array.from({ length: length * D }, () => rand() - 0.5) };
    const options = { warmup: 1, repeats: quick ? 3 : length > 256 ? 5 : 9 };
    const run = <T>(f: () => T): T => (kernels === 'typescript' ? withTypeScriptKernels(f) : f());
    const forward = measure(() => run(() => model.logits(x)), options);
    const attnlrp = measure(() => run(() => analyze(model, x, { method: 'attnlrp' })), options);
    const gradient = measure(() => run(() => analyze(model, x, { method: 'gradient' })), options);
    const row = { kernels, length, forward, attnlrp, gradient, attnlrpOverForward: attnlrp.median / forward.median };
    rows.push(row);
    console.log(
      `${kernels.padEnd(10)} T=${String(length).padStart(3)}: forward ${fmt(forward.median)} ms (${fmt(forward.min)}–${fmt(forward.max)}), attnlrp ${fmt(attnlrp.median)} ms (${fmt(attnlrp.min)}–${fmt(attnlrp.max)}), gradient ${fmt(gradient.median)} ms; attnlrp/forward ${row.attnlrpOverForward.toFixed(2)}×`,
    );
  }
}
writeFileSync(
  join(root, 'bench/transformer-results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg().map((v) => Number(v.toFixed(2))), backend: kernelBackend(), model: `transformer block: MHA(${HEADS}×${DK}) on (T, ${D}), FF ${FF}, 2 LayerNorms, 2 residuals, GAP, Dense(${CLASSES})`, unit: 'ms, batch 1', rows }, null, 2)}\n`,
);
