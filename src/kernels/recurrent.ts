import type { Activation } from './activations.js';
import { denseForward, denseTranspose } from './dense.js';
import { plainWeights, TILE } from './gemm-problem.js';

/**
 * SimpleRNN, LSTM and GRU over a batch, as Keras computes them (CONVENTIONS-RECURRENT.md §1), and their
 * backward passes: the exact gradient, and LRP's "signal takes all" rules (§2). The input projections of
 * all steps are one GEMM; each step is one GEMM of the batch's states with the recurrent kernel into
 * buffers allocated once per call.
 */

export type CellKind = 'lstm' | 'gru' | 'simple';

export interface RecurrentSpec {
  cell: CellKind;
  units: number;
  features: number;
  /** Keras' kernel (features, k·units) and recurrent kernel (units, k·units); gate blocks [i f c o], [z r h], one. */
  W: Float32Array;
  U: Float32Array;
  /** The input bias (k·units); for a GRU with `reset_after` its first row b_i. */
  bIn: Float32Array | null;
  /** GRU `reset_after`: the recurrent bias b_h (3·units), added to h·U. */
  bRec: Float32Array | null;
  resetAfter: boolean;
  act: Activation;
  recAct: Activation;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  /** Write the output sequence back in input order (the backward half of a Bidirectional). */
  reverseOutput: boolean;
  zeroOutputForMask: boolean;
  /** The node's inputs: x, then the mask (n, T) if `hasMask`, then the initial states if `hasInitialState`. */
  hasMask: boolean;
  hasInitialState: boolean;
}

export const gateBlocks = (cell: CellKind): number => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);
export const stateCount = (cell: CellKind): number => (cell === 'lstm' ? 2 : 1);

/** Values per sample of the node's output: the output (sequence or last step), then the final states with `returnState`. */
export const recurrentOutputSize = (s: RecurrentSpec, steps: number): number =>
  (s.returnSequences ? steps : 1) * s.units + (s.returnState ? stateCount(s.cell) * s.units : 0);

/** What the backward passes read of a forward pass; arrays in processing order (step p reads input step `timeOf(p)`). */
export interface RecurrentTrace {
  /** (n, T, k·u): LSTM z = x·W + h·U + b; GRU [z, r pre-activations, a_n]; SimpleRNN a. */
  pre: Float32Array;
  /** GRU: (n, T, 3u) the recurrent terms: reset_after h·U + b_h; else [h·U_z, h·U_r, (r⊙h)·U_h]. */
  rec: Float32Array | null;
  /** (n, T + 1, u): states after each step; index 0 holds the initial state. */
  h: Float32Array;
  c: Float32Array | null;
  /** (n, T): 1 where the step ran, 0 where the mask skipped it. */
  active: Uint8Array;
}

interface Inputs {
  x: Float32Array;
  mask: Float32Array | null;
  h0: Float32Array | null;
  c0: Float32Array | null;
}

function splitInputs(s: RecurrentSpec, xs: Float32Array[]): Inputs {
  let k = 1;
  const mask = s.hasMask ? xs[k++] : null;
  const h0 = s.hasInitialState ? xs[k++] : null;
  const c0 = s.hasInitialState && s.cell === 'lstm' ? xs[k++] : null;
  return { x: xs[0], mask, h0, c0 };
}

/** Column block `block` (of `k`) of a (rows, k·u) kernel as its own (rows, u) array: GRU's U_h when `reset_after` is false. */
function columnBlock(U: Float32Array, rows: number, u: number, k: number, from: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(U.subarray(r * k * u + from, r * k * u + from + width), r * width);
  return out;
}

/**
 * The per-step product y = h·U (+ b) of `n` states with a (u, w) kernel. A batch of at least a tile
 * of rows is one GEMM; fewer rows (one sequence at a time, the common case) run as row-major
 * axpys over U, in float64 like the GEMM's sums, avoiding the GEMM's per-call set-up on every step.
 */
function stepProduct(
  h: Float32Array,
  U: Float32Array,
  b: Float32Array | null,
  y: Float32Array,
  n: number,
  u: number,
  w: number,
  acc: Float64Array,
): void {
  if (n >= TILE) {
    denseForward(h, plainWeights(U), b, y, n, u, w);
    return;
  }
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < w; j++) acc[j] = b ? b[j] : 0;
    const hr = r * u;
    let k = 0;
    // Four rows of U per pass over acc: a quarter of the loads and stores of acc.
    for (; k + 4 <= u; k += 4) {
      const x0 = h[hr + k];
      const x1 = h[hr + k + 1];
      const x2 = h[hr + k + 2];
      const x3 = h[hr + k + 3];
      const r0 = k * w;
      const r1 = r0 + w;
      const r2 = r1 + w;
      const r3 = r2 + w;
      for (let j = 0; j < w; j++) acc[j] += x0 * U[r0 + j] + x1 * U[r1 + j] + x2 * U[r2 + j] + x3 * U[r3 + j];
    }
    for (; k < u; k++) {
      const x = h[hr + k];
      const row = k * w;
      for (let j = 0; j < w; j++) acc[j] += x * U[row + j];
    }
    for (let j = 0; j < w; j++) y[r * w + j] = acc[j];
  }
}

/** The transposed step product y = d·Uᵀ (the gradient or relevance sent to h), likewise. */
function stepTranspose(d: Float32Array, U: Float32Array, y: Float32Array, n: number, u: number, w: number): void {
  if (n >= TILE) {
    denseTranspose(d, plainWeights(U), y, n, u, w);
    return;
  }
  for (let r = 0; r < n; r++) {
    const dr = r * w;
    let k = 0;
    // Four rows of U per pass over d.
    for (; k + 4 <= u; k += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      const r0 = k * w;
      const r1 = r0 + w;
      const r2 = r1 + w;
      const r3 = r2 + w;
      for (let j = 0; j < w; j++) {
        const v = d[dr + j];
        a0 += v * U[r0 + j];
        a1 += v * U[r1 + j];
        a2 += v * U[r2 + j];
        a3 += v * U[r3 + j];
      }
      y[r * u + k] = a0;
      y[r * u + k + 1] = a1;
      y[r * u + k + 2] = a2;
      y[r * u + k + 3] = a3;
    }
    for (; k < u; k++) {
      let acc = 0;
      const row = k * w;
      for (let j = 0; j < w; j++) acc += d[dr + j] * U[row + j];
      y[r * u + k] = acc;
    }
  }
}

const blocksOfGru = new WeakMap<Float32Array, { zr: Float32Array; h: Float32Array }>();

/** GRU without `reset_after` multiplies h by U_zr and r⊙h by U_h: the two column blocks, split once per kernel. */
function gruBlocks(s: RecurrentSpec): { zr: Float32Array; h: Float32Array } {
  let b = blocksOfGru.get(s.U);
  if (!b) {
    b = { zr: columnBlock(s.U, s.units, s.units, 3, 0, 2 * s.units), h: columnBlock(s.U, s.units, s.units, 3, 2 * s.units, s.units) };
    blocksOfGru.set(s.U, b);
  }
  return b;
}

/**
 * Traces of recent forward passes by their output array: a backward pass given that output reuses its
 * forward pass instead of running it again (weakly held: a trace lives as long as its output).
 */
const traces = new WeakMap<Float32Array, RecurrentTrace>();

/** The forward pass, keeping its trace for a backward pass from its output `y`. */
export function recurrentForwardKept(s: RecurrentSpec, xs: Float32Array[], n: number, steps: number): Float32Array {
  const { y, trace } = recurrentForward(s, xs, n, steps);
  traces.set(y, trace);
  return y;
}

/**
 * The forward pass; returns the node's packed output (see `recurrentOutputSize`) and the trace.
 * `steps` is the sequence length T (free time axes are resolved per call).
 */
export function recurrentForward(
  s: RecurrentSpec,
  xs: Float32Array[],
  n: number,
  steps: number,
): { y: Float32Array; trace: RecurrentTrace } {
  const { x, mask, h0, c0 } = splitInputs(s, xs);
  const u = s.units;
  const T = steps;
  const ku = gateBlocks(s.cell) * u;
  const lstm = s.cell === 'lstm';
  const gru = s.cell === 'gru';
  const xproj = new Float32Array(n * T * ku);
  denseForward(x, plainWeights(s.W), s.bIn, xproj, n * T, s.features, ku);

  const pre = new Float32Array(n * T * ku);
  const rec = gru ? new Float32Array(n * T * ku) : null;
  const h = new Float32Array(n * (T + 1) * u);
  const c = lstm ? new Float32Array(n * (T + 1) * u) : null;
  const active = new Uint8Array(n * T);
  const outs = new Float32Array(n * T * u);
  const hPrev = new Float32Array(n * u);
  const rh = gru && !s.resetAfter ? new Float32Array(n * u) : null;
  const recStep = new Float32Array(n * ku);
  const recH = gru && !s.resetAfter ? new Float32Array(n * u) : null;
  const blocks = gru && !s.resetAfter ? gruBlocks(s) : null;
  const acc = new Float64Array(ku);
  const { f: act } = s.act;
  const { f: sig } = s.recAct;

  for (let b = 0; b < n; b++) {
    if (h0) h.set(h0.subarray(b * u, (b + 1) * u), b * (T + 1) * u);
    if (c0 && c) c.set(c0.subarray(b * u, (b + 1) * u), b * (T + 1) * u);
  }
  for (let p = 0; p < T; p++) {
    const t = s.goBackwards ? T - 1 - p : p;
    for (let b = 0; b < n; b++) copy(h, (b * (T + 1) + p) * u, hPrev, b * u, u);
    if (blocks) stepProduct(hPrev, blocks.zr, null, recStep, n, u, 2 * u, acc);
    else stepProduct(hPrev, s.U, s.bRec, recStep, n, u, ku, acc);
    const recW = blocks ? 2 * u : ku;
    for (let b = 0; b < n; b++) {
      const on = mask === null || mask[b * T + t] !== 0;
      active[b * T + p] = on ? 1 : 0;
      const hp = (b * (T + 1) + p) * u;
      const hn = hp + u;
      const out = (b * T + p) * u;
      if (!on) {
        h.copyWithin(hn, hp, hp + u);
        if (c) c.copyWithin(hn, hp, hp + u);
        if (!s.zeroOutputForMask && p > 0) outs.copyWithin(out, out - u, out);
        continue;
      }
      const xo = (b * T + t) * ku;
      const po = (b * T + p) * ku;
      const ro = b * recW;
      if (lstm) {
        for (let j = 0; j < ku; j++) pre[po + j] = xproj[xo + j] + recStep[ro + j];
        for (let j = 0; j < u; j++) {
          const i = sig(pre[po + j]);
          const f = sig(pre[po + u + j]);
          const g = act(pre[po + 2 * u + j]);
          const o = sig(pre[po + 3 * u + j]);
          const cv = f * c![hp + j] + i * g;
          c![hn + j] = cv;
          h[hn + j] = o * act(c![hn + j]);
        }
      } else if (gru) {
        for (let j = 0; j < 2 * u; j++) {
          rec![po + j] = recStep[ro + j];
          pre[po + j] = xproj[xo + j] + recStep[ro + j];
        }
        if (s.resetAfter) {
          for (let j = 0; j < u; j++) {
            rec![po + 2 * u + j] = recStep[ro + 2 * u + j];
            pre[po + 2 * u + j] = xproj[xo + 2 * u + j] + sig(pre[po + u + j]) * recStep[ro + 2 * u + j];
          }
        } else {
          for (let j = 0; j < u; j++) rh![b * u + j] = sig(pre[po + u + j]) * h[hp + j];
        }
      } else {
        for (let j = 0; j < u; j++) {
          pre[po + j] = xproj[xo + j] + recStep[ro + j];
          h[hn + j] = act(pre[po + j]);
        }
      }
    }
    if (gru && !s.resetAfter) {
      // The candidate reads r⊙h: a second product once every sample's r is known.
      stepProduct(rh!, blocks!.h, null, recH!, n, u, u, acc);
      for (let b = 0; b < n; b++) {
        if (!active[b * T + p]) continue;
        const po = (b * T + p) * ku;
        const xo = (b * T + (s.goBackwards ? T - 1 - p : p)) * ku;
        for (let j = 0; j < u; j++) {
          rec![po + 2 * u + j] = recH![b * u + j];
          pre[po + 2 * u + j] = xproj[xo + 2 * u + j] + recH![b * u + j];
        }
      }
    }
    if (gru) {
      for (let b = 0; b < n; b++) {
        if (!active[b * T + p]) continue;
        const po = (b * T + p) * ku;
        const hp = (b * (T + 1) + p) * u;
        for (let j = 0; j < u; j++) {
          const z = sig(pre[po + j]);
          h[hp + u + j] = z * h[hp + j] + (1 - z) * act(pre[po + 2 * u + j]);
        }
      }
    }
    for (let b = 0; b < n; b++) if (active[b * T + p]) copy(h, (b * (T + 1) + p + 1) * u, outs, (b * T + p) * u, u);
  }

  const size = recurrentOutputSize(s, T);
  const y = new Float32Array(n * size);
  for (let b = 0; b < n; b++) {
    const yo = b * size;
    if (s.returnSequences) {
      for (let p = 0; p < T; p++) copy(outs, (b * T + p) * u, y, yo + outputStep(s, p, T) * u, u);
    } else {
      y.set(outs.subarray((b * T + T - 1) * u, (b * T + T) * u), yo);
    }
    if (s.returnState) {
      const at = yo + (s.returnSequences ? T : 1) * u;
      y.set(h.subarray((b * (T + 1) + T) * u, (b * (T + 1) + T + 1) * u), at);
      if (c) y.set(c.subarray((b * (T + 1) + T) * u, (b * (T + 1) + T + 1) * u), at + u);
    }
  }
  return { y, trace: { pre, rec, h, c, active } };
}

/** dst[to … to + count) = src[from … from + count): a loop, since a subarray view per step would allocate. */
function copy(src: Float32Array, from: number, dst: Float32Array, to: number, count: number): void {
  for (let i = 0; i < count; i++) dst[to + i] = src[from + i];
}

/** Where processing step p's output sits in the output sequence. */
const outputStep = (s: RecurrentSpec, p: number, T: number): number => (s.reverseOutput ? T - 1 - p : p);

/**
 * What a backward pass computes: the gradient (or its guided-backprop / deconvnet variant, which change
 * only a gating `activation` such as relu, CONVENTIONS.md), or LRP with stabiliser ε
 * (stab(z) = z + ε·sign(z), sign(0) = +1).
 */
export type RecurrentBackwardMode = { kind: 'gradient'; variant?: 'guided-backprop' | 'deconvnet' } | { kind: 'lrp'; epsilon: number };

/**
 * The backward pass from `upstream` (the signal at the node's packed output) to each of the node's
 * inputs: x, the mask (always 0), the initial states. Time runs backwards in processing order; masked
 * steps copy the state signals and pass the output's on to the previous output unless it was zeroed.
 */
export function recurrentBackward(
  s: RecurrentSpec,
  xs: Float32Array[],
  n: number,
  steps: number,
  upstream: Float32Array,
  mode: RecurrentBackwardMode,
  y?: Float32Array,
): Float32Array[] {
  const trace = (y && traces.get(y)) || recurrentForward(s, xs, n, steps).trace;
  const { x, mask } = splitInputs(s, xs);
  const { pre, rec, h, c, active } = trace;
  const u = s.units;
  const T = steps;
  const ku = gateBlocks(s.cell) * u;
  const lrp = mode.kind === 'lrp';
  const eps = mode.kind === 'lrp' ? mode.epsilon : 0;
  const stab = (z: number): number => z + (z >= 0 ? eps : -eps);
  const div = (a: number, z: number): number => {
    const d = stab(z);
    return d === 0 ? 0 : a / d;
  };
  const size = recurrentOutputSize(s, T);
  const gh = new Float32Array(n * u);
  const gc = new Float32Array(n * u);
  const carry = new Float32Array(n * u);
  const dx = new Float32Array(n * T * ku);
  const blocks = s.cell === 'gru' && !s.resetAfter ? gruBlocks(s) : null;
  /** Width of the per-step signal into the recurrent product (GRU without reset_after: z and r only). */
  const dw = blocks ? 2 * u : ku;
  const dh = new Float32Array(n * dw);
  const back = new Float32Array(n * u);
  const dhH = blocks ? new Float32Array(n * u) : null;
  const backH = blocks ? new Float32Array(n * u) : null;
  const { f: act } = s.act;
  const { f: sig, df: dsig } = s.recAct;
  // The activation's backward step at pre-activation v with upstream g: guided backprop and deconvnet gate a relu-like one.
  const variant = mode.kind === 'gradient' && s.act.gate ? mode.variant : undefined;
  const actBack = (v: number, g: number): number =>
    variant === 'deconvnet' ? Math.max(g, 0) : variant === 'guided-backprop' ? s.act.df(v) * Math.max(g, 0) : s.act.df(v) * g;

  for (let b = 0; b < n; b++) {
    if (s.returnState) {
      const at = b * size + (s.returnSequences ? T : 1) * u;
      gh.set(upstream.subarray(at, at + u), b * u);
      if (s.cell === 'lstm') gc.set(upstream.subarray(at + u, at + 2 * u), b * u);
    }
  }
  for (let p = T - 1; p >= 0; p--) {
    const t = s.goBackwards ? T - 1 - p : p;
    dh.fill(0);
    for (let b = 0; b < n; b++) {
      const seedAt = s.returnSequences ? b * size + outputStep(s, p, T) * u : p === T - 1 ? b * size : -1;
      const on = active[b * T + p] === 1;
      for (let j = 0; j < u; j++) {
        const r = (seedAt >= 0 ? upstream[seedAt + j] : 0) + carry[b * u + j];
        carry[b * u + j] = 0;
        if (on) gh[b * u + j] += r;
        else if (!s.zeroOutputForMask && p > 0) carry[b * u + j] = r;
      }
      if (!on) continue;
      const po = (b * T + p) * ku;
      const xo = (b * T + t) * ku;
      const hp = (b * (T + 1) + p) * u;
      const go = b * u;
      const dho = b * dw;
      if (s.cell === 'lstm') {
        for (let j = 0; j < u; j++) {
          const zi = pre[po + j];
          const zf = pre[po + u + j];
          const zc = pre[po + 2 * u + j];
          const zo = pre[po + 3 * u + j];
          const i = sig(zi);
          const f = sig(zf);
          const g = act(zc);
          const cPrev = c![hp + j];
          const cNow = c![hp + u + j];
          if (lrp) {
            const rc = gc[go + j] + gh[go + j];
            gc[go + j] = div(f * cPrev * rc, cNow);
            const q = div(div(i * g * rc, cNow), zc);
            dx[xo + 2 * u + j] = q;
            dh[dho + 2 * u + j] = q;
          } else {
            const o = sig(zo);
            const cTot = gc[go + j] + actBack(cNow, gh[go + j] * o);
            const gi = cTot * g * dsig(zi);
            const gf = cTot * cPrev * dsig(zf);
            const gg = actBack(zc, cTot * i);
            const gO = gh[go + j] * act(cNow) * dsig(zo);
            gc[go + j] = cTot * f;
            dx[xo + j] = dh[dho + j] = gi;
            dx[xo + u + j] = dh[dho + u + j] = gf;
            dx[xo + 2 * u + j] = dh[dho + 2 * u + j] = gg;
            dx[xo + 3 * u + j] = dh[dho + 3 * u + j] = gO;
          }
          gh[go + j] = 0;
        }
      } else if (s.cell === 'gru') {
        for (let j = 0; j < u; j++) {
          const z = sig(pre[po + j]);
          const r = sig(pre[po + u + j]);
          const a = pre[po + 2 * u + j];
          const nv = act(a);
          const hPrev = h[hp + j];
          const g = gh[go + j];
          if (lrp) {
            const hNow = h[hp + u + j];
            gh[go + j] = div(z * hPrev * g, hNow);
            const q = div(div((1 - z) * nv * g, hNow), a);
            dx[xo + 2 * u + j] = q;
            if (s.resetAfter) {
              const sv = rec![po + 2 * u + j];
              dh[dho + 2 * u + j] = div(r * sv * q, sv);
            } else {
              dhH![go + j] = q;
            }
          } else {
            const gz = g * (hPrev - nv) * dsig(pre[po + j]);
            const ga = actBack(a, g * (1 - z));
            gh[go + j] = g * z;
            dx[xo + j] = dh[dho + j] = gz;
            dx[xo + 2 * u + j] = ga;
            if (s.resetAfter) {
              const gr = ga * rec![po + 2 * u + j] * dsig(pre[po + u + j]);
              dx[xo + u + j] = dh[dho + u + j] = gr;
              dh[dho + 2 * u + j] = ga * r;
            } else {
              dhH![go + j] = ga;
            }
          }
        }
      } else {
        for (let j = 0; j < u; j++) {
          const a = pre[po + j];
          const q = lrp ? div(gh[go + j], a) : actBack(a, gh[go + j]);
          dx[xo + j] = dh[dho + j] = q;
          gh[go + j] = 0;
        }
      }
    }
    if (blocks) {
      // GRU without reset_after: the candidate's product reads r⊙h.
      for (let b = 0; b < n; b++) if (!active[b * T + p]) dhH!.fill(0, b * u, (b + 1) * u);
      stepTranspose(dhH!, blocks.h, backH!, n, u, u);
      if (!lrp) {
        for (let b = 0; b < n; b++) {
          if (!active[b * T + p]) continue;
          const po = (b * T + p) * ku;
          const xo = (b * T + t) * ku;
          const hp = (b * (T + 1) + p) * u;
          for (let j = 0; j < u; j++) {
            const gr = backH![b * u + j] * h[hp + j] * dsig(pre[po + u + j]);
            dx[xo + u + j] = dh[b * dw + u + j] = gr;
          }
        }
      }
    }
    // h read directly by the gates (GRU without reset_after: only the z and r blocks; LRP gives gates nothing).
    if (!blocks) stepTranspose(dh, s.U, back, n, u, ku);
    else if (!lrp) stepTranspose(dh, blocks.zr, back, n, u, dw);
    for (let b = 0; b < n; b++) {
      if (!active[b * T + p]) continue;
      const hp = (b * (T + 1) + p) * u;
      const po = (b * T + p) * ku;
      for (let j = 0; j < u; j++) {
        const hPrev = h[hp + j];
        let v: number;
        if (!lrp) v = back[b * u + j] + (blocks ? backH![b * u + j] * sig(pre[po + u + j]) : 0);
        else if (blocks) v = sig(pre[po + u + j]) * hPrev * backH![b * u + j];
        else v = hPrev * back[b * u + j];
        gh[b * u + j] += v;
      }
    }
  }

  const gx = new Float32Array(x.length);
  denseTranspose(dx, plainWeights(s.W), gx, n * T, s.features, ku);
  if (lrp) for (let i = 0; i < gx.length; i++) gx[i] *= x[i];
  const result: Float32Array[] = [gx];
  if (mask) result.push(new Float32Array(mask.length));
  // What reached h₋₁ (and c₋₁): the initial states' signal (in LRP already h₀ ⊙ …, like any input of a linear map).
  if (s.hasInitialState) result.push(gh, ...(s.cell === 'lstm' ? [gc] : []));
  return result;
}
