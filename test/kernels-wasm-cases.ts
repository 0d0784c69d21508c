// Random cases for the WebAssembly kernel tests.
import type { ConvGeometry } from '../src/kernels/conv2d.js';
import { windowAxis } from '../src/kernels/geometry.js';

export const identical = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** A random convolution: sizes, kernel, strides, dilation, padding, groups (depthwise with multipliers too). */
export function randomConv(r: () => number, scale = 1): { g: ConvGeometry; n: number } {
  const pick = (...v: number[]): number => v[Math.floor((r() + 0.5) * v.length) % v.length];
  for (;;) {
    const depthwise = r() < -0.2;
    const groups = depthwise ? pick(3, 4, 8, 13) : pick(1, 1, 1, 2, 3);
    const C = depthwise ? groups : groups * pick(1, 2, 3, 5, 16);
    const O = depthwise ? C * pick(1, 1, 2, 3) : groups * pick(1, 3, 8, 9, 20);
    const [kh, kw] = [pick(1, 2, 3, 5), pick(1, 3, 4)];
    const [sh, sw] = [pick(1, 1, 2, 3), pick(1, 2)];
    const [dh, dw] = [pick(1, 1, 2), pick(1, 1, 3)];
    const [H, W] = [pick(1, 4, 7, 12) * scale, pick(3, 6, 11) * scale];
    const padding = pick(0, 1) ? 'same' : 'valid';
    const rows = windowAxis(H, kh, sh, dh, padding);
    const cols = windowAxis(W, kw, sw, dw, padding);
    if (rows.out < 1 || cols.out < 1) continue;
    return {
      g: { H, W, C, O, groups, kh, kw, sh, sw, dh, dw, OH: rows.out, OW: cols.out, padT: rows.before, padL: cols.before },
      n: pick(1, 1, 2, 3),
    };
  }
}

export const describe = ({ g, n }: { g: ConvGeometry; n: number }): string =>
  `${n}×${g.H}×${g.W}×${g.C}→${g.O} k${g.kh}×${g.kw} s${g.sh},${g.sw} d${g.dh},${g.dw} pad ${g.padT},${g.padL} groups ${g.groups}`;
