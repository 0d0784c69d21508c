// Convolution kernels (the implicit-patch GEMMs and the depthwise loop) against naive float64
// loops, over strides, dilations, groups, paddings, 1-D layers and batches; the transpose also
// against the adjoint identity ⟨conv(x), gy⟩ = ⟨x, convᵀ(gy)⟩.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conv2dForward, conv2dTranspose, type ConvGeometry } from '../src/kernels/conv2d.js';
import { plainWeights, type SignPart } from '../src/kernels/gemm-problem.js';
import { windowAxis, type Padding } from '../src/kernels/geometry.js';
import { randomArray, relativeError } from './kernel-reference.js';

interface Case {
  H: number;
  W: number;
  C: number;
  O: number;
  k: [number, number];
  s: [number, number];
  d: [number, number];
  groups: number;
  padding: Padding;
  n: number;
}

function geometry(c: Case): ConvGeometry {
  const rows = windowAxis(c.H, c.k[0], c.s[0], c.d[0], c.padding === 'causal' ? 'valid' : c.padding);
  const cols = windowAxis(c.W, c.k[1], c.s[1], c.d[1], c.padding);
  return {
    H: c.H,
    W: c.W,
    C: c.C,
    OH: rows.out,
    OW: cols.out,
    O: c.O,
    groups: c.groups,
    kh: c.k[0],
    kw: c.k[1],
    sh: c.s[0],
    sw: c.s[1],
    dh: c.d[0],
    dw: c.d[1],
    padT: rows.before,
    padL: cols.before,
  };
}

const partOf = (v: number, part: SignPart): number => (part === 'all' ? v : part === 'positive' ? Math.max(v, 0) : Math.min(v, 0));

/** For each (sample, output pixel, output channel, tap, input channel) the input cell it reads, if any. */
function forEachTap(g: ConvGeometry, n: number, visit: (xi: number, yi: number, ki: number) => void): void {
  const cin = g.C / g.groups;
  const cout = g.O / g.groups;
  for (let s = 0; s < n; s++)
    for (let oy = 0; oy < g.OH; oy++)
      for (let ox = 0; ox < g.OW; ox++)
        for (let o = 0; o < g.O; o++) {
          const grp = Math.floor(o / cout);
          for (let ky = 0; ky < g.kh; ky++)
            for (let kx = 0; kx < g.kw; kx++)
              for (let ci = 0; ci < cin; ci++) {
                const iy = oy * g.sh - g.padT + ky * g.dh;
                const ix = ox * g.sw - g.padL + kx * g.dw;
                if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
                visit(
                  ((s * g.H + iy) * g.W + ix) * g.C + grp * cin + ci,
                  ((s * g.OH + oy) * g.OW + ox) * g.O + o,
                  ((ky * g.kw + kx) * cin + ci) * g.O + o,
                );
              }
        }
}

function naiveForward(x: Float32Array, K: Float32Array, b: Float32Array | null, g: ConvGeometry, n: number, part: SignPart): Float64Array {
  const y = new Float64Array(n * g.OH * g.OW * g.O);
  if (b) for (let i = 0; i < y.length; i++) y[i] = b[i % g.O];
  forEachTap(g, n, (xi, yi, ki) => (y[yi] += partOf(x[xi], part) * K[ki]));
  return y;
}

function naiveTranspose(gy: Float32Array, K: Float32Array, g: ConvGeometry, n: number): Float64Array {
  const gx = new Float64Array(n * g.H * g.W * g.C);
  forEachTap(g, n, (xi, yi, ki) => (gx[xi] += gy[yi] * K[ki]));
  return gx;
}

const base: Case = { H: 7, W: 6, C: 3, O: 5, k: [3, 3], s: [1, 1], d: [1, 1], groups: 1, padding: 'valid', n: 1 };
const cases: Case[] = [
  base,
  { ...base, padding: 'same' },
  { ...base, n: 3, padding: 'same', s: [2, 2] },
  { ...base, H: 9, W: 10, s: [2, 3], padding: 'same' },
  { ...base, H: 11, W: 9, d: [2, 2], padding: 'same' },
  { ...base, H: 12, W: 12, d: [2, 3], s: [2, 1], padding: 'valid' },
  { ...base, k: [1, 1], C: 16, O: 24, n: 2 },
  { ...base, k: [5, 2], C: 4, O: 6, groups: 2, padding: 'same' },
  { ...base, C: 6, O: 9, groups: 3, n: 2, s: [2, 2], padding: 'same' },
  { ...base, C: 4, O: 4, groups: 4, padding: 'same' }, // depthwise
  { ...base, C: 4, O: 8, groups: 4, s: [2, 2], padding: 'same', n: 2 }, // depthwise, multiplier 2
  { ...base, H: 1, W: 20, k: [1, 3], C: 2, O: 7, padding: 'same' }, // Conv1D
  { ...base, H: 1, W: 20, k: [1, 4], d: [1, 2], C: 3, O: 5, padding: 'causal', n: 2 }, // Conv1D causal, dilated
  { ...base, H: 16, W: 16, C: 24, O: 40, padding: 'same', n: 2 }, // several row blocks
  { ...base, H: 6, W: 6, C: 70, O: 9, k: [3, 3], padding: 'same' }, // K past one packed block
  { ...base, H: 2, W: 2, C: 3, O: 4, k: [3, 3], padding: 'same', s: [3, 3] }, // windows mostly padding
];

const label = (c: Case): string => `${c.n}×${c.H}×${c.W}×${c.C} → ${c.O}, k ${c.k}, s ${c.s}, d ${c.d}, groups ${c.groups}, ${c.padding}`;

test('conv2dForward matches the naive loop', () => {
  cases.forEach((c, i) => {
    const g = geometry(c);
    const x = randomArray(c.n * c.H * c.W * c.C, i);
    const K = randomArray(c.k[0] * c.k[1] * (c.C / c.groups) * c.O, 50 + i);
    const b = i % 2 ? randomArray(c.O, 90 + i) : null;
    for (const part of ['all', 'positive', 'negative'] as const) {
      const y = new Float32Array(c.n * g.OH * g.OW * c.O);
      conv2dForward(x, plainWeights(K), b, y, c.n, g, part);
      const err = relativeError(y, naiveForward(x, K, b, g, c.n, part));
      assert.ok(err < 1e-6, `${label(c)}, ${part}: error ${err}`);
    }
  });
});

test('conv2dForward applies a weight modifier as it packs (GEMM and depthwise paths)', () => {
  for (const c of [cases[2], cases[9]]) {
    const g = geometry(c);
    const x = randomArray(c.n * c.H * c.W * c.C, 1);
    const K = randomArray(c.k[0] * c.k[1] * (c.C / c.groups) * c.O, 2);
    const y = new Float32Array(c.n * g.OH * g.OW * c.O);
    conv2dForward(x, { W: K, transform: (w) => w * w, cacheKey: 'square' }, null, y, c.n, g);
    const err = relativeError(
      y,
      naiveForward(
        x,
        K.map((w) => w * w),
        null,
        g,
        c.n,
        'all',
      ),
    );
    assert.ok(err < 1e-6, `${label(c)}: error ${err}`);
  }
});

test('conv2dTranspose matches the naive scatter and is the adjoint of conv2dForward', () => {
  cases.forEach((c, i) => {
    const g = geometry(c);
    const gy = randomArray(c.n * g.OH * g.OW * c.O, 10 + i);
    const K = randomArray(c.k[0] * c.k[1] * (c.C / c.groups) * c.O, 60 + i);
    const gx = new Float32Array(c.n * c.H * c.W * c.C).fill(NaN);
    conv2dTranspose(gy, plainWeights(K), gx, c.n, g);
    const err = relativeError(gx, naiveTranspose(gy, K, g, c.n));
    assert.ok(err < 1e-6, `${label(c)}: error ${err}`);
    const x = randomArray(gx.length, 20 + i);
    const y = new Float32Array(gy.length);
    conv2dForward(x, plainWeights(K), null, y, c.n, g);
    let lhs = 0;
    let rhs = 0;
    for (let j = 0; j < y.length; j++) lhs += y[j] * gy[j];
    for (let j = 0; j < x.length; j++) rhs += x[j] * gx[j];
    assert.ok(Math.abs(lhs - rhs) <= 1e-5 * Math.max(1, Math.abs(lhs)), `${label(c)}: ⟨conv x, gy⟩ = ${lhs}, ⟨x, convᵀ gy⟩ = ${rhs}`);
  });
});

test.run();
