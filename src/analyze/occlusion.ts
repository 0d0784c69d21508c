import { fail } from '../errors.js';
import { chunkRows } from '../model/batching.js';
import { forwardAll } from '../model/ops.js';
import { baselineOf } from './gradients.js';
import { channelAxis, startScores } from './start.js';
import type { Run } from './run.js';

/** Per spatial axis: the value given for all axes or one per axis, checked as an integer in [1, max]. */
function perAxis(value: number | number[] | undefined, fallback: number[], sizes: number[], name: string): number[] {
  const list = value === undefined ? fallback : typeof value === 'number' ? sizes.map(() => value) : value;
  if (!Array.isArray(list) || list.length !== sizes.length)
    fail(`option ${name} must be a number or one number per spatial axis (${sizes.length}), got ${JSON.stringify(value)}`);
  return list.map((v, a) => {
    if (!Number.isInteger(v) || v < 1) fail(`option ${name} must hold integers ≥ 1, got ${JSON.stringify(value)}`);
    if (name === 'window' && v > sizes[a]) fail(`option window: ${v} is larger than spatial axis ${a} of the input (${sizes[a]})`);
    return v;
  });
}

/**
 * The input's spatial axes (all but the channel axis; a vector input's one axis) and, per window, the
 * flat indices (within a sample) of the elements it covers: every channel of a box at positions
 * 0, s, 2s, … ≤ size − window along each spatial axis.
 */
function windows(run: Run, sampleShape: number[]): Int32Array[] {
  const shape = sampleShape;
  const channel = shape.length > 1 ? channelAxis(run.model.graph, shape) : -1;
  const spatial = shape.map((_, a) => a).filter((a) => a !== channel);
  const sizes = spatial.map((a) => shape[a]);
  const window = perAxis(
    run.options.window,
    sizes.map((d) => Math.min(8, Math.ceil(d / 8))),
    sizes,
    'window',
  );
  const stride = perAxis(
    run.options.stride,
    window.map((w) => Math.max(1, Math.floor(w / 2))),
    sizes,
    'stride',
  );
  const starts = sizes.map((d, k) => Array.from({ length: Math.floor((d - window[k]) / stride[k]) + 1 }, (_, j) => j * stride[k]));
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
  // Every window is a box: its range on each axis (the whole channel axis).
  const boxes: [number, number][][] = [shape.map((d) => [0, d])];
  spatial.forEach((axis, k) => {
    const next: [number, number][][] = [];
    for (const box of boxes) for (const s of starts[k]) next.push(box.map((r, a) => (a === axis ? [s, s + window[k]] : r)));
    boxes.splice(0, boxes.length, ...next);
  });
  return boxes.map((box) => {
    const indices: number[] = [];
    const visit = (a: number, offset: number): void => {
      if (a === shape.length) indices.push(offset);
      else for (let i = box[a][0]; i < box[a][1]; i++) visit(a + 1, offset + i * strides[a]);
    };
    visit(0, 0);
    return Int32Array.from(indices);
  });
}

/**
 * Occlusion (Zeiler & Fergus 2014): each element's attribution is the mean, over the windows covering
 * it, of score(x) − score(x with the window set to the baseline); elements no window covers get 0.
 * The occluded copies run in batches of the model's chunk size.
 */
export function occlusion(run: Run): Float32Array {
  const { model, n, start, options } = run;
  const x = run.xs[0];
  const size = x.length / n;
  const boxes = windows(run, run.shapes[0].slice(1));
  const base = baselineOf(run, 0);
  const score = startScores(start.mask, run.values[start.tensor], n);
  const outSize = run.values[start.tensor].length / n;
  const covered = new Uint32Array(size);
  for (const box of boxes) for (const i of box) covered[i]++;
  const sum = new Float64Array(x.length);
  const total = n * boxes.length;
  const rows = chunkRows(model.graph, options.batchSize);
  for (let job = 0; job < total; job += rows) {
    const m = Math.min(rows, total - job);
    const batch = new Float32Array(m * size);
    for (let j = 0; j < m; j++) {
      const s = Math.floor((job + j) / boxes.length);
      batch.set(x.subarray(s * size, (s + 1) * size), j * size);
      for (const i of boxes[(job + j) % boxes.length]) batch[j * size + i] = base[s * size + i];
    }
    const out = forwardAll(model.graph, [batch], m, run.between)[start.tensor];
    for (let j = 0; j < m; j++) {
      const s = Math.floor((job + j) / boxes.length);
      const occluded = startScores(start.mask.subarray(s * outSize, (s + 1) * outSize), out.subarray(j * outSize, (j + 1) * outSize), 1)[0];
      for (const i of boxes[(job + j) % boxes.length]) sum[s * size + i] += score[s] - occluded;
    }
    options.onProgress?.((job + m) / total);
  }
  return Float32Array.from(sum, (v, i) => (covered[i % size] === 0 ? 0 : v / covered[i % size]));
}
