// The GEMM driver: C[m, n] = bias[n] + Σ_k A[m, k]·B[k, n] for rows [m0, m1) of a job, on one thread.
// A is packed a block of rows at a time into this thread's scratch; B arrives packed in panels of NR
// columns (padded with zeros); every MR×NR tile of C is one call of the micro-kernel, which runs all
// of K (blocking K was slower on every shape measured). Each output is summed in the order
// k = 0, 1, …, K − 1 from its bias, whatever the tile, block or thread: any split gives the same bits.
import { Job } from './job';
import { packLeft } from './pack';
import { MR_F32, MR_F64, NR_F32, NR_F64, tileF32, tileF64 } from './tiles';

/** Rows of A packed at a time: about 128 KiB of float32 and at most 256 rows, whole tiles. */
@inline function blockRows(K: i32, mr: i32): i32 {
  return max(mr, min(256 / mr, 32768 / K / mr) * mr);
}

function rows<T>(j: Job, m0: i32, m1: i32, scratch: usize): void {
  const f64 = sizeof<T>() == 8;
  const mr = f64 ? MR_F64 : MR_F32;
  const nr = f64 ? NR_F64 : NR_F32;
  const K = j.K;
  const N = j.N;
  const panels = (N + nr - 1) / nr;
  const block = blockRows(K, mr);
  const edge = scratch; // one MR×NR tile of float32, for tiles that overhang C
  const A = scratch + <usize>(mr * nr * 4);
  const ldc = <usize>j.ldc << 2;
  const tileBytes = <usize>(K * mr * sizeof<T>());
  const panelBytes = <usize>(K * nr * sizeof<T>());
  for (let i0 = m0; i0 < m1; i0 += block) {
    const rowsHere = min(block, m1 - i0);
    packLeft<T>(j, i0, rowsHere, A, mr);
    for (let panel = 0; panel < panels; panel++) {
      const n0 = panel * nr;
      const cols = min(nr, N - n0);
      const b = <usize>j.b + <usize>panel * panelBytes;
      const bias = <usize>j.bias + <usize>(n0 * sizeof<T>());
      let a = A;
      for (let t = 0; t < rowsHere; t += mr, a += tileBytes) {
        const c = <usize>j.c + (<usize>((i0 + t) * j.ldc + n0) << 2);
        const tileRows = min(mr, rowsHere - t);
        if (tileRows == mr && cols == nr) {
          if (f64) tileF64(K, a, b, bias, c, ldc);
          else tileF32(K, a, b, bias, c, ldc);
          continue;
        }
        if (f64) tileF64(K, a, b, bias, edge, <usize>(nr * 4));
        else tileF32(K, a, b, bias, edge, <usize>(nr * 4));
        for (let r = 0; r < tileRows; r++) memory.copy(c + <usize>r * ldc, edge + <usize>(r * nr * 4), <usize>(cols * 4));
      }
    }
  }
}

/** Scratch bytes one thread needs for a job of this K: the edge tile and a block of packed A. */
export function scratchBytes(K: i32, precision: i32): i32 {
  const mr = precision ? MR_F64 : MR_F32;
  const nr = precision ? NR_F64 : NR_F32;
  return mr * nr * 4 + blockRows(K, mr) * K * (precision ? 8 : 4);
}

export function gemmRows(j: Job, m0: i32, m1: i32, scratch: usize): void {
  if (j.precision) rows<f64>(j, m0, m1, scratch);
  else rows<f32>(j, m0, m1, scratch);
}
