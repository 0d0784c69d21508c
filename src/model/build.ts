import { LrpKerasError } from '../errors.js';
import type { KerasArchive, WeightTensor } from '../io/keras-h5.js';
import { formatShape, sizeOf } from '../tensor.js';
import type { LayerSpec, ModelSpec } from './config.js';
import type { Graph, GraphNode, Op } from './graph.js';
import type { LayerContext } from './layers/context.js';
import { LAYER_BUILDERS, UNSUPPORTED_REASONS } from './layers/registry.js';

/** A Keras layer as users see it (summary, Model.layers). */
export interface LayerInfo {
  name: string;
  className: string;
  outputShape: number[];
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

/** Layers in execution order: behind their inputs, config order otherwise (Keras writes inputs first). */
export function executionOrder(spec: ModelSpec, where: string): LayerSpec[] {
  const byName = new Map(spec.layers.map((l) => [l.name, l]));
  for (const layer of spec.layers) {
    for (const input of layer.inbound) {
      if (!byName.has(input)) throw new LrpKerasError(`${where}: layer '${layer.name}' (${layer.className}) reads '${input}', which is not a layer of the model`);
    }
  }
  const done = new Set<string>();
  const order: LayerSpec[] = [];
  const pending = spec.layers.slice();
  while (pending.length) {
    const next = pending.findIndex((l) => l.inbound.every((i) => done.has(i)));
    if (next < 0) throw new LrpKerasError(`${where}: the layers ${pending.map((l) => `'${l.name}'`).join(', ')} form a cycle or read missing inputs`);
    const [layer] = pending.splice(next, 1);
    done.add(layer.name);
    order.push(layer);
  }
  return order;
}

/** The stored weights of one layer; layers of a nested model share its group and are told apart by path. */
function weightsOf(layer: LayerSpec, archive: KerasArchive): WeightTensor[] {
  // .keras files keep a group per layer even inside nested models; HDF5 files one per outer model.
  if (!layer.nestedIn || archive.groups.has(layer.name)) return archive.groups.get(layer.name) ?? [];
  return (archive.groups.get(layer.nestedIn) ?? []).filter((w) => {
    const parts = w.name.split('/');
    return parts.length >= 2 && parts[parts.length - 2] === layer.name;
  });
}

/** Lower a parsed model and its weights into an executable graph. */
export function buildGraph(spec: ModelSpec, archive: KerasArchive, options: BuildOptions): { graph: Graph; layers: LayerInfo[] } {
  const where = archive.fileName;
  const inputShape = spec.inputShape.map((d, i) => {
    if (d === null || !Number.isInteger(d) || d < 1) {
      throw new LrpKerasError(`${where}: input shape ${formatShape([null, ...spec.inputShape])} has a free or invalid dimension at axis ${i + 1}; only fixed input shapes are supported`);
    }
    return d;
  });
  if (sizeOf(inputShape) > options.maxTensorElements) {
    throw new LrpKerasError(`${where}: input shape ${formatShape([null, ...inputShape])} is over the limit of ${options.maxTensorElements} elements per sample (limits.maxTensorElements)`);
  }
  const major = kerasMajor(archive.kerasVersion);
  const theano = options.flipKernels ?? archive.backend === 'theano';
  const nodes: GraphNode[] = [];
  const graph: Graph = { inputShape, nodes, output: 0 };
  const tensorOf = new Map<string, number>([[spec.input, 0]]);
  const shapeOf = (id: number): number[] => (id === 0 ? inputShape : nodes[id - 1].outShape);
  const layers: LayerInfo[] = [];
  const used = new Set<string>();

  for (const layer of executionOrder(spec, where)) {
    if (layer.name === spec.input) {
      layers.push({ name: layer.name, className: 'InputLayer', outputShape: inputShape, params: 0, inbound: [] });
      continue;
    }
    const layerWhere = `${where}: layer '${layer.name}' (${layer.className})`;
    const builder = LAYER_BUILDERS[layer.className];
    if (!builder) {
      const reason = UNSUPPORTED_REASONS[layer.className]
        ?? (layer.className === 'InputLayer' ? 'a second model input is not supported' : 'this layer class is not supported (custom or unknown layer)');
      throw new LrpKerasError(`${layerWhere}: ${reason}`);
    }
    const inputs = layer.inbound.map((name) => tensorOf.get(name)!);
    if (inputs.length === 0) throw new LrpKerasError(`${layerWhere}: the layer has no input`);
    const weights = weightsOf(layer, archive);
    used.add(archive.groups.has(layer.name) ? layer.name : layer.nestedIn ?? layer.name);
    const ctx: LayerContext = {
      spec: layer, where: layerWhere, inputs, inShapes: inputs.map(shapeOf), weights, keras: { major, theano }, shapeOf,
      emit(op: Op, outShape: number[], from = [inputs[0]], suffix = '') {
        if (!outShape.every((d) => Number.isInteger(d) && d > 0)) throw new LrpKerasError(`${layerWhere}: output shape ${formatShape(outShape)} is empty or invalid`);
        if (sizeOf(outShape) > options.maxTensorElements) {
          throw new LrpKerasError(`${layerWhere}: output shape ${formatShape(outShape)} has ${sizeOf(outShape)} elements per sample, over the limit of ${options.maxTensorElements} (limits.maxTensorElements)`);
        }
        nodes.push({ name: layer.name + suffix, layer: layer.name, className: layer.className, inputs: from, outShape, op });
        return nodes.length;
      },
    };
    const out = builder(ctx);
    tensorOf.set(layer.name, out);
    layers.push({ name: layer.name, className: layer.className, outputShape: shapeOf(out), params: weights.reduce((s, w) => s + w.data.length, 0), inbound: layer.inbound });
  }
  for (const [group, weights] of archive.groups) {
    if (weights.length > 0 && !used.has(group)) {
      throw new LrpKerasError(`${where}: the file holds weights for '${group}', which is not a layer of the model config`);
    }
  }
  const output = tensorOf.get(spec.output);
  if (output === undefined) throw new LrpKerasError(`${where}: output layer '${spec.output}' is not a layer of the model`);
  graph.output = output;
  return { graph, layers };
}
