// A fresh process: load one model, explain one sample (epsilon-plus), report the peak resident set
// against the model's weights and the activations of one sample.
import { fixedShape } from '../src/tensor.js';
import { readFileSync } from 'node:fs';
import { loadModel, lrp } from '../src/index.js';
import '../src/threads.js';
import { modelInternals } from '../src/model/model.js';

const [file, threadsArg, readerArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 1);
const options = readerArg === 'pure' ? { reader: (await import('../src/io/hdf5-pure/index.js')).pureReader } : {};
const baseline = process.memoryUsage().rss;
const model = await loadModel(new Uint8Array(readFileSync(file!)), options);
const graph = modelInternals(model).graph;
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
let weights = 0;
for (const node of graph.nodes) {
  const op = node.op;
  if (op.kind === 'dense' || op.kind === 'conv') weights += op.W.length + (op.b?.length ?? 0);
  if (op.kind === 'affine') weights += op.scale.length + op.shift.length;
}
const activations = graph.nodes.reduce((s, n) => s + size(n.outShape), 0);
const x = {
  shape: [1, ...fixedShape(model.inputShape, 'model.inputShape')],
  data: new Float32Array(size(fixedShape(model.inputShape, 'model.inputShape'))).map((_, i) => ((i * 2654435761) % 1000) / 1000),
};
lrp(model, x, { threads });
const MB = 1024 * 1024;
// getrusage's maxRSS survives exec (a child started by a big process reports its parent's peak);
// Linux's VmHWM belongs to this process image alone.
const hwm = (() => {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
})();
console.log(
  JSON.stringify({
    peakRssMB: (hwm ?? process.resourceUsage().maxRSS * 1024) / MB,
    baselineRssMB: baseline / MB,
    weightsMB: (weights * 4) / MB,
    activationsMB: (activations * 4) / MB,
  }),
);
process.exit(0);
