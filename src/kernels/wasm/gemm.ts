import type { GemmCall, GemmProblem, SignPart, WeightView } from '../gemm-problem.js';
import { packRight } from '../pack-right.js';
import type { ConvGeometry } from '../geometry.js';
import { Arena } from './arena.js';
import type { KernelEngine } from './engine.js';
import { JOB_BYTES, writeJob, type Job } from './job.js';
import { getOrCreate } from '../../get-or-create.js';

/**
 * GEMMs and depthwise convolutions on the WebAssembly kernels: stage the operands in the module's
 * memory (the weights prepared there once, kept across calls), describe the job, run its rows (on
 * this thread, or split among a pool's threads by `rows`), copy C back out.
 */

export type Precision = 'float32' | 'float64';

/** Threads that share the module's memory (a pool): each runs `engine.run` on rows of the job it is given. */
export interface WasmSplitter {
  readonly threads: number;
  /** Rows are claimed in whole `unit`s (the micro-kernel's tile rows). */
  runJob(e: KernelEngine, job: number, M: number, unit: number): void;
}

const arenas = new WeakMap<KernelEngine, Arena>();
const arenaOf = (e: KernelEngine): Arena => getOrCreate(arenas, e, () => new Arena(e));

const PARTS: SignPart[] = ['all', 'positive', 'negative'];
const KINDS: GemmProblem['left']['kind'][] = ['rows', 'patches', 'transposed-patches'];

const geometryFields = (
  left: GemmProblem['left'],
): Pick<
  Job,
  'lda' | 'group' | 'H' | 'W' | 'C' | 'OH' | 'OW' | 'O' | 'kh' | 'kw' | 'sh' | 'sw' | 'dh' | 'dw' | 'padT' | 'padL' | 'groups'
> => {
  const g = left.kind === 'rows' ? null : left.geom;
  return {
    lda: left.kind === 'rows' ? left.lda : 0,
    group: left.kind === 'rows' ? 0 : left.group,
    H: g?.H ?? 0,
    W: g?.W ?? 0,
    C: g?.C ?? 0,
    OH: g?.OH ?? 0,
    OW: g?.OW ?? 0,
    O: g?.O ?? 0,
    kh: g?.kh ?? 0,
    kw: g?.kw ?? 0,
    sh: g?.sh ?? 0,
    sw: g?.sw ?? 0,
    dh: g?.dh ?? 0,
    dw: g?.dw ?? 0,
    padT: g?.padT ?? 0,
    padL: g?.padL ?? 0,
    groups: g?.groups ?? 1,
  };
};

/** Copy C (M rows of N, compact at `from`) to where the caller wants it. */
function copyOut(f32: Float32Array, from: number, M: number, N: number, c: Float32Array, cOffset: number, ldc: number): void {
  const at = from >> 2;
  if (ldc === N) {
    c.set(f32.subarray(at, at + M * N), cOffset);
    return;
  }
  for (let m = 0; m < M; m++) c.set(f32.subarray(at + m * N, at + (m + 1) * N), cOffset + m * ldc);
}

/** Stage `a` (whole, as the tensor lies) and return its address. */
const stageFloats = (arena: Arena, a: Float32Array): number => arena.stage(4 * a.length, (at) => arena.views().f32.set(a, at >> 2));

/**
 * The TypeScript kernels read past a short array as NaN and drop writes past its end; the module
 * would read or write its own memory there: a call whose arrays are too short is refused instead.
 */
function checkLengths(what: string, a: Float32Array, aNeeds: number, c: Float32Array, cNeeds: number): void {
  if (!(a instanceof Float32Array) || a.length < aNeeds || !(c instanceof Float32Array) || c.length < cNeeds) {
    throw new Error(`${what}: needs ${aNeeds} input and ${cNeeds} output floats, got ${a?.length} and ${c?.length}`);
  }
}

/** Floats of A a GEMM reads (its tensor), from its rows and how it reads them. */
function leftLength(call: GemmCall): number {
  const { left, M, K } = call;
  if (left.kind === 'rows') return M === 0 ? 0 : (M - 1) * left.lda + K;
  const g = left.geom;
  return left.kind === 'patches' ? (M / (g.OH * g.OW)) * g.H * g.W * g.C : (M / (g.H * g.W)) * g.OH * g.OW * g.O;
}

/** Stage the job with scratch for `threads` threads: its address. */
function stageJob(arena: Arena, job: Job, threads: number): number {
  job.scratch = arena.stage(threads * job.scratchBytes);
  return arena.stage(JOB_BYTES, (to) => writeJob(arena.views().i32, to, job));
}

/** Run every row of a staged job: on this thread, or split among a pool's. */
function runJob(arena: Arena, at: number, job: Job, split: WasmSplitter | null): void {
  if (split) split.runJob(arena.engine, at, job.M, job.depthwise ? 1 : arena.engine.tileRows(job.precision));
  else arena.engine.run(at, 0, job.M, 0);
}

/** Stage a GEMM's operands (its packed weights kept) and job, for `threads` threads. */
function stageGemm(arena: Arena, call: GemmCall, precision: Precision, threads: number): Job & { at: number } {
  const e = arena.engine;
  const f64 = precision === 'float64' ? 1 : 0;
  const { M, N, K } = call;
  checkLengths('gemm', call.a, leftLength(call), call.c, M === 0 ? 0 : call.cOffset + (M - 1) * call.ldc + N);
  const width = e.panelWidth(f64);
  const panels = Math.ceil(N / width);
  const size = f64 ? 8 : 4;
  const b = arena.prepared(
    call.weights.W,
    `packed|${precision}|${call.weights.cacheKey}|${call.layoutKey}`,
    panels * K * width * size,
    (at) => {
      const v = arena.views();
      packRight(call.weights, call.layout, f64 ? v.f64 : v.f32, width, at / size);
    },
  );
  const a = stageFloats(arena, call.a);
  const bias = arena.stage(panels * width * size, (at) => {
    const v = arena.views();
    const out = f64 ? v.f64 : v.f32;
    const from = at / size;
    out.fill(0, from, from + panels * width);
    if (call.bias) for (let n = 0; n < N; n++) out[from + n] = call.bias[call.biasOffset + n];
  });
  const c = arena.stage(4 * M * N);
  const job: Job = {
    kind: KINDS.indexOf(call.left.kind),
    part: PARTS.indexOf(call.part),
    depthwise: 0,
    precision: f64,
    M,
    N,
    K,
    ...geometryFields(call.left),
    a,
    b,
    bias,
    c,
    ldc: N,
    scratch: 0,
    scratchBytes: e.scratchBytes(K, f64),
  };
  return { ...job, at: stageJob(arena, job, threads) };
}

/** A GEMM (gemm.ts' call) on the kernels; `split` when it is large enough to share among threads. */
export function wasmGemm(e: KernelEngine, call: GemmCall, precision: Precision, split: WasmSplitter | null): void {
  const arena = arenaOf(e);
  try {
    const job = stageGemm(arena, call, precision, split ? split.threads : 1);
    runJob(arena, job.at, job, split);
    copyOut(arena.views().f32, job.c, job.M, job.N, call.c, call.cOffset, call.ldc);
  } finally {
    arena.release();
  }
}

/**
 * A GEMM staged once, to be run again and again on this thread: the kernel alone, without staging
 * or copies (what the bench calls the SIMD ceiling). `release` frees what was staged.
 */
export function stagedGemm(e: KernelEngine, call: GemmCall, precision: Precision): { run: () => void; release: () => void } {
  const arena = arenaOf(e);
  const job = stageGemm(arena, call, precision, 1);
  return { run: () => e.run(job.at, 0, job.M, 0), release: () => arena.release() };
}

/**
 * A depthwise convolution: forward (rows are output pixels, `x` read through `part`) or transpose
 * (rows are input pixels). The kernel, modified by `w`'s transform, is kept in the module's memory.
 */
export function wasmDepthwise(
  e: KernelEngine,
  direction: 'forward' | 'transpose',
  a: Float32Array,
  w: WeightView,
  bias: Float32Array | null,
  out: Float32Array,
  n: number,
  g: ConvGeometry,
  part: SignPart,
  precision: Precision,
  split: WasmSplitter | null,
): void {
  const arena = arenaOf(e);
  const map = w.transform;
  const k = arena.prepared(w.W, `depthwise|${w.cacheKey}`, 4 * w.W.length, (at) => {
    const f32 = arena.views().f32;
    if (map === null) f32.set(w.W, at >> 2);
    else for (let i = 0; i < w.W.length; i++) f32[(at >> 2) + i] = map(w.W[i]);
  });
  const forward = direction === 'forward';
  const M = forward ? n * g.OH * g.OW : n * g.H * g.W;
  const N = forward ? g.O : g.C;
  checkLengths(`depthwise ${direction}`, a, forward ? n * g.H * g.W * g.C : n * g.OH * g.OW * g.O, out, M * N);
  try {
    const x = arena.stage(4 * a.length, (at) => {
      const f32 = arena.views().f32;
      const to = at >> 2;
      if (part === 'all') f32.set(a, to);
      else if (part === 'positive') for (let i = 0; i < a.length; i++) f32[to + i] = a[i] > 0 ? a[i] : 0;
      else for (let i = 0; i < a.length; i++) f32[to + i] = a[i] < 0 ? a[i] : 0;
    });
    const b = forward && bias ? stageFloats(arena, bias) : 0;
    const c = arena.stage(4 * M * N);
    const job: Job = {
      kind: forward ? 1 : 2,
      part: 0,
      depthwise: 1,
      precision: precision === 'float64' ? 1 : 0,
      M,
      N,
      K: g.kh * g.kw,
      ...geometryFields({ kind: 'patches', geom: g, group: 0 }),
      a: x,
      b: k,
      bias: b,
      c,
      ldc: N,
      scratch: 0,
      scratchBytes: e.depthwiseScratchBytes(g.kh, g.kw),
    };
    runJob(arena, stageJob(arena, job, split ? split.threads : 1), job, split);
    copyOut(arena.views().f32, c, M, N, out, 0, N);
  } finally {
    arena.release();
  }
}
