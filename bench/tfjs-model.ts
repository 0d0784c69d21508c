// The same network in TensorFlow.js, built from the weights lrp-keras loaded (so both run the same
// numbers): one tf op per graph node, up to the logits.
import type * as TF from '@tensorflow/tfjs';
import { tensorShape, type Graph } from '../src/model/graph.js';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** TensorFlow's own padding name when ours is what it would choose, else explicit amounts. */
function padding(
  n: number,
  out: number,
  k: number,
  s: number,
  d: number,
  before: number,
): { name: 'valid' | 'same' | null; before: number; after: number } {
  const span = (k - 1) * d + 1;
  const after = Math.max(0, (out - 1) * s + span - n - before);
  if (before === 0 && after === 0) return { name: 'valid', before, after };
  const total = Math.max((Math.ceil(n / s) - 1) * s + span - n, 0);
  if (out === Math.ceil(n / s) && before === Math.floor(total / 2)) return { name: 'same', before, after };
  return { name: null, before, after };
}

function pads(g: {
  H: number;
  W: number;
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padT: number;
  padL: number;
}): Pad {
  const r = padding(g.H, g.OH, g.kh, g.sh, g.dh, g.padT);
  const c = padding(g.W, g.OW, g.kw, g.sw, g.dw, g.padL);
  if (r.name && r.name === c.name) return r.name;
  return [
    [0, 0],
    [r.before, r.after],
    [c.before, c.after],
    [0, 0],
  ];
}

export interface TfjsNetwork {
  logits(x: TF.Tensor): TF.Tensor;
  dispose(): void;
}

export function tfjsNetwork(tf: typeof TF, graph: Graph, logitsTensor: number): TfjsNetwork {
  const held: TF.Tensor[] = [];
  const keep = <T extends TF.Tensor>(t: T): T => {
    held.push(t);
    return t;
  };
  const steps = graph.nodes
    .slice(0, logitsTensor)
    .map((node) => {
      const op = node.op;
      switch (op.kind) {
        case 'input':
          return (_xs: TF.Tensor[], x: TF.Tensor) => x;
        case 'dense': {
          const W = keep(tf.tensor2d(op.W, [op.inF, op.outF]));
          const b = op.b ? keep(tf.tensor1d(op.b)) : null;
          return (xs: TF.Tensor[]) => {
            const y = tf.matMul(xs[0].reshape([-1, op.inF]) as TF.Tensor2D, W);
            return b ? tf.add(y, b) : y;
          };
        }
        case 'conv': {
          const g = op.geom;
          const depthwise = g.groups > 1 && g.groups === g.C;
          if (g.groups > 1 && !depthwise) throw new Error(`${node.name}: grouped convolution not built for tfjs`);
          const K = keep(tf.tensor4d(op.W, depthwise ? [g.kh, g.kw, g.C, g.O / g.C] : [g.kh, g.kw, g.C, g.O]));
          const b = op.b ? keep(tf.tensor1d(op.b)) : null;
          const p = pads(g);
          const strides: [number, number] = [g.sh, g.sw];
          const dil: [number, number] = [g.dh, g.dw];
          return (xs: TF.Tensor[]) => {
            const x = xs[0] as TF.Tensor4D;
            const y = depthwise ? tf.depthwiseConv2d(x, K, strides, p, 'NHWC', dil) : tf.conv2d(x, K, strides, p, 'NHWC', dil);
            return b ? tf.add(y, b) : y;
          };
        }
        case 'activation': {
          const gate = op.act.gate;
          if (op.act.name === 'relu') return (xs: TF.Tensor[]) => tf.relu(xs[0]);
          if (gate && gate.threshold === 0 && gate.max === 6) return (xs: TF.Tensor[]) => tf.relu6(xs[0]);
          if (op.act.name === 'linear') return (xs: TF.Tensor[]) => xs[0];
          throw new Error(`${node.name}: activation ${op.act.name} not built for tfjs`);
        }
        case 'maxpool':
        case 'avgpool': {
          const g = op.geom;
          if (g.OH === 1 && g.OW === 1 && g.kh === g.H && g.kw === g.W) {
            return (xs: TF.Tensor[]) => (op.kind === 'maxpool' ? tf.max(xs[0], [1, 2]) : tf.mean(xs[0], [1, 2]));
          }
          const p = pads({ ...g });
          if (typeof p !== 'string') throw new Error(`${node.name}: explicit pooling padding not built for tfjs`);
          return (xs: TF.Tensor[]) =>
            (op.kind === 'maxpool' ? tf.maxPool : tf.avgPool)(xs[0] as TF.Tensor4D, [g.kh, g.kw], [g.sh, g.sw], p);
        }
        case 'gather': {
          if (op.map.every((v, i) => v === i)) return (xs: TF.Tensor[]) => xs[0];
          const inSize = tensorShape(graph, node.inputs[0]).reduce((a, b) => a * b, 1);
          const index = keep(
            tf.tensor1d(
              Int32Array.from(op.map, (v) => (v < 0 ? inSize : v)),
              'int32',
            ),
          );
          return (xs: TF.Tensor[]) => {
            const flat = xs[0].reshape([xs[0].shape[0], -1]);
            const padded = tf.concat([flat, tf.zeros([flat.shape[0], 1])], 1);
            return tf.gather(padded, index, 1);
          };
        }
        case 'affine': {
          if (op.inner !== 1) throw new Error(`${node.name}: channels_first BatchNormalization not built for tfjs`);
          const scale = keep(tf.tensor1d(op.scale));
          const shift = keep(tf.tensor1d(op.shift));
          return (xs: TF.Tensor[]) => tf.add(tf.mul(xs[0], scale), shift);
        }
        case 'identity':
          return (xs: TF.Tensor[]) => xs[0];
        case 'add':
          return (xs: TF.Tensor[]) => tf.addN(xs);
        case 'average':
          return (xs: TF.Tensor[]) => tf.div(tf.addN(xs), xs.length);
        default:
          throw new Error(`${node.name}: ${op.kind} not built for tfjs`);
      }
    })
    .map((run, k) => ({ run, node: graph.nodes[k] }));

  return {
    logits(x: TF.Tensor): TF.Tensor {
      const n = x.shape[0];
      // Tensor id k is node k − 1's output; an input node gives x.
      const values: TF.Tensor[] = [x]; // id 0 is unused
      for (const { run, node } of steps)
        values.push(
          run(
            node.inputs.map((id) => values[id]),
            x,
          ).reshape([n, ...node.outShape]),
        );
      return values[logitsTensor];
    },
    dispose(): void {
      for (const t of held) t.dispose();
    },
  };
}
