import { fail } from '../errors.js';
import type { KerasArchive, WeightTensor } from '../io/keras-h5.js';
import { formatShape, sizeOf } from '../tensor.js';
import type { CallSpec, LayerSpec, ModelSpec, TensorRef } from './config.js';
import type { Graph, GraphNode, Op } from './graph.js';
import { kwargTensorRefs } from './call-tensors.js';
import type { LayerContext } from './layers/context.js';
import { builderFor } from './layers/registry.js';
import { carriesMask } from './masks.js';

/** A Keras layer as users see it (summary, Model.layers). */
export interface LayerInfo {
  name: string;
  className: string;
  /** Of its first call, without batch; `null` for a free dimension. */
  outputShape: (number | null)[];
  params: number;
  inbound: string[];
}

export interface BuildOptions {
  /** Flip conv kernels spatially (Theano-trained weights); default: when the file says its backend was Theano. */
  flipKernels?: boolean;
  maxTensorElements: number;
}

/** The Keras major version the file was written with; Keras assumes 1 when it is missing. */
export const kerasMajor = (version: string | undefined): number => {
  const major = Number.parseInt(version ?? '1', 10);
  return Number.isFinite(major) ? major : 1;
};

/** Where a layer's weights are stored: its own group, or (HDF5) the group of the outermost nested model it sits in. */
interface Scope {
  where: string;
  outermost?: string;
}

/** The stored weights of one layer; layers of a nested model share its group and are told apart by path. */
function weightsOf(layer: LayerSpec, scope: Scope, archive: KerasArchive): WeightTensor[] {
  // .keras files keep a group per layer even inside nested models; HDF5 files one per outer model.
  if (!scope.outermost || archive.groups.has(layer.name)) return archive.groups.get(layer.name) ?? [];
  return (archive.groups.get(scope.outermost) ?? []).filter((w) => {
    const parts = w.name.split('/');
    return parts.length >= 2 && parts[parts.length - 2] === layer.name;
  });
}

const refKey = (r: TensorRef): string => `${r.layer}|${r.node}|${r.tensor}`;

/**
 * Lower a parsed model and its weights into an executable graph for the given input shapes (free
 * dimensions resolved). Each call of a layer becomes its own nodes; nested models are inlined at
 * each call; weights are shared between calls.
 */
export function buildGraph(
  spec: ModelSpec,
  archive: KerasArchive,
  options: BuildOptions,
  inputShapes: number[][],
): { graph: Graph; layers: LayerInfo[] } {
  const where = archive.fileName;
  const nodes: GraphNode[] = [];
  const layers: LayerInfo[] = [];
  const used = new Set<string>();
  const nodeNames = new Map<string, number>();
  const keras = {
    major: kerasMajor(archive.kerasVersion),
    version: archive.kerasVersion,
    theano: options.flipKernels ?? archive.backend === 'theano',
  };
  const shapeOf = (id: number): number[] => nodes[id - 1].outShape;
  /** The mask carried with a tensor (a (T) tensor of 0/1 per sample), as Keras' `_keras_mask`. */
  const masks = new Map<number, number>();

  const checkShape = (shape: number[], what: string): void => {
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) fail(`${what}: output shape ${formatShape(shape)} is empty or invalid`);
    if (sizeOf(shape) > options.maxTensorElements) {
      fail(
        `${what}: output shape ${formatShape(shape)} has ${sizeOf(shape)} elements per sample, over the limit of ${options.maxTensorElements} (limits.maxTensorElements)`,
      );
    }
  };
  /** A node name unique in the graph: the layer's name for its first call, `name#2`, `#3`, … for later ones. */
  const uniqueName = (name: string): string => {
    const count = (nodeNames.get(name) ?? 0) + 1;
    nodeNames.set(name, count);
    return count === 1 ? name : `${name}#${count}`;
  };

  const inputs = spec.inputs.map((name, index) => {
    checkShape(inputShapes[index], `${where}: input '${name}'`);
    nodes.push({
      name: uniqueName(name),
      layer: name,
      className: 'InputLayer',
      inputs: [],
      outShape: inputShapes[index],
      op: { kind: 'input', index },
    });
    return nodes.length;
  });

  /** Run one model's calls with its inputs bound to `given`; returns the tensors of its outputs. */
  const instantiate = (model: ModelSpec, given: number[], scope: Scope, top: boolean): number[] => {
    const tensors = new Map<string, number>();
    model.inputs.forEach((name, k) => tensors.set(refKey({ layer: name, node: 0, tensor: 0 }), given[k]));
    const byName = new Map(model.layers.map((l) => [l.name, l]));
    const pending: [LayerSpec, number, CallSpec][] = model.layers.flatMap((l) =>
      l.calls.map((c, k): [LayerSpec, number, CallSpec] => [l, k, c]),
    );
    for (const [layer, , call] of pending) {
      for (const ref of call.inputs) {
        if (!byName.has(ref.layer))
          fail(`${scope.where}: layer '${layer.name}' (${layer.className}) reads '${ref.layer}', which is not a layer of the model`);
      }
    }
    // Calls run once every tensor they read exists; config order otherwise (Keras writes inputs first).
    while (pending.length) {
      const next = pending.findIndex(([, , call]) =>
        [...call.inputs, ...Object.values(kwargTensorRefs(call)).flat()].every((r) => tensors.has(refKey(r))),
      );
      if (next < 0)
        fail(
          `${scope.where}: the layers ${[...new Set(pending.map(([l]) => `'${l.name}'`))].join(', ')} form a cycle or read missing outputs`,
        );
      const [layer, index, call] = pending.splice(next, 1)[0];
      // Every reference resolves: the call was picked because all it reads exists.
      const tensorOf = (r: TensorRef): number => tensors.get(refKey(r)) ?? fail(`${scope.where}: '${r.layer}' is read before it exists`);
      const ins = call.inputs.map(tensorOf);
      const outs = layer.model
        ? instantiate(
            layer.model,
            ins,
            { where: `${scope.where}: nested model '${layer.name}'`, outermost: scope.outermost ?? layer.name },
            false,
          )
        : callLayer(
            layer,
            call,
            ins,
            scope,
            top && index === 0,
            Object.fromEntries(Object.entries(kwargTensorRefs(call)).map(([k, refs]) => [k, refs.map(tensorOf)])),
          );
      outs.forEach((t, k) => tensors.set(refKey({ layer: layer.name, node: index, tensor: k }), t));
    }
    return model.outputs.map(
      (r) =>
        tensors.get(refKey(r)) ??
        fail(`${scope.where}: output '${r.layer}' (call ${r.node}, output ${r.tensor}) is not produced by the model`),
    );
  };

  const callLayer = (
    layer: LayerSpec,
    call: CallSpec,
    ins: number[],
    scope: Scope,
    record: boolean,
    kwargTensors: Record<string, number[]>,
  ): number[] => {
    const layerWhere = `${scope.where}: layer '${layer.name}' (${layer.className})`;
    const builder = builderFor(layer) ?? fail(`${layerWhere}: this layer class is not supported`);
    if (ins.length === 0 && Object.keys(kwargTensors).length === 0) fail(`${layerWhere}: the layer has no input`);
    const weights = weightsOf(layer, scope, archive);
    used.add(archive.groups.has(layer.name) ? layer.name : (scope.outermost ?? layer.name));
    const name = uniqueName(layer.name);
    const ctx: LayerContext = {
      spec: layer,
      call,
      where: layerWhere,
      inputs: ins,
      inShapes: ins.map(shapeOf),
      weights,
      keras,
      shapeOf,
      kwargTensors,
      maskOf: (tensor) => masks.get(tensor),
      setMask: (tensor, mask) => void masks.set(tensor, mask),
      emit(op: Op, outShape: number[], from = [ins[0]], suffix = '') {
        checkShape(outShape, layerWhere);
        nodes.push({ name: name + suffix, layer: layer.name, className: layer.className, inputs: from, outShape, op });
        return nodes.length;
      },
    };
    const built = builder(ctx);
    const outs = Array.isArray(built) ? built : [built];
    const inMask = masks.get(ins[0]);
    if (inMask !== undefined && !masks.has(outs[0]) && carriesMask(layer.className, shapeOf(ins[0]), shapeOf(outs[0])))
      masks.set(outs[0], inMask);
    if (record || !layers.some((l) => l.name === layer.name)) {
      layers.push({
        name: layer.name,
        className: layer.className,
        outputShape: shapeOf(outs[0]),
        params: weights.reduce((s, w) => s + w.data.length, 0),
        inbound: call.inputs.map((r) => r.layer),
      });
    }
    return outs;
  };

  spec.inputs.forEach((name, k) => layers.push({ name, className: 'InputLayer', outputShape: inputShapes[k], params: 0, inbound: [] }));
  const outputs = instantiate(spec, inputs, { where }, true);
  for (const [group, weights] of archive.groups) {
    if (weights.length > 0 && !used.has(group))
      fail(`${where}: the file holds weights for '${group}', which is not a layer of the model config`);
  }
  return { graph: { nodes, inputs, outputs }, layers };
}
