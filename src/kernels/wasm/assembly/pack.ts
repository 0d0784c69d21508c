// Packing A: rows of the left operand (a matrix, or the patches a convolution reads) copied into
// tiles of MR interleaved rows, as float32 or float64 (T), taking all values or one sign of them.
import { Job } from './job';

/** out[i·MR] = part(a[i]) for i < count (addresses in bytes); part 0: all values, 1: the positive ones, 2: the negative ones. */
@inline function copyRun<T>(a: usize, count: i32, out: usize, mr: i32, part: i32): void {
  const step = <usize>(mr * sizeof<T>());
  const end = a + (<usize>count << 2);
  // One loop per part: the branch stays out of the loop.
  if (part == 0) {
    // Four values per load, stored one by one (interleaving them with the other rows of the tile).
    for (; a + 16 <= end; a += 16, out += 4 * step) {
      const v = v128.load(a);
      store<T>(out, <T>f32x4.extract_lane(v, 0));
      store<T>(out + step, <T>f32x4.extract_lane(v, 1));
      store<T>(out + 2 * step, <T>f32x4.extract_lane(v, 2));
      store<T>(out + 3 * step, <T>f32x4.extract_lane(v, 3));
    }
    for (; a < end; a += 4, out += step) store<T>(out, <T>load<f32>(a));
  } else if (part == 1) {
    for (; a < end; a += 4, out += step) {
      const v = load<f32>(a);
      store<T>(out, <T>(v > 0 ? v : 0)); // as the TypeScript kernels: −0 and NaN give +0
    }
  } else {
    for (; a < end; a += 4, out += step) {
      const v = load<f32>(a);
      store<T>(out, <T>(v < 0 ? v : 0));
    }
  }
}

@inline function zeroRun<T>(count: i32, out: usize, mr: i32): void {
  const step = <usize>(mr * sizeof<T>());
  for (let i = 0; i < count; i++, out += step) store<T>(out, <T>0);
}

/** Row m of the conv-forward patch matrix: the window taps (ky, kx, ci) of output pixel m, in `job.group`. */
function patchRow<T>(j: Job, m: i32, out: usize, mr: i32, part: i32): void {
  const cin = j.C / j.groups;
  const ox = m % j.OW;
  const rest = m / j.OW;
  const oy = rest % j.OH;
  const s = rest / j.OH;
  const step = <usize>(mr * sizeof<T>()) * cin;
  for (let ky = 0; ky < j.kh; ky++) {
    const iy = oy * j.sh - j.padT + ky * j.dh;
    for (let kx = 0; kx < j.kw; kx++, out += step) {
      const ix = ox * j.sw - j.padL + kx * j.dw;
      if (iy < 0 || iy >= j.H || ix < 0 || ix >= j.W) zeroRun<T>(cin, out, mr);
      else copyRun<T>(<usize>j.a + (<usize>(((s * j.H + iy) * j.W + ix) * j.C + j.group * cin) << 2), cin, out, mr, part);
    }
  }
}

/** Row m of the transposed patch matrix: for input pixel m, the outputs (ky, kx, o) whose windows read it. */
function transposedPatchRow<T>(j: Job, m: i32, out: usize, mr: i32, part: i32): void {
  const cout = j.O / j.groups;
  const ix = m % j.W;
  const rest = m / j.W;
  const iy = rest % j.H;
  const s = rest / j.H;
  const step = <usize>(mr * sizeof<T>()) * cout;
  for (let ky = 0; ky < j.kh; ky++) {
    const ty = iy + j.padT - ky * j.dh;
    const oy = ty / j.sh;
    const rowOk = ty >= 0 && ty % j.sh == 0 && oy < j.OH;
    for (let kx = 0; kx < j.kw; kx++, out += step) {
      const tx = ix + j.padL - kx * j.dw;
      const ox = tx / j.sw;
      if (!rowOk || tx < 0 || tx % j.sw != 0 || ox >= j.OW) zeroRun<T>(cout, out, mr);
      else copyRun<T>(<usize>j.a + (<usize>(((s * j.OH + oy) * j.OW + ox) * j.O + j.group * cout) << 2), cout, out, mr, part);
    }
  }
}

/** Pack rows [i0, i0 + rows) of A into `out` as tiles of MR rows; rows past the last are zero. */
export function packLeft<T>(j: Job, i0: i32, rows: i32, out: usize, mr: i32): void {
  const K = j.K;
  const tiles = (rows + mr - 1) / mr;
  const part = j.part;
  for (let r = 0; r < tiles * mr; r++) {
    const at = out + <usize>(((r / mr) * mr * K + r % mr) * sizeof<T>());
    if (r >= rows) {
      zeroRun<T>(K, at, mr);
      continue;
    }
    const m = i0 + r;
    if (j.kind == 0) copyRun<T>(<usize>j.a + (<usize>(m * j.lda) << 2), K, at, mr, part);
    else if (j.kind == 1) patchRow<T>(j, m, at, mr, part);
    else transposedPatchRow<T>(j, m, at, mr, part);
  }
}
