/**
 * A fixed linear resampling of each sample (bilinear up-sampling and resizing): output cell i is
 * Σₜ weight[i·taps + t] · x[index[i·taps + t]], with `taps` input cells per output cell.
 */
export interface Taps {
  taps: number;
  index: Int32Array;
  weight: Float32Array;
}

export function interpolateForward(x: Float32Array, y: Float32Array, t: Taps, n: number, inSize: number): void {
  const outSize = t.index.length / t.taps;
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < outSize; i++) {
      let v = 0;
      for (let k = i * t.taps; k < (i + 1) * t.taps; k++) v += t.weight[k] * x[s * inSize + t.index[k]];
      y[s * outSize + i] = v;
    }
  }
}

/** The transpose: each output cell sends its signal back to its taps, weighted. */
export function interpolateTranspose(gy: Float32Array, gx: Float32Array, t: Taps, n: number, inSize: number): void {
  const outSize = t.index.length / t.taps;
  gx.fill(0, 0, n * inSize);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < outSize; i++) {
      const g = gy[s * outSize + i];
      for (let k = i * t.taps; k < (i + 1) * t.taps; k++) gx[s * inSize + t.index[k]] += t.weight[k] * g;
    }
  }
}

/**
 * TensorFlow's half-pixel source coordinates along one axis (align_corners off): for each output
 * position, the two input cells and the weight of the upper one. `from`/`length` select a window of
 * the input (a crop to the target's aspect ratio) that is resized to `out` cells.
 */
function bilinearAxis(from: number, length: number, out: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const scale = Math.fround(length / out);
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  const frac = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const at = Math.fround(Math.fround((o + 0.5) * scale) - 0.5);
    const floor = Math.floor(at);
    lo[o] = from + Math.max(floor, 0);
    hi[o] = from + Math.min(Math.ceil(at), length - 1);
    frac[o] = Math.fround(at - floor);
  }
  return { lo, hi, frac };
}

/** TensorFlow's half-pixel nearest neighbour along one axis. */
function nearestAxis(from: number, length: number, out: number): Int32Array {
  const scale = Math.fround(length / out);
  return Int32Array.from({ length: out }, (_, o) => from + Math.min(Math.floor(Math.fround((o + 0.5) * scale)), length - 1));
}

export interface ResizeWindow {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Bilinear resize of a channels-last (H, W, C) sample's window to (OH, OW, C): four taps per cell. */
export function bilinearTaps(W: number, C: number, win: ResizeWindow, OH: number, OW: number): Taps {
  const rows = bilinearAxis(win.top, win.height, OH);
  const cols = bilinearAxis(win.left, win.width, OW);
  const index = new Int32Array(OH * OW * C * 4);
  const weight = new Float32Array(OH * OW * C * 4);
  let k = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const fy = rows.frac[oy];
      const fx = cols.frac[ox];
      const cells = [
        [rows.lo[oy], cols.lo[ox], (1 - fy) * (1 - fx)],
        [rows.lo[oy], cols.hi[ox], (1 - fy) * fx],
        [rows.hi[oy], cols.lo[ox], fy * (1 - fx)],
        [rows.hi[oy], cols.hi[ox], fy * fx],
      ];
      for (let c = 0; c < C; c++) {
        for (const [y, x, w] of cells) {
          index[k] = (y * W + x) * C + c;
          weight[k++] = w;
        }
      }
    }
  }
  return { taps: 4, index, weight };
}

/** Nearest-neighbour resize of a channels-last sample's window: a gather map (y[i] = x[map[i]]). */
export function nearestMap(W: number, C: number, win: ResizeWindow, OH: number, OW: number): Int32Array {
  const rows = nearestAxis(win.top, win.height, OH);
  const cols = nearestAxis(win.left, win.width, OW);
  const map = new Int32Array(OH * OW * C);
  let k = 0;
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) map[k++] = (rows[oy] * W + cols[ox]) * C + c;
  return map;
}
