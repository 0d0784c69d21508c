import { sizeOf } from '../../tensor.js';
import type { Op, OpKind } from '../graph.js';
import { field, layerFail, type LayerBuilder, type LayerContext } from './context.js';

/** Repeat a per-step index map over `steps` consecutive slices (−1 stays −1). */
function tiled(map: Int32Array, steps: number, inSize: number): Int32Array {
  const out = new Int32Array(map.length * steps);
  for (let t = 0; t < steps; t++) for (let i = 0; i < map.length; i++) out[t * map.length + i] = map[i] < 0 ? -1 : t * inSize + map[i];
  return out;
}

/** Ops that act on each cell (or on the last axis) alone, hence on every slice as they are. */
const PER_POSITION = new Set<OpKind>([
  'activation',
  'affine',
  'identity',
  'softmax',
  'prelu',
  'embedding',
  'mask',
  'apply-mask',
  'merge-directions',
]);

/**
 * The op that applies a per-step op to every one of `steps` slices of a sample. Position-wise ops are
 * already periodic over the slices; Dense runs on more rows; convolutions and pooling run on `steps`
 * times the batch; per-sample maps are tiled. Any other op (those of several inputs, and kinds added
 * later) is refused rather than guessed.
 */
function overSteps(ctx: LayerContext, op: Op, steps: number, inSize: number): Op {
  if (op.kind === 'dense') return { ...op, rows: op.rows * steps };
  if (op.kind === 'conv' || op.kind === 'maxpool' || op.kind === 'avgpool') return { ...op, steps: (op.steps ?? 1) * steps };
  if (op.kind === 'gather') return { ...op, map: tiled(op.map, steps, inSize) };
  if (op.kind === 'layernorm') {
    const s = op.spec;
    const group = new Int32Array(s.group.length * steps);
    const param = new Int32Array(s.param.length * steps);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < s.group.length; i++) {
        group[t * s.group.length + i] = t * s.groups + s.group[i];
        param[t * s.group.length + i] = s.param[i];
      }
    }
    return { kind: 'layernorm', spec: { ...s, group, param, groups: s.groups * steps } };
  }
  if (op.kind === 'interpolate') {
    const { taps, index, weight } = op.taps;
    const tiledWeight = new Float32Array(weight.length * steps);
    for (let t = 0; t < steps; t++) tiledWeight.set(weight, t * weight.length);
    return { kind: 'interpolate', taps: { taps, index: tiled(index, steps, inSize), weight: tiledWeight } };
  }
  if (op.kind === 'recurrent') return { ...op, slices: (op.slices ?? 1) * steps };
  if (op.kind === 'concat') return { ...op, outer: op.outer * steps };
  if (PER_POSITION.has(op.kind)) return op;
  return layerFail(ctx, `a ${op.kind} node cannot be applied per time step`);
}

/**
 * TimeDistributed(layer): the wrapped layer's builder runs on one time step's shape; each node it emits
 * is widened to all steps of the sample (axis 1 after the batch). The wrapper's weights are the layer's.
 */
export const timeDistributed =
  (builderOf: (className: string) => LayerBuilder | undefined): LayerBuilder =>
  (ctx) => {
    const shape = ctx.inShapes[0];
    if (shape.length < 2) layerFail(ctx, 'expects an input with a time axis and at least one more axis besides the batch');
    const inner = field(ctx, ['layer']) as { class_name?: unknown; config?: unknown } | undefined;
    const className = inner?.class_name;
    if (typeof className !== 'string' || typeof inner?.config !== 'object' || inner.config === null) {
      return layerFail(ctx, `needs the wrapped layer as {class_name, config}, got ${JSON.stringify(inner)}`);
    }
    const builder = builderOf(className) ?? layerFail(ctx, `the wrapped layer class '${className}' is not supported`);
    const steps = shape[0];
    const stepShapes = new Map<number, number[]>([[ctx.inputs[0], shape.slice(1)]]);
    const stepShape = (id: number): number[] => stepShapes.get(id) ?? layerFail(ctx, `tensor ${id} is not a time step of this layer`);
    const sub: LayerContext = {
      ...ctx,
      spec: { ...ctx.spec, className, config: inner.config as Record<string, unknown> },
      where: `${ctx.where} (wrapped ${className})`,
      inShapes: [shape.slice(1)],
      emit(op, outShape, inputs = [ctx.inputs[0]], suffix = '') {
        const id = ctx.emit(overSteps(sub, op, steps, sizeOf(stepShape(inputs[0]))), [steps, ...outShape], inputs, suffix);
        stepShapes.set(id, outShape);
        return id;
      },
      shapeOf: stepShape,
    };
    return builder(sub);
  };
