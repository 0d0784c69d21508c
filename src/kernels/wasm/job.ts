import { CONV_GEOMETRY_FIELDS } from '../geometry.js';

/**
 * The int32 fields of a kernel job in WebAssembly memory, in the order of `class Job` in
 * assembly/job.ts (the module reads them there; a test checks both lists agree).
 */
export const JOB_FIELDS = [
  'kind',
  'part',
  'depthwise',
  'precision',
  'M',
  'N',
  'K',
  'lda',
  'group',
  ...CONV_GEOMETRY_FIELDS,
  'a',
  'b',
  'bias',
  'c',
  'ldc',
  'scratch',
  'scratchBytes',
] as const;

export type JobField = (typeof JOB_FIELDS)[number];
export type Job = Record<JobField, number>;

export const JOB_BYTES = JOB_FIELDS.length * 4;

/** Write `job` at byte address `at` of a memory seen as int32. */
export function writeJob(memory: Int32Array, at: number, job: Job): void {
  JOB_FIELDS.forEach((f, i) => {
    memory[(at >> 2) + i] = job[f];
  });
}
