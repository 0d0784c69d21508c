import type { Graph } from '../model/graph.js';
import { recurrentBackward } from '../kernels/recurrent.js';
import { nodeBackward } from '../model/ops.js';
import type { BackwardStep } from '../model/backward.js';

/**
 * The gradient, or its guided-backprop / deconvnet variants, which change only gating units
 * (relu-like activations, CONVENTIONS.md): guided passes f'(x)·max(g, 0), deconvnet max(g, 0).
 */
export function gradientStep(graph: Graph, n: number, mode: 'gradient' | 'guided-backprop' | 'deconvnet'): BackwardStep {
  return (node, _index, xs, y, g) => {
    const op = node.op;
    if (mode !== 'gradient' && op.kind === 'activation' && op.act.gate) {
      const x = xs[0];
      const gx = new Float32Array(g.length);
      for (let i = 0; i < g.length; i++) {
        const up = g[i] > 0 ? g[i] : 0;
        gx[i] = mode === 'deconvnet' ? up : op.act.df(x[i]) * up;
      }
      return [gx];
    }
    // A recurrent layer's own activation (SimpleRNN(activation='relu'), …) is a gating unit too.
    if (mode !== 'gradient' && op.kind === 'recurrent')
      return recurrentBackward(op.spec, xs, n * (op.slices ?? 1), op.steps, g, { kind: 'gradient', variant: mode }, y);
    return nodeBackward(graph, node, xs, y, g, n);
  };
}
