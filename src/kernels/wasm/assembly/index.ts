// The kernel module: what a thread calls, on rows [m0, m1) of the job at `job`, with its own scratch.
import { depthwiseRows, depthwiseScratchBytes } from './depthwise';
import { gemmRows, scratchBytes } from './gemm';
import { Job } from './job';
import { MR_F32, MR_F64, NR_F32, NR_F64 } from './tiles';

export { depthwiseScratchBytes, scratchBytes };

export function run(job: usize, m0: i32, m1: i32, thread: i32): void {
  const j = changetype<Job>(job);
  const scratch = <usize>j.scratch + <usize>thread * <usize>j.scratchBytes;
  if (j.depthwise) depthwiseRows(j, m0, m1, scratch);
  else gemmRows(j, m0, m1, scratch);
}

/** Columns per packed panel of B (the micro-kernel's NR) for a precision (0: float32, 1: float64). */
export function panelWidth(precision: i32): i32 {
  return precision ? NR_F64 : NR_F32;
}

/** Rows of a micro-kernel tile (MR): threads claim rows in whole tiles. */
export function tileRows(precision: i32): i32 {
  return precision ? MR_F64 : MR_F32;
}
