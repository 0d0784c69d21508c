import { conv2dTranspose, inputPart } from './conv2d.js';
import type { SignPart, WeightView } from './gemm-problem.js';
import type { ConvGeometry } from './geometry.js';

/**
 * Conv1DTranspose / Conv2DTranspose: the transpose of the convolution with geometry `g` (whose output
 * side, (OH, OW, O), is this layer's input, and whose input side, (H, W, C), is this layer's output),
 * plus the bias over the C output channels. Its own transpose is that convolution's forward pass.
 */
export function convTransposeForward(
  x: Float32Array,
  w: WeightView,
  b: Float32Array | null,
  y: Float32Array,
  n: number,
  g: ConvGeometry,
  part: SignPart = 'all',
): void {
  conv2dTranspose(inputPart(x, part), w, y, n, g);
  if (!b) return;
  for (let i = 0; i < n * g.H * g.W * g.C; i++) y[i] += b[i % g.C];
}
