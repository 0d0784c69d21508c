/** Window geometry shared by convolutions and pooling, in NHWC (1-D layers use H = 1). */
export interface WindowGeometry {
  H: number;
  W: number;
  C: number; // input
  OH: number;
  OW: number; // output
  kh: number;
  kw: number; // window
  sh: number;
  sw: number; // strides
  dh: number;
  dw: number; // dilations
  padT: number;
  padL: number; // cells of padding before the first row/column
}

/**
 * Convolution geometry in NHWC with a Keras (kh, kw, C/groups, O) kernel. Covers Conv1D (H = 1),
 * grouped Conv2D and DepthwiseConv2D (groups = C; its (kh, kw, C, m) kernel is already the
 * (kh, kw, 1, C·m) grouped layout).
 */
export interface ConvGeometry extends WindowGeometry {
  O: number;
  groups: number;
}

/** A convolution's geometry as int fields, in the order every job layout (thread pool, WebAssembly) stores them. */
export const CONV_GEOMETRY_FIELDS = [
  'H',
  'W',
  'C',
  'OH',
  'OW',
  'O',
  'kh',
  'kw',
  'sh',
  'sw',
  'dh',
  'dw',
  'padT',
  'padL',
  'groups',
] as const satisfies readonly (keyof ConvGeometry)[];

export type Padding = 'valid' | 'same' | 'causal';

/**
 * Output length and padding before, as TensorFlow computes them: `same` pads
 * max((⌈n/s⌉−1)·s + (k−1)·d + 1 − n, 0) in total, the smaller half before; `causal` pads (k−1)·d before.
 */
export function windowAxis(n: number, k: number, s: number, d: number, padding: Padding): { out: number; before: number } {
  const span = (k - 1) * d + 1;
  if (padding === 'valid') return { out: Math.max(0, Math.floor((n - span) / s) + 1), before: 0 };
  if (padding === 'causal') return { out: Math.floor((n - 1) / s) + 1, before: span - 1 };
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + span - n, 0);
  return { out, before: Math.floor(total / 2) };
}
