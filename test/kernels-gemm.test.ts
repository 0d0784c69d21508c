// The GEMM core and the Dense kernels against naive float64 loops, on shapes that exercise every
// edge: rows and columns that are not multiples of the 4×4 tile, K from 1 to past a packed block,
// modified weights and parts of the input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// The float64 mode of the WebAssembly kernels gives the TypeScript kernels' float64 sums, bit for bit.
import { withPrecision } from '../src/kernels/backend.js';
import { denseForward, denseTranspose } from '../src/kernels/dense.js';
import { randomArray, relativeError } from './kernel-reference.js';
import { blockRows, gemmRows, GemmScratch, packRight, rightOperand } from '../src/kernels/gemm.js';
import { panelsOf, plainWeights, TILE, type WeightView } from '../src/kernels/gemm-problem.js';
import { makeRule } from '../src/lrp/rules.js';

const P = { epsilon: 1e-6, gamma: 0.25, alpha: 2, beta: 1, stabilizer: 1e-6 };

const partOf = (v: number, part: 'all' | 'positive' | 'negative'): number =>
  part === 'all' ? v : part === 'positive' ? Math.max(v, 0) : Math.min(v, 0);

function naiveDense(
  x: Float32Array,
  W: Float32Array,
  b: Float32Array | null,
  n: number,
  inF: number,
  outF: number,
  map: (w: number) => number,
  part: 'all' | 'positive' | 'negative',
): Float64Array {
  const y = new Float64Array(n * outF);
  for (let s = 0; s < n; s++) {
    for (let o = 0; o < outF; o++) {
      let acc = b ? map(b[o]) : 0;
      for (let i = 0; i < inF; i++) acc += partOf(x[s * inF + i], part) * Math.fround(map(W[i * outF + o]));
      y[s * outF + o] = acc;
    }
  }
  return y;
}

function naiveDenseTranspose(
  gy: Float32Array,
  W: Float32Array,
  n: number,
  inF: number,
  outF: number,
  map: (w: number) => number,
): Float64Array {
  const gx = new Float64Array(n * inF);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) gx[s * inF + i] += gy[s * outF + o] * Math.fround(map(W[i * outF + o]));
  return gx;
}

const shapes: [n: number, inF: number, outF: number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 5, 9],
  [4, 4, 4],
  [5, 17, 6],
  [13, 33, 10],
  [64, 100, 12],
  [67, 40, 5],
  [130, 9, 130],
  [2, 3000, 7],
  [70, 1200, 9],
];

test('denseForward matches x·W + b for every tile edge, with and without bias', () =>
  withPrecision('float64', () => {
    shapes.forEach(([n, inF, outF], k) => {
      const x = randomArray(n * inF, k);
      const W = randomArray(inF * outF, 100 + k);
      const b = k % 2 ? randomArray(outF, 200 + k) : null;
      const y = new Float32Array(n * outF);
      denseForward(x, plainWeights(W), b, y, n, inF, outF);
      const err = relativeError(
        y,
        naiveDense(x, W, b, n, inF, outF, (w) => w, 'all'),
      );
      assert.ok(err < 1e-6, `${n}×${inF}·${inF}×${outF}: error ${err}`);
    });
  }));

test('denseForward applies a weight modifier as it packs, and reads a part of x', () =>
  withPrecision('float64', () => {
    const positive: WeightView = { W: new Float32Array(0), transform: (w) => (w > 0 ? w : 0), cacheKey: 'positive' };
    const gamma: WeightView = { W: new Float32Array(0), transform: (w) => w + 0.25 * Math.max(w, 0), cacheKey: 'gamma+:0.25' };
    for (const [n, inF, outF] of [
      [1, 30, 9],
      [80, 30, 9],
    ]) {
      for (const mod of [positive, gamma]) {
        for (const part of ['all', 'positive', 'negative'] as const) {
          const x = randomArray(n * inF, n);
          const W = randomArray(inF * outF, inF);
          const y = new Float32Array(n * outF);
          denseForward(x, { ...mod, W }, null, y, n, inF, outF, part);
          const err = relativeError(y, naiveDense(x, W, null, n, inF, outF, mod.transform!, part));
          assert.ok(err < 1e-6, `${mod.cacheKey} ${part} n=${n}: error ${err}`);
        }
      }
    }
  }));

test('denseTranspose matches gy·Wᵀ', () =>
  withPrecision('float64', () => {
    shapes.forEach(([n, inF, outF], k) => {
      const gy = randomArray(n * outF, k);
      const W = randomArray(inF * outF, 300 + k);
      const gx = new Float32Array(n * inF);
      denseTranspose(gy, plainWeights(W), gx, n, inF, outF);
      const err = relativeError(
        gx,
        naiveDenseTranspose(gy, W, n, inF, outF, (w) => w),
      );
      assert.ok(err < 1e-6, `${n}×${outF}·(${inF}×${outF})ᵀ: error ${err}`);
    });
  }));

test('the GEMM rounds a float64 sum once: cancellation that float32 accumulation would lose survives', () =>
  withPrecision('float64', () => {
    // 1e8 + 1 − 1e8 per output, with 1 in the middle: float32 accumulation gives 0.
    const K = 3;
    const x = Float32Array.from([1e8, 1, -1e8]);
    const W = Float32Array.from([1, 1, 1]);
    const y = new Float32Array(1);
    denseForward(x, plainWeights(W), null, y, 1, K, 1);
    assert.is(y[0], 1);
  }));

test('any split of the rows gives bit-identical results (what threads rely on)', () => {
  const [M, K, N] = [150, 70, 11];
  const x = randomArray(M * K, 1);
  const W = randomArray(K * N, 2);
  const bias = randomArray(N, 3);
  const right = packRight(
    plainWeights(W),
    { K, N, inner: K, base: 0, outerStride: 0, innerStride: N, nStride: 1 },
    new Float32Array(panelsOf(N) * K * TILE),
  );
  // Blocks of `rows` rows, run last block first (as workers claim them), each with its own scratch.
  const run = (rows: number): Float32Array => {
    const c = new Float32Array(M * N);
    const p = {
      M,
      N,
      K,
      left: { kind: 'rows' as const, lda: K },
      a: x,
      part: 'all' as const,
      right,
      bias,
      biasOffset: 0,
      c,
      ldc: N,
      cOffset: 0,
    };
    for (let b = Math.ceil(M / rows) - 1; b >= 0; b--) gemmRows(p, b * rows, Math.min(M, (b + 1) * rows), new GemmScratch());
    return c;
  };
  const whole = run(M);
  for (const rows of [4, 12, 76]) assert.equal(Array.from(run(rows)), Array.from(whole), `blocks of ${rows} rows`);
  assert.ok(blockRows(K) % TILE === 0);
});

test('packing applies a by-sign modifier inline exactly as its map does (positive, negative, γ±)', () => {
  const [K, N] = [37, 10];
  const W = randomArray(K * N, 5);
  W[3] = 0;
  W[4] = -0;
  const layout = { K, N, inner: K, base: 0, outerStride: 0, innerStride: N, nStride: 1 };
  const params = [makeRule('z-plus', P), makeRule('alpha-beta', P), makeRule('gamma', P)].flatMap((r) =>
    r.groups.flatMap((g) => g.terms.map((t) => t.param)),
  );
  const keys = new Set(params.map((p) => p.key));
  assert.equal([...keys].sort(), ['gamma+:0.25', 'gamma-:0.25', 'negative', 'positive']);
  // Each modifier is its definition exactly (w⁺ and w⁻ give +0, not −0; γ's are w + γw±).
  const definition: Record<string, (w: number) => number> = {
    positive: (w) => (w > 0 ? w : 0),
    negative: (w) => (w < 0 ? w : 0),
    'gamma+:0.25': (w) => w + 0.25 * (w > 0 ? w : 0),
    'gamma-:0.25': (w) => w + 0.25 * (w < 0 ? w : 0),
  };
  for (const p of params) {
    assert.ok(
      W.every((w) => Object.is(Math.fround(p.map(w)), Math.fround(definition[p.key](w)))),
      `${p.key} is its definition`,
    );
    assert.ok(p.scale, `${p.key} has slopes`);
    const inline = packRight({ W, transform: p.map, slopes: p.scale, cacheKey: p.key }, layout, new Float32Array(panelsOf(N) * K * TILE));
    const called = packRight({ W, transform: p.map, cacheKey: p.key }, layout, new Float32Array(panelsOf(N) * K * TILE));
    assert.ok(
      inline.every((v, i) => Object.is(v, called[i])),
      p.key,
    );
  }
});

test('packed weights are kept per modifier and layout, the six most recently used', () => {
  const [K, N] = [9, 8];
  const W = randomArray(K * N, 6);
  const layout = { K, N, inner: K, base: 0, outerStride: 0, innerStride: N, nStride: 1 };
  const weights = (key: string): WeightView => ({ W, transform: (w) => w * 2, cacheKey: key });
  const first = rightOperand(weights('a'), layout, 'dense');
  assert.is(rightOperand(weights('a'), layout, 'dense'), first, 'a second call reuses the packed copy');
  assert.is.not(rightOperand(weights('a'), layout, 'other'), first, 'another layout is another copy');
  for (const key of ['b', 'c', 'd', 'e']) rightOperand(weights(key), layout, 'dense');
  assert.is(rightOperand(weights('a'), layout, 'dense'), first, 'six copies are kept');
  for (const key of ['f', 'g', 'h', 'i', 'j', 'k']) rightOperand(weights(key), layout, 'dense');
  const again = rightOperand(weights('a'), layout, 'dense');
  assert.is.not(again, first, 'the least recently used copy was dropped');
  assert.equal(Array.from(again), Array.from(first));
});

test.run();
