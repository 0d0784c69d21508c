// Depthwise convolutions (one input channel per group): B is the (modified) kernel where it lies,
// (kh, kw, C·mult) float32. Forward (job kind 1): row m is output pixel (s, oy, ox); transpose (kind 2):
// row m is input pixel (s, iy, ix), gathering what the windows that read it send back. Each value is
// its bias (forward) plus the taps in row-major order, one sum per lane over the channels: float32
// with mul then add, or float64 (the TypeScript kernel's sums, bit for bit).
import { Job } from './job';

/** The taps of row m that land inside the tensor: pairs (byte offset in A, byte offset in the kernel) at `taps`. */
function rowTaps(j: Job, m: i32, taps: usize): i32 {
  let count = 0;
  const O = j.O;
  if (j.kind == 1) {
    const ox = m % j.OW;
    const rest = m / j.OW;
    const oy = rest % j.OH;
    const s = rest / j.OH;
    for (let ky = 0; ky < j.kh; ky++) {
      const iy = oy * j.sh - j.padT + ky * j.dh;
      if (iy < 0 || iy >= j.H) continue;
      for (let kx = 0; kx < j.kw; kx++) {
        const ix = ox * j.sw - j.padL + kx * j.dw;
        if (ix < 0 || ix >= j.W) continue;
        store<i32>(taps + (<usize>count << 3), (((s * j.H + iy) * j.W + ix) * j.C) << 2);
        store<i32>(taps + (<usize>count << 3), ((ky * j.kw + kx) * O) << 2, 4);
        count++;
      }
    }
  } else {
    const ix = m % j.W;
    const rest = m / j.W;
    const iy = rest % j.H;
    const s = rest / j.H;
    for (let ky = 0; ky < j.kh; ky++) {
      const ty = iy + j.padT - ky * j.dh;
      if (ty < 0 || ty % j.sh != 0 || ty / j.sh >= j.OH) continue;
      for (let kx = 0; kx < j.kw; kx++) {
        const tx = ix + j.padL - kx * j.dw;
        if (tx < 0 || tx % j.sw != 0 || tx / j.sw >= j.OW) continue;
        store<i32>(taps + (<usize>count << 3), (((s * j.OH + ty / j.sh) * j.OW + tx / j.sw) * O) << 2);
        store<i32>(taps + (<usize>count << 3), ((ky * j.kw + kx) * O) << 2, 4);
        count++;
      }
    }
  }
  return count;
}

/** One channel per output (mult = 1): C sums, four (float32) or two (float64) channels per vector. */
function sameChannels<T>(count: i32, taps: usize, a: usize, k: usize, bias: usize, out: usize, C: i32): void {
  let c = 0;
  if (sizeof<T>() == 4) {
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      let s = bias ? v128.load(bias + o) : f32x4.splat(0);
      for (let t = 0; t < count; t++) {
        const tap = taps + (<usize>t << 3);
        s = f32x4.add(s, f32x4.mul(v128.load(a + <usize>load<i32>(tap) + o), v128.load(k + <usize>load<i32>(tap, 4) + o)));
      }
      v128.store(out + o, s);
    }
  } else {
    for (; c + 2 <= C; c += 2) {
      const o = <usize>c << 2;
      let s = bias ? f64x2.promote_low_f32x4(v128.load64_zero(bias + o)) : f64x2.splat(0);
      for (let t = 0; t < count; t++) {
        const tap = taps + (<usize>t << 3);
        const x = f64x2.promote_low_f32x4(v128.load64_zero(a + <usize>load<i32>(tap) + o));
        s = f64x2.add(s, f64x2.mul(x, f64x2.promote_low_f32x4(v128.load64_zero(k + <usize>load<i32>(tap, 4) + o))));
      }
      v128.store64_lane(out + o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(s), f32x4.demote_f64x2_zero(s), 0, 1, 0, 1), 0);
    }
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    let s: T = bias ? <T>load<f32>(bias + o) : <T>0;
    for (let t = 0; t < count; t++) {
      const tap = taps + (<usize>t << 3);
      s += <T>load<f32>(a + <usize>load<i32>(tap) + o) * <T>load<f32>(k + <usize>load<i32>(tap, 4) + o);
    }
    store<f32>(out + o, <f32>s);
  }
}

function rows<T>(j: Job, m0: i32, m1: i32, taps: usize): void {
  const C = j.C;
  const O = j.O;
  const mult = O / C;
  const forward = j.kind == 1;
  const a = <usize>j.a;
  const k = <usize>j.b;
  const bias = forward ? <usize>j.bias : 0;
  for (let m = m0; m < m1; m++) {
    const count = rowTaps(j, m, taps);
    const out = <usize>j.c + (<usize>(m * j.ldc) << 2);
    if (mult == 1) {
      sameChannels<T>(count, taps, a, k, bias, out, C);
    } else if (forward) {
      for (let o = 0; o < O; o++) {
        const c = o / mult;
        let s: T = bias ? <T>load<f32>(bias + (<usize>o << 2)) : <T>0;
        for (let t = 0; t < count; t++) {
          const tap = taps + (<usize>t << 3);
          s += <T>load<f32>(a + <usize>load<i32>(tap) + (<usize>c << 2)) * <T>load<f32>(k + <usize>load<i32>(tap, 4) + (<usize>o << 2));
        }
        store<f32>(out + (<usize>o << 2), <f32>s);
      }
    } else {
      for (let c = 0; c < C; c++) {
        let s: T = 0;
        for (let t = 0; t < count; t++) {
          const tap = taps + (<usize>t << 3);
          for (let q = c * mult; q < (c + 1) * mult; q++) {
            s += <T>load<f32>(a + <usize>load<i32>(tap) + (<usize>q << 2)) * <T>load<f32>(k + <usize>load<i32>(tap, 4) + (<usize>q << 2));
          }
        }
        store<f32>(out + (<usize>c << 2), <f32>s);
      }
    }
  }
}

/** Scratch bytes one thread needs: the tap list of one row. */
export function depthwiseScratchBytes(kh: i32, kw: i32): i32 {
  return kh * kw * 8;
}

export function depthwiseRows(j: Job, m0: i32, m1: i32, scratch: usize): void {
  if (j.precision) rows<f64>(j, m0, m1, scratch);
  else rows<f32>(j, m0, m1, scratch);
}
