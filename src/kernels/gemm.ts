// biome-ignore-all format: register tiles are laid out row by row, as the hardware sees them
import { currentPrecision, wasmKernels } from './backend.js';
import { depthwiseRows } from './depthwise.js';
import { panelsOf, TILE, type GemmCall, type GemmProblem, type RightLayout, type WeightView } from './gemm-problem.js';
import type { ConvGeometry } from './geometry.js';
import { packRight } from './pack-right.js';
import { prepared } from './prepared.js';
import type { KernelEngine } from './wasm/engine.js';
import { wasmGemm, type WasmSplitter } from './wasm/gemm.js';

export { packRight };

/**
 * The one matrix-multiply core behind every Dense and Conv layer and their transposes:
 *
 *   C[m, n] = bias[n] + Σ_k A[m, k] · B[k, n]        (m < M, n < N, k < K)
 *
 * A is read straight from a tensor when it is packed (plain rows, or the patches of an NHWC image:
 * an implicit im2col, so no patch matrix is ever materialised); B, the weights, is packed into
 * panels of four columns. Every 4×4 block of C is a register tile of sixteen locals. JavaScript
 * locals are doubles, so each output is accumulated in float64 in the order k = 0, 1, …, K − 1,
 * starting from its bias, and rounded to float32 once, when it is stored. That order depends neither
 * on the blocking nor on how the rows are split among threads: every split gives bit-identical results.
 * When the WebAssembly kernels run (backend.ts), `gemm()` hands each call to them (wasm/gemm.ts): this
 * TypeScript core is their fallback and the reference they are tested against.
 */

let rightScratch: Float32Array = new Float32Array(0);

/** Packed weights of at most this many values (8 MiB) are kept; larger ones are packed per call. */
const KEEP_PACKED = 1 << 21;

/**
 * B packed for a GEMM. A layer's packed weights, per modifier and layout, are prepared once and kept
 * with the weights (prepared.ts; packing costs a strided pass over K·N values, a serial step the
 * threads wait for); a layer larger than KEEP_PACKED is packed into scratch on each call instead,
 * where K·N is small beside its product M·K·N and a kept copy would cost as much memory as its weights.
 */
export function rightOperand(w: WeightView, L: RightLayout, layoutKey: string): Float32Array {
  const size = panelsOf(L.N) * L.K * TILE;
  if (size > KEEP_PACKED) {
    if (rightScratch.length < size) rightScratch = new Float32Array(Math.max(size, rightScratch.length * 2));
    return packRight(w, L, rightScratch.subarray(0, size));
  }
  return prepared(w.W, `packed|${w.cacheKey}|${layoutKey}`, () => packRight(w, L, new Float32Array(size)));
}

/** Per-thread scratch of the GEMM: packed rows of A, the padded bias, an edge tile. */
export class GemmScratch {
  left: Float32Array = new Float32Array(0);
  bias = new Float64Array(0);
  edge = new Float32Array(TILE * TILE);
  sums = new Float64Array(0);

  fit(rows: number, K: number, N: number): void {
    if (this.left.length < rows * K) this.left = new Float32Array(rows * K);
    if (this.bias.length < panelsOf(N) * TILE) this.bias = new Float64Array(panelsOf(N) * TILE);
  }
}

/** Rows of A packed at a time: a block of about 128 KiB, a multiple of the tile. */
export const blockRows = (K: number): number => Math.max(TILE, Math.min(256, Math.floor(32768 / K / TILE) * TILE));

/** What packing A needs to know. */
type LeftSource = Pick<GemmProblem, 'K' | 'left' | 'a' | 'part'>;

/** Run rows [m0, m1) of a GEMM on this thread. */
export function gemmRows(p: GemmProblem, m0: number, m1: number, scratch: GemmScratch): void {
  if (p.depthwise) {
    depthwiseRows(p, m0, m1);
    return;
  }
  const { N, K, right, c, ldc, cOffset } = p;
  const panels = panelsOf(N);
  const block = blockRows(K);
  scratch.fit(block, K, N);
  const A = scratch.left;
  const bias = scratch.bias;
  const edge = scratch.edge;
  bias.fill(0, 0, panels * TILE);
  if (p.bias) for (let n = 0; n < N; n++) bias[n] = p.bias[p.biasOffset + n];
  for (let i0 = m0; i0 < m1; i0 += block) {
    const rows = Math.min(block, m1 - i0);
    packLeft(p, i0, rows, A);
    for (let panel = 0; panel < panels; panel++) {
      const j = panel * TILE;
      const b = panel * K * TILE;
      const cols = Math.min(TILE, N - j);
      for (let t = 0; t < rows; t += TILE) {
        const a = t * K;
        const at = cOffset + (i0 + t) * ldc + j;
        const tileRows = Math.min(TILE, rows - t);
        if (tileRows === TILE && cols === TILE) {
          tile4x4(K, A, a, right, b, bias, j, c, at, ldc);
        } else if (tileRows === TILE) {
          tile4x4(K, A, a, right, b, bias, j, edge, 0, TILE);
          for (let r = 0; r < TILE; r++) for (let q = 0; q < cols; q++) c[at + r * ldc + q] = edge[r * TILE + q];
        } else {
          for (let r = 0; r < tileRows; r++) {
            tile1x4(K, A, a + r, right, b, bias, j, edge, 0);
            for (let q = 0; q < cols; q++) c[at + r * ldc + q] = edge[q];
          }
        }
      }
    }
  }
}

/** A 4×4 tile of C: sixteen float64 accumulators, rounded once when stored. A has rows interleaved by four. */
function tile4x4(
  K: number, A: Float32Array, a: number, B: Float32Array, b: number, bias: Float64Array, j: number,
  C: Float32Array, at: number, ldc: number,
): void {
  const z0 = bias[j], z1 = bias[j + 1], z2 = bias[j + 2], z3 = bias[j + 3];
  let c00 = z0, c01 = z1, c02 = z2, c03 = z3;
  let c10 = z0, c11 = z1, c12 = z2, c13 = z3;
  let c20 = z0, c21 = z1, c22 = z2, c23 = z3;
  let c30 = z0, c31 = z1, c32 = z2, c33 = z3;
  // One index walks both panels (B's is a fixed distance ahead): fewer live registers in V8.
  const end = a + 4 * K;
  const d = b - a;
  for (; a < end; a += 4) {
    const x0 = A[a], x1 = A[a + 1], x2 = A[a + 2], x3 = A[a + 3];
    let y = B[a + d];
    c00 += x0 * y; c10 += x1 * y; c20 += x2 * y; c30 += x3 * y;
    y = B[a + d + 1];
    c01 += x0 * y; c11 += x1 * y; c21 += x2 * y; c31 += x3 * y;
    y = B[a + d + 2];
    c02 += x0 * y; c12 += x1 * y; c22 += x2 * y; c32 += x3 * y;
    y = B[a + d + 3];
    c03 += x0 * y; c13 += x1 * y; c23 += x2 * y; c33 += x3 * y;
  }
  C[at] = c00; C[at + 1] = c01; C[at + 2] = c02; C[at + 3] = c03;
  at += ldc;
  C[at] = c10; C[at + 1] = c11; C[at + 2] = c12; C[at + 3] = c13;
  at += ldc;
  C[at] = c20; C[at + 1] = c21; C[at + 2] = c22; C[at + 3] = c23;
  at += ldc;
  C[at] = c30; C[at + 1] = c31; C[at + 2] = c32; C[at + 3] = c33;
}

/** One row of a tile (the last rows of A): the same sums in the same order as `tile4x4`. */
function tile1x4(K: number, A: Float32Array, a: number, B: Float32Array, b: number, bias: Float64Array, j: number, C: Float32Array, at: number): void {
  let c0 = bias[j], c1 = bias[j + 1], c2 = bias[j + 2], c3 = bias[j + 3];
  const end = a + 4 * K;
  const d = b - a;
  for (; a < end; a += 4) {
    const x = A[a];
    c0 += x * B[a + d]; c1 += x * B[a + d + 1]; c2 += x * B[a + d + 2]; c3 += x * B[a + d + 3];
  }
  C[at] = c0; C[at + 1] = c1; C[at + 2] = c2; C[at + 3] = c3;
}

/**
 * Pack rows [i0, i0 + rows) of A, all K columns, as tiles of four interleaved rows
 * (out[t·K + k·4 + r] = A[i0 + t + r, k]); rows past the end of the last tile are zero.
 */
function packLeft(p: LeftSource, i0: number, rows: number, out: Float32Array): void {
  const K = p.K;
  const part = p.part === 'all' ? 0 : p.part === 'positive' ? 1 : 2;
  const tiles = Math.ceil(rows / TILE);
  for (let r = 0; r < tiles * TILE; r++) {
    const at = (r & ~3) * K + (r & 3);
    if (r >= rows) {
      for (let k = 0; k < K; k++) out[at + 4 * k] = 0;
      continue;
    }
    const m = i0 + r;
    const left = p.left;
    if (left.kind === 'rows') copyRun(p.a, m * left.lda, K, out, at, part);
    else if (left.kind === 'patches') packPatchRow(p.a, left.geom, left.group, m, out, at, part);
    else packTransposedPatchRow(p.a, left.geom, left.group, m, out, at, part);
  }
}

/** out[at + 4i] = part(a[from + i]) for i < count. */
function copyRun(a: Float32Array, from: number, count: number, out: Float32Array, at: number, part: number): void {
  if (part === 0) {
    for (let i = 0; i < count; i++) out[at + 4 * i] = a[from + i];
  } else if (part === 1) {
    for (let i = 0; i < count; i++) {
      const v = a[from + i];
      out[at + 4 * i] = v > 0 ? v : 0;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const v = a[from + i];
      out[at + 4 * i] = v < 0 ? v : 0;
    }
  }
}

function zeroRun(count: number, out: Float32Array, at: number): void {
  for (let i = 0; i < count; i++) out[at + 4 * i] = 0;
}

function packPatchRow(x: Float32Array, g: ConvGeometry, group: number, m: number, out: Float32Array, at: number, part: number): void {
  const { H, W, C, OH, OW, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  const cin = C / g.groups;
  const ox = m % OW;
  const rest = (m - ox) / OW;
  const oy = rest % OH;
  const s = (rest - oy) / OH;
  for (let ky = 0; ky < kh; ky++) {
    const iy = oy * sh - padT + ky * dh;
    for (let kx = 0; kx < kw; kx++) {
      const ix = ox * sw - padL + kx * dw;
      const to = at + 4 * (ky * kw + kx) * cin;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) zeroRun(cin, out, to);
      else copyRun(x, ((s * H + iy) * W + ix) * C + group * cin, cin, out, to, part);
    }
  }
}

function packTransposedPatchRow(gy: Float32Array, g: ConvGeometry, group: number, m: number, out: Float32Array, at: number, part: number): void {
  const { H, W, OH, OW, O, kh, kw, sh, sw, dh, dw, padT, padL } = g;
  const cout = O / g.groups;
  const ix = m % W;
  const rest = (m - ix) / W;
  const iy = rest % H;
  const s = (rest - iy) / H;
  for (let ky = 0; ky < kh; ky++) {
    const ty = iy + padT - ky * dh;
    const oy = ty / sh;
    const rowOk = ty >= 0 && oy === Math.floor(oy) && oy < OH;
    for (let kx = 0; kx < kw; kx++) {
      const tx = ix + padL - kx * dw;
      const ox = tx / sw;
      const to = at + 4 * (ky * kw + kx) * cout;
      if (!rowOk || tx < 0 || ox !== Math.floor(ox) || ox >= OW) zeroRun(cout, out, to);
      else copyRun(gy, ((s * OH + oy) * OW + ox) * O + group * cout, cout, out, to, part);
    }
  }
}

/** Runs GEMMs on several threads (see src/parallel/); null: this thread alone. */
export interface GemmExecutor {
  readonly threads: number;
  gemm(p: GemmProblem): void;
  /** Run a staged job of the WebAssembly kernels on these threads (their memory must be shared), claiming rows in whole `unit`s. */
  runJob?(e: KernelEngine, job: number, M: number, unit: number): void;
}

let executor: GemmExecutor | null = null;
const mainScratch = new GemmScratch();

/** Run `f` with every large GEMM split among the executor's threads. */
export function withExecutor<T>(e: GemmExecutor | null, f: () => T): T {
  const previous = executor;
  executor = e;
  try {
    return f();
  } finally {
    executor = previous;
  }
}

/** Smallest GEMM worth splitting: waking a thread costs some tens of microseconds. */
const PARALLEL_MIN_MACS = 1 << 18;

export function gemm(call: GemmCall): void {
  const e = wasmKernels();
  if (e) {
    wasmGemm(e, call, currentPrecision(), splitterFor(e, call.M, call.M * call.N * call.K));
    return;
  }
  if (call.M < TILE) {
    fewRows(call, mainScratch);
    return;
  }
  runRows({ ...call, right: rightOperand(call.weights, call.layout, call.layoutKey) }, call.M * call.N * call.K);
}

/** The executor's threads for a job of the WebAssembly kernels of `macs` multiply-adds, if it is worth splitting and they share the memory. */
export function splitterFor(e: KernelEngine, M: number, macs: number): WasmSplitter | null {
  const x = executor;
  if (x === null || x.threads < 2 || !x.runJob || !e.shared || M < 2 * TILE || macs < PARALLEL_MIN_MACS) return null;
  return x as WasmSplitter;
}

/** Run every row of a problem of `macs` multiply-adds: split among the executor's threads if it is large enough. */
export function runRows(p: GemmProblem, macs: number): void {
  if (executor !== null && executor.threads > 1 && p.M >= 2 * TILE && macs >= PARALLEL_MIN_MACS) executor.gemm(p);
  else gemmRows(p, 0, p.M, mainScratch);
}

/**
 * Fewer rows than a tile (a Dense layer on one sample): B is read where it lies, without packing,
 * with each output summed in the same order as the tiles sum it.
 */
function fewRows(c: GemmCall, scratch: GemmScratch): void {
  const { M, N, K, weights, layout } = c;
  scratch.fit(TILE, K, N);
  packLeft(c, 0, M, scratch.left);
  if (scratch.sums.length < N) scratch.sums = new Float64Array(N);
  const acc = scratch.sums;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) acc[n] = c.bias ? c.bias[c.biasOffset + n] : 0;
    if (layout.nStride === 1) addRows(scratch.left, m, weights, layout, acc);
    else dotColumns(scratch.left, m, weights, layout, acc);
    const at = c.cOffset + m * c.ldc;
    for (let n = 0; n < N; n++) c.c[at + n] = acc[n];
  }
}

// Two functions, not two branches of one: each gets its own type feedback, so optimising one (say for
// a Dense forward) does not deoptimise the other (its transpose) on first use.

/** Rows of B are contiguous: add x_k times row k, for row m of the packed A. Zero inputs (after a relu) are skipped. */
function addRows(A: Float32Array, m: number, w: WeightView, L: RightLayout, acc: Float64Array): void {
  const { K, N, base, inner, outerStride, innerStride } = L;
  const W = w.W;
  const map = w.transform;
  for (let outer = 0, k = 0; k < K; outer++) {
    for (let i = 0; i < inner; i++, k++) {
      const x = A[4 * k + m];
      if (x === 0) continue;
      const row = base + outer * outerStride + i * innerStride;
      if (map === null) for (let n = 0; n < N; n++) acc[n] += x * W[row + n];
      else for (let n = 0; n < N; n++) acc[n] += x * Math.fround(map(W[row + n]));
    }
  }
}

/** Columns of B are runs of `inner` weights: one dot product per output. */
function dotColumns(A: Float32Array, m: number, w: WeightView, L: RightLayout, acc: Float64Array): void {
  const { K, N, base, inner, outerStride, innerStride, nStride } = L;
  const W = w.W;
  const map = w.transform;
  for (let n = 0; n < N; n++) {
    let sum = acc[n];
    for (let outer = 0, k = 0; k < K; outer++, k += inner) {
      const from = base + outer * outerStride + n * nStride;
      if (map === null) for (let i = 0; i < inner; i++) sum += A[4 * (k + i) + m] * W[from + i * innerStride];
      else for (let i = 0; i < inner; i++) sum += A[4 * (k + i) + m] * Math.fround(map(W[from + i * innerStride]));
    }
    acc[n] = sum;
  }
}
