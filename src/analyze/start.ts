import { resolveTargets, type Target } from '../attribution/targets.js';
import { fail } from '../errors.js';
import { tensorShape, type Graph } from '../model/graph.js';
import type { ModelInternals } from '../model/model.js';
import { didYouMean } from '../suggest.js';

/**
 * A unit of an inner layer to explain instead of a class: a channel (its activations at every
 * position, summed) or one element (a flat row-major index into the layer's output without the batch axis).
 */
export type UnitTarget = { layer: string; channel: number; index?: undefined } | { layer: string; index: number; channel?: undefined };

/**
 * Where a method starts: the tensor and, per sample, 1 on the units explained and 0 elsewhere. Gradient
 * methods seed the mask, LRP seeds mask ⊙ the tensor's values, and the score explained is Σ mask ⊙ values
 * (the target logit for a class target).
 */
export interface Start {
  tensor: number;
  mask: Float32Array;
}

export const isUnitTarget = (target: unknown): target is UnitTarget =>
  typeof target === 'object' && target !== null && !Array.isArray(target) && 'layer' in target;

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * The axis of a tensor's shape (without the batch axis) that holds channels: the first for a model
 * whose convolutions are channels_first, the last otherwise.
 */
export function channelAxis(graph: Graph, shape: readonly number[]): number {
  const channelsFirst = shape.length > 1 && graph.nodes.some((node) => node.op.kind === 'gather' && node.op.toChannelsFirst);
  return channelsFirst ? 0 : shape.length - 1;
}

/** The logits and what follows them to the model output: identities and the removed softmax. */
function logitsChain(model: ModelInternals): Set<number> {
  const chain = new Set([model.logitsTensor]);
  model.graph.nodes.forEach((node, index) => {
    const kind = node.op.kind;
    if ((kind === 'identity' || kind === 'softmax') && chain.has(node.inputs[0])) chain.add(index + 1);
  });
  return chain;
}

/**
 * The tensor a Keras layer outputs: its last node's (a layer that ends the model gives its logits, the
 * softmax removed). `lrp`: the tensor must exist in the LRP graph, where a Dense/Conv followed by a
 * BatchNormalization it absorbed has no output of its own.
 */
export function layerTensor(model: ModelInternals, layer: unknown, what: string, lrp: boolean): number {
  const { nodes } = model.graph;
  const names = [...new Set(nodes.map((n) => n.layer))];
  if (typeof layer !== 'string' || !names.includes(layer)) {
    return fail(
      `${what}: ${JSON.stringify(layer)} is not a layer of ${model.fileName}${didYouMean(String(layer), names)}; layers: ${names.join(', ')}`,
    );
  }
  const merge = model.batchNormMerges.find(([linear]) => linear === layer);
  if (lrp && merge) {
    fail(
      `${what}: layer '${layer}' is folded with the BatchNormalization '${merge[1]}' that follows it for LRP, so it has no output of its own; use layer '${merge[1]}'`,
    );
  }
  let id = nodes.length;
  while (nodes[id - 1].layer !== layer) id--;
  return logitsChain(model).has(id) ? model.logitsTensor : id;
}

/** Checks a non-negative integer below `size`. */
function unitIndex(value: unknown, size: number, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= size)
    fail(`${what} must be an integer from 0 to ${size - 1}, got ${JSON.stringify(value)}`);
  return value as number;
}

/** One sample's mask over the channels `channels` of a tensor of `shape` (channel axis `axis`). */
export function channelMask(shape: readonly number[], axis: number, channels: readonly number[]): Float32Array {
  const mask = new Float32Array(sizeOf(shape));
  const inner = sizeOf(shape.slice(axis + 1));
  const count = shape[axis];
  for (let i = 0; i < mask.length; i++) if (channels.includes(Math.floor(i / inner) % count)) mask[i] = 1;
  return mask;
}

/** The start of an inner-unit target: the same units in every sample. */
function unitStart(model: ModelInternals, target: UnitTarget, n: number, lrp: boolean): Start {
  const graph = lrp ? model.lrpGraph : model.graph;
  const tensor = layerTensor(model, target.layer, 'option target.layer', lrp);
  const shape = tensorShape(graph, tensor);
  const size = sizeOf(shape);
  let one: Float32Array;
  if (target.channel !== undefined && target.index === undefined) {
    const axis = channelAxis(graph, shape);
    one = channelMask(shape, axis, [
      unitIndex(target.channel, shape[axis], `option target.channel (layer '${target.layer}' has ${shape[axis]} channels)`),
    ]);
  } else if (target.index !== undefined && target.channel === undefined) {
    one = new Float32Array(size);
    one[
      unitIndex(
        target.index,
        size,
        `option target.index (a flat index into the output of layer '${target.layer}', shape [${shape.join(', ')}])`,
      )
    ] = 1;
  } else {
    return fail(`option target: give a layer with either channel or index, got ${JSON.stringify(target)}`);
  }
  const mask = new Float32Array(n * size);
  for (let s = 0; s < n; s++) mask.set(one, s * size);
  return { tensor, mask };
}

/** What a method explains: a class of the logits (one per sample) or a unit of an inner layer. */
export function startOf(
  model: ModelInternals,
  target: Target | UnitTarget | undefined,
  logits: Float32Array,
  n: number,
  lrp: boolean,
): Start {
  if (isUnitTarget(target)) return unitStart(model, target, n, lrp);
  const classes = logits.length / n;
  const mask = new Float32Array(logits.length);
  resolveTargets(target, logits, n).forEach((c, s) => {
    mask[s * classes + c] = 1;
  });
  return { tensor: model.logitsTensor, mask };
}

/** Σ mask ⊙ values per sample: the score a start explains. */
export function startScores(mask: Float32Array, values: Float32Array, n: number): number[] {
  const size = values.length / n;
  return Array.from({ length: n }, (_, s) => {
    let acc = 0;
    for (let i = s * size; i < (s + 1) * size; i++) if (mask[i] !== 0) acc += mask[i] * values[i];
    return acc;
  });
}
