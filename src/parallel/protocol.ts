import { CONV_GEOMETRY_FIELDS } from '../kernels/geometry.js';
import { TILE, type GemmProblem, type LeftOperand, type SignPart } from '../kernels/gemm-problem.js';

/**
 * How the main thread hands a GEMM to the workers: the operands sit in one shared staging buffer,
 * and the problem is written as integers into a shared control block. Workers park in Atomics.wait
 * on the generation counter and report completion on the done counter. The threads claim runs of
 * rows as they go, each a quarter (for two threads) of what is left, whole tiles, so a faster or
 * earlier thread takes more and the last runs are short: the main thread from the first row on,
 * writing straight into its own arrays; the workers from the last row backwards, into the staging buffer.
 */
export const Slot = {
  generation: 0,
  done: 1,
  ready: 2,
  command: 3,
  /** Set by a worker whose share failed (the main thread then throws). */
  failed: 4,
  /** Rows claimed so far, by any thread (a claim past the last row means: done). */
  claimed: 5,
  /** Rows the workers have taken, from the last one backwards (the main thread takes them from the front). */
  back: 6,
  /** Address of a WebAssembly kernel job in the shared kernel memory (Command.kernel). */
  kernelJob: 7,
  job: 8,
} as const;

/**
 * gemm: a TypeScript GEMM on the staging buffer; restage: take a new staging buffer; attach: take
 * the WebAssembly kernel module and its shared memory; kernel: run rows of a kernel job there.
 */
export const Command = { gemm: 1, exit: 2, restage: 3, attach: 4, kernel: 5 } as const;

const JOB_FIELDS = [
  'kind',
  'part',
  'depthwise',
  'M',
  'N',
  'K',
  'lda',
  'group',
  ...CONV_GEOMETRY_FIELDS,
  'aOffset',
  'aLength',
  'rightOffset',
  'rightLength',
  'biasOffset',
  'cOffset',
  'threads',
  'unit',
] as const;
type Field = (typeof JOB_FIELDS)[number];
const at = Object.fromEntries(JOB_FIELDS.map((f, i) => [f, Slot.job + i])) as Record<Field, number>;

export const CONTROL_INTS = Slot.job + JOB_FIELDS.length;

const KINDS: LeftOperand['kind'][] = ['rows', 'patches', 'transposed-patches'];
const PARTS: SignPart[] = ['all', 'positive', 'negative'];

/** Where each operand of a staged problem sits in the staging buffer (in floats). */
export interface StagedLayout {
  aOffset: number;
  aLength: number;
  rightOffset: number;
  rightLength: number;
  biasOffset: number;
  cOffset: number;
}

export function writeJob(ctrl: Int32Array, p: GemmProblem, s: StagedLayout, threads: number): void {
  const left = p.left;
  const g = left.kind === 'rows' ? null : left.geom;
  const put = (f: Field, v: number): void => {
    ctrl[at[f]] = v;
  };
  put('kind', KINDS.indexOf(left.kind));
  put('part', PARTS.indexOf(p.part));
  put('depthwise', p.depthwise ? 1 : 0);
  put('M', p.M);
  put('N', p.N);
  put('K', p.K);
  put('lda', left.kind === 'rows' ? left.lda : 0);
  put('group', left.kind === 'rows' ? 0 : left.group);
  for (const f of CONV_GEOMETRY_FIELDS) put(f, g ? g[f] : 0);
  for (const f of ['aOffset', 'aLength', 'rightOffset', 'rightLength', 'biasOffset', 'cOffset'] as const) put(f, s[f]);
  put('threads', threads);
  put('unit', TILE);
  ctrl[Slot.claimed] = 0;
  ctrl[Slot.back] = 0;
}

/**
 * A job of the WebAssembly kernels (its description is in the shared kernel memory at `job`):
 * rows are claimed in runs of whole `unit`s (a multiple of the micro-kernel's rows).
 */
export function writeKernelJob(ctrl: Int32Array, job: number, M: number, threads: number, unit: number): void {
  ctrl[Slot.kernelJob] = job;
  ctrl[at.M] = M;
  ctrl[at.threads] = threads;
  ctrl[at.unit] = unit;
  ctrl[Slot.claimed] = 0;
  ctrl[Slot.back] = 0;
}

/** The rows and thread count of the job in the control block, as `claimRows` needs them. */
export const jobRows = (ctrl: Int32Array): { M: number; threads: number } => ({ M: ctrl[at.M], threads: ctrl[at.threads] });

/** The problem a worker runs: operands are views of the staging buffer; C has N columns. */
export function readJob(ctrl: Int32Array, staging: Float32Array): { p: GemmProblem; threads: number } {
  const get = (f: Field): number => ctrl[at[f]];
  const kind = KINDS[get('kind')];
  const geom = {
    H: get('H'),
    W: get('W'),
    C: get('C'),
    OH: get('OH'),
    OW: get('OW'),
    O: get('O'),
    kh: get('kh'),
    kw: get('kw'),
    sh: get('sh'),
    sw: get('sw'),
    dh: get('dh'),
    dw: get('dw'),
    padT: get('padT'),
    padL: get('padL'),
    groups: get('groups'),
  };
  const left: LeftOperand = kind === 'rows' ? { kind, lda: get('lda') } : { kind, geom, group: get('group') };
  const N = get('N');
  const biasOffset = get('biasOffset');
  const p: GemmProblem = {
    M: get('M'),
    N,
    K: get('K'),
    left,
    part: PARTS[get('part')],
    depthwise: get('depthwise') === 1,
    a: staging.subarray(get('aOffset'), get('aOffset') + get('aLength')),
    right: staging.subarray(get('rightOffset'), get('rightOffset') + get('rightLength')),
    bias: biasOffset < 0 ? null : staging.subarray(biasOffset, biasOffset + N),
    biasOffset: 0,
    c: staging,
    ldc: N,
    cOffset: get('cOffset'),
  };
  return { p, threads: get('threads') };
}

/** Claim the next run of rows of an M-row problem shared by `threads` threads: its length, 0 when none is left. */
export function claimRows(ctrl: Int32Array, M: number, threads: number): number {
  const unit = ctrl[at.unit];
  const left = M - Atomics.load(ctrl, Slot.claimed);
  const want = Math.max(unit, Math.ceil(left / (2 * threads) / unit) * unit);
  const start = Atomics.add(ctrl, Slot.claimed, want);
  return Math.max(0, Math.min(want, M - start));
}

/** Where a worker's run of `rows` rows starts: runs are taken from the end backwards. */
export const backRun = (ctrl: Int32Array, M: number, rows: number): number => M - Atomics.add(ctrl, Slot.back, rows) - rows;
