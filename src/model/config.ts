import { fail } from '../errors.js';
import { isObject, type Json } from '../json.js';

/** One output of one call of a layer: `[layer, node_index, tensor_index]` in Keras' words. */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** One call of a layer (Keras' inbound node): the tensors it reads, positional then keyword, and its other arguments. */
export interface CallSpec {
  inputs: TensorRef[];
  /** Keyword arguments as the config stores them, tensors included (`mask`, `initial_state`, …). */
  kwargs: Record<string, unknown>;
  /**
   * Positional arguments as stored, tensors and constants (Keras 3 `args`; a tf.keras TFOpLambda's first
   * argument: its tensor reference, or the value of a `_CONSTANT_VALUE`).
   */
  args?: unknown[];
}

/** A Keras layer as its config describes it: its class and config, and each call of it. */
export interface LayerSpec {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** In `node_index` order; an InputLayer has none. */
  calls: CallSpec[];
  /** A nested model used as a layer: its own graph, inlined at each call with shared weights. */
  model?: ModelSpec;
  /** Where Keras 3 found the class (`keras.layers` for its own), and the name it was registered under. */
  module?: string;
  registeredName?: string;
}

/** A Keras model config normalised across Keras 1, 2, tf.keras and 3. */
export interface ModelSpec {
  name: string;
  className: string;
  /** In config order, InputLayers included. */
  layers: LayerSpec[];
  /** The InputLayers, in `input_layers` order. */
  inputs: string[];
  /** Shape (without batch) of each input; `null` for a free dimension. */
  inputShapes: (number | null)[][];
  outputs: TensorRef[];
}

export const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Parse `model_config` / `config.json` / `to_json()` text or object into a ModelSpec. */
export function parseModelConfig(raw: unknown, where: string): ModelSpec {
  let json = raw;
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw);
    } catch (e) {
      fail(`${where}: the model config is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(json) || typeof json.class_name !== 'string')
    fail(`${where}: the model config has no class_name (expected {class_name, config})`);
  return parseModel(json as Json, where);
}

function parseModel(json: Json, where: string): ModelSpec {
  const className = json.class_name as string;
  if (!MODEL_CLASSES.has(className)) fail(`${where}: the model is a ${className}; expected Sequential, Functional or Model`);
  return className === 'Sequential' ? parseSequential(json.config, where) : parseFunctional(json.config, className, where);
}

function layerName(entry: Json, where: string, index: number): string {
  const config = isObject(entry.config) ? entry.config : {};
  const name = config.name ?? entry.name;
  if (typeof name !== 'string' || name === '') fail(`${where}: layer #${index} (${String(entry.class_name)}) has no name`);
  return name as string;
}

function checkedEntries(list: unknown, where: string): Json[] {
  if (!Array.isArray(list)) fail(`${where}: the model config has no layer list`);
  return (list as unknown[]).map((entry, i) => {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config))
      fail(`${where}: layer #${i} is not a {class_name, config} object`);
    return entry as Json;
  });
}

/** A layer entry, with its nested model parsed when it is one. */
function layerSpec(entry: Json, calls: CallSpec[], where: string, index: number): LayerSpec {
  const name = layerName(entry, where, index);
  const className = entry.class_name as string;
  const model = MODEL_CLASSES.has(className) ? parseModel(entry, `${where}: nested model '${name}'`) : undefined;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    name,
    className,
    config: entry.config as Json,
    calls,
    model,
    module: text(entry.module),
    registeredName: text(entry.registered_name),
  };
}

function checkUnique(layers: LayerSpec[], where: string): void {
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) fail(`${where}: layer name '${l.name}' (${l.className}) is used twice`);
    seen.add(l.name);
  }
}

function parseSequential(config: unknown, where: string): ModelSpec {
  // Keras ≤ 2.2.2 writes a bare list; later versions {name, layers, build_input_shape}.
  const object = isObject(config) ? config : {};
  const entries = checkedEntries(Array.isArray(config) ? config : object.layers, where);
  const name = typeof object.name === 'string' ? object.name : 'sequential';
  if (entries.length === 0) fail(`${where}: the Sequential model has no layers`);

  const first = entries[0];
  const explicitInput = first.class_name === 'InputLayer';
  const inputName = explicitInput ? layerName(first, where, 0) : `${layerName(first, where, 0)}_input`;
  const inputShape =
    declaredInputShape(first.config as Json) ??
    shapeList(object.build_input_shape)?.slice(1) ??
    buildConfigShape(first) ??
    fail(`${where}: the Sequential model declares no input shape (no InputLayer, batch_input_shape or build_input_shape)`);
  const layers: LayerSpec[] = [{ name: inputName, className: 'InputLayer', config: { name: inputName }, calls: [] }];
  let previous: TensorRef = { layer: inputName, node: 0, tensor: 0 };
  (explicitInput ? entries.slice(1) : entries).forEach((entry, i) => {
    const spec = layerSpec(entry, [{ inputs: [previous], kwargs: {} }], where, i + 1);
    layers.push(spec);
    previous = { layer: spec.name, node: 0, tensor: 0 };
  });
  checkUnique(layers, where);
  return { name, className: 'Sequential', layers, inputs: [inputName], inputShapes: [inputShape], outputs: [previous] };
}

function parseFunctional(config: unknown, className: string, where: string): ModelSpec {
  if (!isObject(config)) fail(`${where}: the ${className} config is not an object`);
  const object = config as Json;
  const entries = checkedEntries(object.layers, where);
  const inputRefs = endpoints(object.input_layers, 'input_layers', where);
  const outputs = endpoints(object.output_layers, 'output_layers', where);
  const layers = entries.map((entry, i) => {
    const name = layerName(entry, where, i);
    return layerSpec(entry, entry.class_name === 'InputLayer' ? [] : calls(entry, name, where), where, i);
  });
  checkUnique(layers, where);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const inputShapes = inputRefs.map((ref) => {
    const layer = byName.get(ref.layer);
    if (layer?.className !== 'InputLayer') return fail(`${where}: input '${ref.layer}' is not an InputLayer of the model`);
    return declaredInputShape(layer.config) ?? fail(`${where}: input layer '${ref.layer}' declares no shape`);
  });
  return {
    name: typeof object.name === 'string' ? object.name : 'model',
    className,
    layers,
    inputs: inputRefs.map((r) => r.layer),
    inputShapes,
    outputs,
  };
}

const toRef = (layer: unknown, node: unknown, tensor: unknown, what: string): TensorRef => {
  if (typeof layer !== 'string' || !Number.isInteger(node ?? 0) || !Number.isInteger(tensor ?? 0))
    fail(`${what}: malformed tensor reference ${JSON.stringify([layer, node, tensor])}`);
  return { layer: layer as string, node: (node ?? 0) as number, tensor: (tensor ?? 0) as number };
};

function endpoints(value: unknown, field: string, where: string): TensorRef[] {
  // [[name, node, tensor], …]; Keras 3 writes a single endpoint as a bare [name, node, tensor].
  if (!Array.isArray(value)) fail(`${where}: the model config has no ${field}`);
  const list = typeof (value as unknown[])[0] === 'string' ? [value] : (value as unknown[]);
  return list.map((e) =>
    Array.isArray(e) ? toRef(e[0], e[1], e[2], `${where}: ${field}`) : fail(`${where}: malformed ${field} entry ${JSON.stringify(e)}`),
  );
}

/**
 * Each call of a Functional layer, from all three generations of `inbound_nodes`: Keras 1 and 2 write a
 * list of `[layer, node, tensor(, kwargs)]` per call, Keras 3 `{args, kwargs}` with `__keras_tensor__`s.
 */
function calls(entry: Json, name: string, where: string): CallSpec[] {
  const nodes = entry.inbound_nodes;
  const what = `${where}: layer '${name}' (${String(entry.class_name)})`;
  if (nodes === undefined) return [];
  if (!Array.isArray(nodes)) fail(`${what}: inbound_nodes is not a list`);
  return (nodes as unknown[]).map((node) => {
    const inputs: TensorRef[] = [];
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) {
        if (typeof v[0] === 'string' && typeof v[1] === 'number') inputs.push(toRef(v[0], v[1], v[2], what));
        else v.forEach(collect);
      } else if (isObject(v)) {
        const history = isObject(v.config) ? v.config.keras_history : undefined;
        if (v.class_name === '__keras_tensor__' && Array.isArray(history)) inputs.push(toRef(history[0], history[1], history[2], what));
      }
    };
    if (isObject(node)) {
      collect(node.args);
      return { inputs, kwargs: isObject(node.kwargs) ? node.kwargs : {}, args: Array.isArray(node.args) ? node.args : [] };
    }
    if (!Array.isArray(node)) fail(`${what}: malformed inbound node ${JSON.stringify(node)}`);
    // tf.keras TFOpLambda / SlicingOpLambda: one flat `[layer, node, tensor, kwargs]` per call, or
    // `['_CONSTANT_VALUE', -1, value, kwargs]` when the first argument is a constant.
    if (typeof node[0] === 'string') {
      const kwargs = isObject(node[3]) ? node[3] : {};
      if (node[0] === '_CONSTANT_VALUE') return { inputs, kwargs, args: [node[2]] };
      const ref = toRef(node[0], node[1], node[2], what);
      return { inputs: [ref], kwargs, args: [[ref.layer, ref.node, ref.tensor]] };
    }
    const kwargs = Object.assign({}, ...(node as unknown[]).map((ref) => (Array.isArray(ref) && isObject(ref[3]) ? ref[3] : {})));
    collect(node);
    return { inputs, kwargs };
  });
}

function shapeList(value: unknown): (number | null)[] | undefined {
  if (!Array.isArray(value) || !value.every((d) => d === null || typeof d === 'number')) return undefined;
  return value as (number | null)[];
}

/** The shape (without batch) an InputLayer or first layer declares, in any Keras version's words. */
function declaredInputShape(config: Json): (number | null)[] | undefined {
  const batch = shapeList(config.batch_input_shape) ?? shapeList(config.batch_shape);
  if (batch) return batch.slice(1);
  const plain = shapeList(config.input_shape);
  if (plain) return plain;
  if (typeof config.input_dim === 'number') return [config.input_dim];
  return undefined;
}

function buildConfigShape(entry: Json): (number | null)[] | undefined {
  const build = entry.build_config;
  return isObject(build) ? shapeList(build.input_shape)?.slice(1) : undefined;
}
