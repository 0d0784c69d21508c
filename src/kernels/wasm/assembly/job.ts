// A kernel call as it sits in memory: int32 fields in this order, written by the JavaScript side
// (src/kernels/wasm/job.ts lists the same names in the same order) and read here by every thread.

@unmanaged
export class Job {
  /** 0: A's rows are a matrix; 1: patches of an NHWC image (conv forward); 2: transposed patches. */
  kind: i32;
  /** 0: all of A; 1: its positive values; 2: its negative values. */
  part: i32;
  /** 1: a depthwise convolution (B is the kernel where it lies). */
  depthwise: i32;
  /** 0: float32 sums; 1: float64 sums (operands packed as float64). */
  precision: i32;
  M: i32;
  N: i32;
  K: i32;
  lda: i32;
  group: i32;
  H: i32;
  W: i32;
  C: i32;
  OH: i32;
  OW: i32;
  O: i32;
  kh: i32;
  kw: i32;
  sh: i32;
  sw: i32;
  dh: i32;
  dw: i32;
  padT: i32;
  padL: i32;
  groups: i32;
  /** Byte addresses: A (float32, as the tensor lies), packed B, bias (padded to whole panels; 0: none, for depthwise), C. */
  a: i32;
  b: i32;
  bias: i32;
  c: i32;
  /** C[m, n] is at c + 4·(m·ldc + n). */
  ldc: i32;
  /** Bytes of scratch each thread owns, from `scratch + thread · scratchBytes`. */
  scratch: i32;
  scratchBytes: i32;
}
