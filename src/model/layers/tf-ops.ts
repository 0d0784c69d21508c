import { reluLayer } from '../../kernels/activations.js';
import { broadcastMap, broadcastShape } from '../../kernels/elementwise.js';
import { permuteMap } from '../../kernels/gather.js';
import { formatShape, sizeOf } from '../../tensor.js';
import { kerasTensorRef } from '../call-tensors.js';
import type { LayerSpec, TensorRef } from '../config.js';
import { layerFail, type LayerBuilder, type LayerContext } from './context.js';
import { axisGroups } from './normalization.js';

/**
 * tf.keras 2 `TFOpLambda` / `SlicingOpLambda` layers and Keras 3 operation nodes
 * (CONVENTIONS-TRANSFORMERS.md §4): a TensorFlow function or Keras op recorded in a functional model.
 * Arguments are positional then by the function's parameter names; TF axes count the batch axis.
 */

/** An argument: a tensor (by id) or a constant as the config stores it. */
type Arg = { tensor: number } | { value: unknown };

/** One call of the op: its arguments by position, or by any of the names the parameter has. */
interface OpCall {
  ctx: LayerContext;
  arg(index: number, names: readonly string[]): Arg | undefined;
}

const refKey = (r: TensorRef): string => `${r.layer}|${r.node}|${r.tensor}`;

/** A constant as plain JSON: Keras 3 writes tuples as `{class_name: '__tuple__', config: {value: […]}}` and arrays likewise. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  const o = v as { class_name?: unknown; config?: { value?: unknown } } | null;
  if (o && typeof o === 'object' && o.class_name === '__tuple__' && Array.isArray(o.config?.value)) return o.config.value.map(plain);
  // Arrays: `{class_name: '__numpy__' | '__tensor__', config: {value, dtype}}`.
  if (o && typeof o === 'object' && (o.class_name === '__numpy__' || o.class_name === '__tensor__') && o.config && 'value' in o.config)
    return plain(o.config.value);
  return v;
}

function opCall(ctx: LayerContext): OpCall {
  const ids = new Map<string, number>();
  ctx.call.inputs.forEach((r, k) => {
    ids.set(refKey(r), ctx.inputs[k]);
  });
  for (const [key, value] of Object.entries(ctx.call.kwargs)) {
    const found = ctx.kwargTensors[key] ?? [];
    const refs = (kerasTensorRef(value) ? [value] : Array.isArray(value) ? value : [value])
      .map(kerasTensorRef)
      .filter((r) => r !== undefined);
    refs.forEach((r, k) => {
      if (found[k] !== undefined) ids.set(refKey(r), found[k]);
    });
  }
  const resolve = (raw: unknown): Arg => {
    const ref = kerasTensorRef(raw);
    if (!ref) return { value: plain(raw) };
    const id = ids.get(refKey(ref));
    return id === undefined ? layerFail(ctx, `reads '${ref.layer}', which this call does not list`) : { tensor: id };
  };
  // tf.keras' nested form lists the first argument's tensors (one tensor, or concat's list) without positions.
  const positional =
    ctx.call.args ?? (ctx.call.inputs.length === 1 ? [[ctx.call.inputs[0].layer, ctx.call.inputs[0].node, ctx.call.inputs[0].tensor]] : []);
  return {
    ctx,
    arg(index, names) {
      if (index < positional.length) return resolve(positional[index]);
      for (const name of names) {
        if (ctx.call.kwargs[name] !== undefined) return resolve(ctx.call.kwargs[name]);
        if (ctx.spec.config[name] !== undefined && name !== 'name') return resolve(ctx.spec.config[name]);
      }
      return undefined;
    },
  };
}

const tensorOf = (c: OpCall, index: number, names: readonly string[]): number => {
  const a = c.arg(index, names);
  if (a && 'tensor' in a) return a.tensor;
  return layerFail(c.ctx, `argument ${names[0]} must be a tensor, got ${JSON.stringify(a && 'value' in a ? a.value : undefined)}`);
};

const constantOf = (c: OpCall, index: number, names: readonly string[], fallback?: unknown): unknown => {
  const a = c.arg(index, names);
  if (!a) return fallback;
  if ('tensor' in a) return layerFail(c.ctx, `argument ${names[0]} must be a constant, got a tensor`);
  return a.value ?? fallback;
};

/** A non-batch axis of a rank-`rank` tensor (rank counts the batch axis), from TF's axis numbering. */
function sampleAxis(ctx: LayerContext, axis: unknown, rank: number, what = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank || axis === 0 || axis === -rank) {
    return layerFail(ctx, `${what} ${JSON.stringify(axis)} is not a non-batch axis of a rank-${rank} tensor`);
  }
  return (axis < 0 ? rank + axis : axis) - 1;
}

/**
 * A constant broadcast over a sample of `shape` as the affine op reads it: its values vary over one
 * run of axes (length 1 elsewhere, a leading batch axis of 1 dropped), so cell i reads value
 * floor(i / inner) % channels. A scalar, a per-channel vector, a (steps, features) positional
 * table all are such runs.
 */
interface Broadcast {
  values: Float32Array;
  channels: number;
  inner: number;
}

function constantBroadcast(ctx: LayerContext, value: unknown, shape: number[]): Broadcast {
  const dims: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) dims.push(v.length);
  const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
  const values = flat(value);
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v)) || values.length !== sizeOf(dims)) {
    return layerFail(ctx, `constant ${JSON.stringify(value).slice(0, 80)} is not a finite numeric array`);
  }
  const own = dims.length === shape.length + 1 && dims[0] === 1 ? dims.slice(1) : dims;
  const refuse = (): never =>
    layerFail(ctx, `a constant of shape ${formatShape(dims)} does not broadcast over ${formatShape([null, ...shape])}`);
  if (own.length > shape.length) return refuse();
  const aligned = [...new Array<number>(shape.length - own.length).fill(1), ...own];
  const varying = aligned.map((d, k) => (d !== 1 ? k : -1)).filter((k) => k >= 0);
  if (varying.length === 0) return { values: Float32Array.from(values as number[]), channels: 1, inner: 1 };
  const [a, b] = [varying[0], varying[varying.length - 1] + 1];
  for (let k = a; k < b; k++) if (aligned[k] !== shape[k]) refuse();
  return { values: Float32Array.from(values as number[]), channels: sizeOf(shape.slice(a, b)), inner: sizeOf(shape.slice(b)) };
}

type Binary = 'add' | 'subtract' | 'multiply' | 'divide';

/** y = x·scale + shift per cell of the constant's broadcast (a number: the same everywhere): passes relevance unchanged. */
function affine(ctx: LayerContext, x: number, at: Broadcast, scale: Float32Array | number, shift: Float32Array | number): number {
  const per = (v: Float32Array | number): Float32Array =>
    typeof v === 'number' ? new Float32Array(at.channels).fill(v) : v.length === at.channels ? v : new Float32Array(at.channels).fill(v[0]);
  return ctx.emit({ kind: 'affine', scale: per(scale), shift: per(shift), channels: at.channels, inner: at.inner }, ctx.shapeOf(x), [x]);
}

/** a ∘ b where either may be a constant; two tensors broadcast as TensorFlow does. */
function binary(c: OpCall, kind: Binary, names: [readonly string[], readonly string[]]): number {
  const { ctx } = c;
  const a = c.arg(0, names[0]) ?? layerFail(ctx, `argument ${names[0][0]} is missing`);
  const b = c.arg(1, names[1]) ?? layerFail(ctx, `argument ${names[1][0]} is missing`);
  if ('tensor' in a && 'tensor' in b) {
    const shapes = [ctx.shapeOf(a.tensor), ctx.shapeOf(b.tensor)];
    const out =
      broadcastShape(shapes) ?? layerFail(ctx, `inputs ${shapes.map((s) => formatShape([null, ...s])).join(' and ')} do not broadcast`);
    const maps = shapes.map((s) => broadcastMap(s, out));
    if (kind === 'add') {
      // A broadcast addend is first repeated to the full shape: the Add rule then sees two equal shapes.
      const full = [a.tensor, b.tensor].map((t, k) => {
        const map = maps[k];
        return map ? ctx.emit({ kind: 'gather', map }, out, [t], `/broadcast${k}`) : t;
      });
      return ctx.emit({ kind: 'add' }, out, full);
    }
    return ctx.emit(kind === 'divide' ? { kind: 'divide', maps } : { kind, maps }, out, [a.tensor, b.tensor]);
  }
  if ('value' in a && 'value' in b) return layerFail(ctx, 'both arguments are constants');
  const x = 'tensor' in a ? a.tensor : (b as { tensor: number }).tensor;
  const constant = constantBroadcast(ctx, 'value' in a ? a.value : (b as { value: unknown }).value, ctx.shapeOf(x));
  const first = 'value' in a;
  const v = constant.values;
  switch (kind) {
    case 'add':
      return affine(ctx, x, constant, 1, v);
    case 'subtract':
      return first
        ? affine(ctx, x, constant, -1, v)
        : affine(
            ctx,
            x,
            constant,
            1,
            v.map((c) => -c),
          );
    case 'multiply':
      return affine(ctx, x, constant, v, 0);
    case 'divide':
      if (first) return layerFail(ctx, 'a constant divided by a tensor is not supported');
      return affine(
        ctx,
        x,
        constant,
        v.map((c) => 1 / c),
        0,
      );
  }
}

/** Shapes are given with the batch axis (−1 or None there); one −1 among the rest is inferred. */
function reshape(c: OpCall, names: readonly string[]): number {
  const { ctx } = c;
  const x = tensorOf(c, 0, ['x', 'tensor']);
  const raw = constantOf(c, 1, names);
  const size = sizeOf(ctx.shapeOf(x));
  if (!Array.isArray(raw) || !raw.every((d) => d === null || Number.isInteger(d)))
    return layerFail(ctx, `shape ${JSON.stringify(raw)} is not a list of integers`);
  // Keras 3 ops keep the shape as given (its first entry is the batch axis); so does tf.reshape.
  const dims = (raw as (number | null)[]).slice(1).map((d) => (d === null ? -1 : d));
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const shape = dims.map((d) => (d === -1 ? size / known : d));
  if (dims.filter((d) => d === -1).length > 1 || sizeOf(shape) !== size || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    return layerFail(ctx, `cannot reshape ${formatShape([null, ...ctx.shapeOf(x)])} to ${JSON.stringify(raw)}`);
  }
  return ctx.emit({ kind: 'identity' }, shape, [x]);
}

function expandDims(c: OpCall): number {
  const x = tensorOf(c, 0, ['x', 'input']);
  const shape = c.ctx.shapeOf(x);
  const axis = sampleAxis(c.ctx, constantOf(c, 1, ['axis']), shape.length + 2);
  return c.ctx.emit({ kind: 'identity' }, [...shape.slice(0, axis), 1, ...shape.slice(axis)], [x]);
}

function squeeze(c: OpCall): number {
  const x = tensorOf(c, 0, ['x', 'input']);
  const shape = c.ctx.shapeOf(x);
  const raw = constantOf(c, 1, ['axis'], null);
  const axes =
    raw === null
      ? shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
      : (Array.isArray(raw) ? raw : [raw]).map((a) => sampleAxis(c.ctx, a, shape.length + 1));
  for (const a of axes) if (shape[a] !== 1) layerFail(c.ctx, `cannot squeeze axis ${a + 1} of length ${shape[a]}`);
  return c.ctx.emit(
    { kind: 'identity' },
    shape.filter((_, i) => !axes.includes(i)),
    [x],
  );
}

function transpose(c: OpCall, names: readonly string[]): number {
  const x = tensorOf(c, 0, ['x', 'a']);
  const shape = c.ctx.shapeOf(x);
  const raw = constantOf(c, 1, names, null);
  const perm = raw === null ? [0, ...shape.map((_, i) => shape.length - i)] : raw;
  if (!Array.isArray(perm) || perm.length !== shape.length + 1 || perm[0] !== 0) {
    return layerFail(c.ctx, `perm ${JSON.stringify(raw)} must keep the batch axis first and name every axis`);
  }
  const inner = perm.slice(1).map((p) => sampleAxis(c.ctx, p, shape.length + 1, 'perm entry'));
  if (new Set(inner).size !== inner.length) layerFail(c.ctx, `perm ${JSON.stringify(raw)} names an axis twice`);
  return c.ctx.emit(
    { kind: 'gather', map: permuteMap(shape, inner) },
    inner.map((p) => shape[p]),
    [x],
  );
}

function concat(c: OpCall, names: readonly string[]): number {
  const { ctx } = c;
  const tensors = ctx.inputs;
  const shapes = tensors.map(ctx.shapeOf);
  const d = sampleAxis(ctx, constantOf(c, 1, names, -1), shapes[0].length + 1);
  for (const s of shapes) {
    if (s.length !== shapes[0].length || s.some((v, i) => i !== d && v !== shapes[0][i]))
      layerFail(ctx, `inputs ${shapes.map((t) => formatShape([null, ...t])).join(' and ')} differ outside axis ${d + 1}`);
  }
  const out = shapes[0].slice();
  out[d] = shapes.reduce((sum, s) => sum + s[d], 0);
  return ctx.emit({ kind: 'concat', outer: sizeOf(shapes[0].slice(0, d)), blocks: shapes.map((s) => sizeOf(s.slice(d))) }, out, tensors);
}

/** Pieces along one axis: a count of equal parts, or their sizes (TF) / the indices to cut at (Keras 3); one output each. */
function split(c: OpCall, names: readonly string[], cuts: 'sizes' | 'indices'): number[] {
  const { ctx } = c;
  const x = tensorOf(c, 0, ['x', 'value']);
  const shape = ctx.shapeOf(x);
  const d = sampleAxis(ctx, constantOf(c, 2, ['axis'], 0), shape.length + 1);
  const how = constantOf(c, 1, names);
  const length = shape[d];
  let sizes: number[];
  if (typeof how === 'number' && Number.isInteger(how) && how > 0 && length % how === 0) sizes = new Array<number>(how).fill(length / how);
  else if (Array.isArray(how) && how.every((v) => Number.isInteger(v))) {
    const list = how as number[];
    sizes = cuts === 'sizes' ? list : [...list, length].map((at, k) => at - (k ? list[k - 1] : 0));
  } else return layerFail(ctx, `${names[0]} ${JSON.stringify(how)} does not split an axis of length ${length}`);
  if (sizes.some((v) => v <= 0) || sizes.reduce((a, v) => a + v, 0) !== length)
    layerFail(ctx, `${names[0]} ${JSON.stringify(how)} does not split an axis of length ${length}`);
  const outer = sizeOf(shape.slice(0, d));
  const inner = sizeOf(shape.slice(d + 1));
  let from = 0;
  return sizes.map((size, k) => {
    const map = new Int32Array(outer * size * inner);
    for (let o = 0; o < outer; o++) for (let i = 0; i < size * inner; i++) map[o * size * inner + i] = (o * length + from) * inner + i;
    from += size;
    const out = shape.slice();
    out[d] = size;
    return ctx.emit({ kind: 'gather', map }, out, [x], `/${k}`);
  });
}

function reduce(c: OpCall, mean: boolean, names: readonly string[]): number {
  const { ctx } = c;
  const x = tensorOf(c, 0, ['x', 'input_tensor']);
  const shape = ctx.shapeOf(x);
  const raw = constantOf(c, 1, names, null);
  if (raw === null) return layerFail(ctx, 'a reduction over every axis (the batch axis included) is not supported; give axis');
  const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((a) => sampleAxis(ctx, a, shape.length + 1)))].sort((p, q) => p - q);
  const keep = constantOf(c, 2, ['keepdims'], false) === true;
  const { group, groups, count } = axisGroups(shape, axes);
  const out = keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  return ctx.emit({ kind: 'reduce', reduction: { group, groups, count, mean } }, out.length ? out : [1], [x]);
}

/** A Python slice spec over the axes (batch first): ints, slices (negative steps too), Ellipsis, newaxis. */
function getItem(c: OpCall, names: readonly string[]): number {
  const { ctx } = c;
  const x = tensorOf(c, 0, ['x', 'tensor']);
  const shape = ctx.shapeOf(x);
  const raw = constantOf(c, 1, names);
  const spec = Array.isArray(raw) ? raw : [raw];
  type Item =
    | { kind: 'index'; at: number }
    | { kind: 'slice'; start: unknown; stop: unknown; step: unknown }
    | { kind: 'ellipsis' }
    | { kind: 'new' };
  const item = (v: unknown): Item => {
    if (v === null) return { kind: 'new' };
    if (typeof v === 'number' && Number.isInteger(v)) return { kind: 'index', at: v };
    const o = v as Record<string, unknown>;
    if (o && typeof o === 'object' && o.class_name === '__ellipsis__') return { kind: 'ellipsis' };
    const sl = o && typeof o === 'object' && o.class_name === '__slice__' ? (o.config as Record<string, unknown>) : o;
    if (sl && typeof sl === 'object' && ('start' in sl || 'stop' in sl || 'step' in sl))
      return { kind: 'slice', start: sl.start, stop: sl.stop, step: sl.step };
    return layerFail(ctx, `slice entry ${JSON.stringify(v)} is not supported (ints, slices, Ellipsis, newaxis)`);
  };
  const items = spec.map(item);
  const consuming = items.filter((i) => i.kind === 'index' || i.kind === 'slice').length;
  const rank = shape.length + 1;
  const ellipsisAt = items.findIndex((i) => i.kind === 'ellipsis');
  const expanded: Item[] = [];
  items.forEach((it, k) => {
    if (k === ellipsisAt) for (let r = 0; r < rank - consuming; r++) expanded.push({ kind: 'slice', start: null, stop: null, step: null });
    else if (it.kind !== 'ellipsis') expanded.push(it);
  });
  while (expanded.filter((i) => i.kind !== 'new').length < rank) expanded.push({ kind: 'slice', start: null, stop: null, step: null });
  if (expanded.filter((i) => i.kind !== 'new').length !== rank)
    layerFail(ctx, `slice ${JSON.stringify(raw)} has more entries than the tensor has axes`);
  const first = expanded.findIndex((i) => i.kind !== 'new');
  const batch = expanded[first];
  if (first !== 0 || batch.kind !== 'slice' || batch.start != null || batch.stop != null || (batch.step != null && batch.step !== 1)) {
    layerFail(ctx, `slice ${JSON.stringify(raw)} must keep the batch axis whole`);
  }
  // Per sample axis: the input positions the output takes along it (an int keeps one and drops the axis).
  const outShape: number[] = [];
  const picks: { axis: number; positions: number[]; keep: boolean }[] = [];
  let axis = 0;
  for (const it of expanded.slice(1)) {
    if (it.kind === 'new') {
      outShape.push(1);
      continue;
    }
    const n = shape[axis];
    if (it.kind === 'index') {
      const at = it.at < 0 ? n + it.at : it.at;
      if (at < 0 || at >= n) layerFail(ctx, `index ${it.at} is out of range for axis ${axis + 1} of length ${n}`);
      picks.push({ axis, positions: [at], keep: false });
    } else if (it.kind === 'slice') {
      const step = it.step == null ? 1 : (it.step as number);
      if (!Number.isInteger(step) || step === 0) layerFail(ctx, `slice step ${JSON.stringify(it.step)} must be a non-zero integer`);
      const clamp = (v: unknown, lo: number, hi: number, fallback: number): number => {
        if (v == null) return fallback;
        const i = (v as number) < 0 ? (v as number) + n : (v as number);
        return Math.min(hi, Math.max(lo, i));
      };
      const start = step > 0 ? clamp(it.start, 0, n, 0) : clamp(it.start, -1, n - 1, n - 1);
      const stop = step > 0 ? clamp(it.stop, 0, n, n) : clamp(it.stop, -1, n - 1, -1);
      const positions: number[] = [];
      for (let p = start; step > 0 ? p < stop : p > stop; p += step) positions.push(p);
      if (positions.length === 0) layerFail(ctx, `slice ${JSON.stringify(raw)} leaves axis ${axis + 1} empty`);
      picks.push({ axis, positions, keep: true });
      outShape.push(positions.length);
    }
    axis++;
  }
  const inStride = shape.map((_, d) => sizeOf(shape.slice(d + 1)));
  const sizes = picks.map((p) => p.positions.length);
  const map = new Int32Array(sizeOf(sizes));
  const index = new Array<number>(picks.length).fill(0);
  for (let i = 0; i < map.length; i++) {
    let from = 0;
    for (let k = 0; k < picks.length; k++) from += picks[k].positions[index[k]] * inStride[picks[k].axis];
    map[i] = from;
    for (let d = picks.length - 1; d >= 0; d--) {
      if (++index[d] < sizes[d]) break;
      index[d] = 0;
    }
  }
  return ctx.emit({ kind: 'gather', map }, outShape.length ? outShape : [1], [x]);
}

function castOp(c: OpCall): number {
  const x = tensorOf(c, 0, ['x']);
  const dtype = constantOf(c, 1, ['dtype']);
  const name = typeof dtype === 'string' ? dtype : (dtype as { config?: { name?: unknown } })?.config?.name;
  if (typeof name !== 'string' || !/^(float|bfloat)/.test(name))
    layerFail(c.ctx, `cast to ${JSON.stringify(dtype)} is not supported (only to floats)`);
  return c.ctx.emit({ kind: 'identity' }, c.ctx.shapeOf(x), [x]);
}

function softmax(c: OpCall, names: readonly string[]): number {
  const x = tensorOf(c, 0, ['x', 'logits']);
  const shape = c.ctx.shapeOf(x);
  const axis = sampleAxis(c.ctx, constantOf(c, 1, names, -1), shape.length + 1);
  if (axis !== shape.length - 1) layerFail(c.ctx, `softmax over axis ${axis + 1} is not supported (only the last axis)`);
  return c.ctx.emit({ kind: 'softmax', axis: -1 }, shape, [x]);
}

const X = ['x'] as const;
const unary =
  (f: (c: OpCall, x: number) => number, names: readonly string[] = X): ((c: OpCall) => number) =>
  (c) =>
    f(c, tensorOf(c, 0, names));
const relu = unary((c, x) => c.ctx.emit({ kind: 'activation', act: reluLayer(Infinity, 0, 0) }, c.ctx.shapeOf(x), [x]), ['x', 'features']);
const sqrt = unary((c, x) => c.ctx.emit({ kind: 'pointwise', pointwise: { fn: 'sqrt' } }, c.ctx.shapeOf(x), [x]));
const square = unary((c, x) => c.ctx.emit({ kind: 'pointwise', pointwise: { fn: 'square' } }, c.ctx.shapeOf(x), [x]));
const notEqual = (c: OpCall): number => {
  const x = tensorOf(c, 0, ['x1', 'x']);
  const value = constantOf(c, 1, ['x2', 'y']);
  if (typeof value !== 'number') return layerFail(c.ctx, `not_equal needs a number to compare with, got ${JSON.stringify(value)}`);
  const shape = c.ctx.shapeOf(x);
  // Per step of a sequence it is the mask Embedding(mask_zero) and Masking make (`x != 0` on token ids).
  if (shape.length === 1) return c.ctx.emit({ kind: 'mask', value, features: 1 }, shape, [x]);
  return c.ctx.emit({ kind: 'pointwise', pointwise: { fn: 'not-equal', value } }, shape, [x]);
};
const TF_XY: [readonly string[], readonly string[]] = [['x'], ['y']];
const K3_XY: [readonly string[], readonly string[]] = [['x1'], ['x2']];

/** tf.keras `TFOpLambda` functions (as the config's `function` names them, without `tf.`). */
const TF_FUNCTIONS: Record<string, (c: OpCall) => number | number[]> = {
  '__operators__.add': (c) => binary(c, 'add', TF_XY),
  'math.add': (c) => binary(c, 'add', TF_XY),
  'math.subtract': (c) => binary(c, 'subtract', TF_XY),
  'math.multiply': (c) => binary(c, 'multiply', TF_XY),
  'math.truediv': (c) => binary(c, 'divide', TF_XY),
  'math.divide': (c) => binary(c, 'divide', TF_XY),
  'nn.bias_add': (c) => {
    const format = constantOf(c, 2, ['data_format'], null);
    if (format !== null && format !== 'NHWC' && format !== 'NWC' && format !== 'NDHWC')
      layerFail(c.ctx, `bias_add with data_format ${JSON.stringify(format)} is not supported (channels last only)`);
    return binary(c, 'add', [['value'], ['bias']]);
  },
  'math.reduce_mean': (c) => reduce(c, true, ['axis']),
  'math.reduce_sum': (c) => reduce(c, false, ['axis']),
  reshape: (c) => reshape(c, ['shape']),
  expand_dims: expandDims,
  squeeze,
  transpose: (c) => transpose(c, ['perm']),
  concat: (c) => concat(c, ['axis']),
  split: (c) => split(c, ['num_or_size_splits'], 'sizes'),
  'nn.relu': relu,
  'math.sqrt': sqrt,
  'math.square': square,
  cast: castOp,
  'nn.softmax': (c) => softmax(c, ['axis']),
  'math.not_equal': notEqual,
  '__operators__.getitem': (c) => getItem(c, ['slice_spec']),
};

/** Keras 3 operation nodes (`keras.src.ops.*`), by class. */
const KERAS_OPS: Record<string, (c: OpCall) => number | number[]> = {
  Add: (c) => binary(c, 'add', K3_XY),
  Subtract: (c) => binary(c, 'subtract', K3_XY),
  Multiply: (c) => binary(c, 'multiply', K3_XY),
  Divide: (c) => binary(c, 'divide', K3_XY),
  TrueDivide: (c) => binary(c, 'divide', K3_XY),
  Mean: (c) => reduce(c, true, ['axis']),
  Sum: (c) => reduce(c, false, ['axis']),
  Reshape: (c) => reshape(c, ['newshape', 'new_shape']),
  ExpandDims: expandDims,
  Squeeze: squeeze,
  Transpose: (c) => transpose(c, ['axes']),
  Concatenate: (c) => concat(c, ['axis']),
  Split: (c) => split(c, ['indices_or_sections'], 'indices'),
  Relu: relu,
  Sqrt: sqrt,
  Square: square,
  Cast: castOp,
  Softmax: (c) => softmax(c, ['axis']),
  NotEqual: notEqual,
  GetItem: (c) => getItem(c, ['key']),
};

/**
 * Whether a layer entry is a Keras 3 operation node rather than a layer: `.keras` files name the
 * module (`keras.src.ops.numpy`); legacy HDF5 files name none, so there it is an op class called in
 * Keras 3's `{args, kwargs}` form whose config holds no `trainable`, which every Keras 3 layer's
 * has (an `Add` op and an `Add` layer share the class name).
 */
export function isOperationNode(layer: LayerSpec): boolean {
  if (typeof layer.module === 'string') return layer.module.startsWith('keras.src.ops');
  const keras3Calls = layer.calls.length > 0 && layer.calls.every((c) => c.args !== undefined);
  return Object.hasOwn(KERAS_OPS, layer.className) && keras3Calls && !('trainable' in layer.config);
}

/** The TF function a TFOpLambda / SlicingOpLambda calls, without `tf.`. */
const tfFunction = (layer: LayerSpec): string => String(layer.config.function ?? '').replace(/^tf\./, '');

/** Why an op layer cannot be built (its function or op is not one of §4's), or undefined. */
export function unsupportedOp(layer: LayerSpec): string | undefined {
  if (isOperationNode(layer))
    return Object.hasOwn(KERAS_OPS, layer.className) ? undefined : `the operation ${layer.className} of ${layer.module}`;
  if (layer.className === 'TFOpLambda' || layer.className === 'SlicingOpLambda') {
    return Object.hasOwn(TF_FUNCTIONS, tfFunction(layer)) ? undefined : `the function 'tf.${tfFunction(layer)}'`;
  }
  return undefined;
}

/** The builder of an op layer: the TF function or Keras op it records. */
export const opLayer: LayerBuilder = (ctx) => {
  const build = isOperationNode(ctx.spec) ? KERAS_OPS[ctx.spec.className] : TF_FUNCTIONS[tfFunction(ctx.spec)];
  if (!build) return layerFail(ctx, `${unsupportedOp(ctx.spec) ?? 'this operation'} is not supported`);
  return build(opCall(ctx));
};
