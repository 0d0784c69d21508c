import type { KernelEngine } from './engine.js';
import { getOrCreate } from '../../get-or-create.js';

/**
 * How the kernel memory is laid out. From FIRST up: prepared weights (packed panels, modified
 * depthwise kernels), kept across calls per weight array and preparation until they would pass
 * KEEP_BYTES, when all are dropped at once and prepared again as used (a bound, not an LRU: a model's
 * working set fits, so this happens only when models or modifiers change a lot). Above them, each
 * call stages its operands, job and scratch, released when it returns.
 */
const FIRST = 1024;

/** Prepared weights kept at most (bytes); a single preparation larger than this is staged per call. */
export const KEEP_BYTES = 1.5 * 2 ** 30;

const PAGE = 65536;

const align = (n: number): number => Math.ceil(n / 16) * 16;

interface Kept {
  at: number;
  generation: number;
}

export class Arena {
  private keptTop = FIRST;
  private generation = 0;
  private readonly kept = new WeakMap<Float32Array, Map<string, Kept>>();
  private top = FIRST;
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);

  constructor(readonly engine: KernelEngine) {}

  /** Bytes held by prepared weights now. */
  get keptBytes(): number {
    return this.keptTop - FIRST;
  }

  /** Views of the memory as it is now (growing it replaces its buffer). */
  views(): { f32: Float32Array; f64: Float64Array; i32: Int32Array } {
    const buffer = this.engine.memory.buffer;
    if (this.f32.buffer !== buffer) {
      this.f32 = new Float32Array(buffer);
      this.f64 = new Float64Array(buffer);
      this.i32 = new Int32Array(buffer);
    }
    return { f32: this.f32, f64: this.f64, i32: this.i32 };
  }

  private reserve(end: number): void {
    const have = this.engine.memory.buffer.byteLength;
    if (end > have) this.engine.memory.grow(Math.ceil((end - have) / PAGE));
  }

  /**
   * The address of `source` prepared under `key` (`bytes` long), filled by `fill(at)` the first time.
   * Call before `stage` in a call: preparing may drop every kept preparation, never what a call staged.
   */
  prepared(source: Float32Array, key: string, bytes: number, fill: (at: number) => void): number {
    const size = align(bytes);
    if (size > KEEP_BYTES) return this.stage(size, fill);
    const byKey = getOrCreate(this.kept, source, () => new Map());
    const hit = byKey.get(key);
    if (hit && hit.generation === this.generation) return hit.at;
    if (this.keptTop + size - FIRST > KEEP_BYTES) {
      this.generation++;
      this.keptTop = FIRST;
    }
    const at = this.keptTop;
    this.reserve(at + size);
    this.keptTop += size;
    this.top = this.keptTop;
    fill(at);
    byKey.set(key, { at, generation: this.generation });
    return at;
  }

  /** `bytes` of this call's staging area, filled by `fill(at)`; released by `release()`. */
  stage(bytes: number, fill?: (at: number) => void): number {
    const at = this.top;
    this.reserve(at + align(bytes));
    this.top = at + align(bytes);
    fill?.(at);
    return at;
  }

  /** Release everything staged since the kept weights. */
  release(): void {
    this.top = this.keptTop;
  }
}
