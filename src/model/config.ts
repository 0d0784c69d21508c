import { LrpKerasError } from '../errors.js';

/** A Keras layer as its config describes it, with the names of the layers whose outputs it reads. */
export interface LayerSpec {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inbound: string[];
  /** The outermost nested model this layer was inlined from: its weights live in that model's group. */
  nestedIn?: string;
}

/** A Keras model config normalised across Keras 1, 2, tf.keras and 3: one input, one output. */
export interface ModelSpec {
  name: string;
  className: string;
  /** In config order, nested models inlined, the input layer first. */
  layers: LayerSpec[];
  input: string;
  output: string;
  /** Input shape without the batch axis; `null` for a free dimension. */
  inputShape: (number | null)[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Parse `model_config` / `config.json` / `to_json()` text or object into a ModelSpec. */
export function parseModelConfig(raw: unknown, where: string): ModelSpec {
  let json = raw;
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw);
    } catch (e) {
      throw new LrpKerasError(`${where}: the model config is not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(json) || typeof json.class_name !== 'string') {
    throw new LrpKerasError(`${where}: the model config has no class_name (expected {class_name, config})`);
  }
  const names = new Set<string>();
  const spec = parseModel(json, where, names);
  return spec;
}

function parseModel(json: Json, where: string, names: Set<string>): ModelSpec {
  const className = json.class_name as string;
  if (!MODEL_CLASSES.has(className)) {
    throw new LrpKerasError(`${where}: the model is a ${className}; expected Sequential, Functional or Model`);
  }
  const config = json.config;
  return className === 'Sequential' ? parseSequential(config, where, names) : parseFunctional(config, className, where, names);
}

function layerName(entry: Json, where: string, index: number): string {
  const config = isObject(entry.config) ? entry.config : {};
  const name = config.name ?? entry.name;
  if (typeof name !== 'string' || name === '') {
    throw new LrpKerasError(`${where}: layer #${index} (${String(entry.class_name)}) has no name`);
  }
  return name;
}

function checkedEntries(list: unknown, where: string): Json[] {
  if (!Array.isArray(list)) throw new LrpKerasError(`${where}: the model config has no layer list`);
  return list.map((entry, i) => {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
      throw new LrpKerasError(`${where}: layer #${i} is not a {class_name, config} object`);
    }
    return entry;
  });
}

function addName(names: Set<string>, name: string, className: string, where: string): void {
  if (names.has(name)) throw new LrpKerasError(`${where}: layer name '${name}' (${className}) is used twice`);
  names.add(name);
}

function parseSequential(config: unknown, where: string, names: Set<string>): ModelSpec {
  // Keras ≤ 2.2.2 writes a bare list; later versions {name, layers, build_input_shape}.
  const object = isObject(config) ? config : {};
  const entries = checkedEntries(Array.isArray(config) ? config : object.layers, where);
  const name = typeof object.name === 'string' ? object.name : 'sequential';
  if (entries.length === 0) throw new LrpKerasError(`${where}: the Sequential model has no layers`);

  const layers: LayerSpec[] = [];
  let inputShape: (number | null)[] | undefined;
  let inputName: string;
  let rest = entries;
  if (entries[0].class_name === 'InputLayer') {
    inputName = layerName(entries[0], where, 0);
    inputShape = declaredInputShape(entries[0].config as Json);
    rest = entries.slice(1);
  } else {
    inputName = `${layerName(entries[0], where, 0)}_input`;
    inputShape = declaredInputShape(entries[0].config as Json);
  }
  inputShape ??= shapeList(object.build_input_shape)?.slice(1) ?? buildConfigShape(entries[0]);
  if (!inputShape) {
    throw new LrpKerasError(`${where}: the Sequential model declares no input shape (no InputLayer, batch_input_shape or build_input_shape)`);
  }
  addName(names, inputName, 'InputLayer', where);
  layers.push({ name: inputName, className: 'InputLayer', config: { name: inputName }, inbound: [] });
  let previous = inputName;
  rest.forEach((entry, i) => {
    const spec = inlineOrLayer(entry, [previous], where, names, i + 1);
    layers.push(...spec.layers);
    previous = spec.output;
  });
  return { name, className: 'Sequential', layers, input: inputName, output: previous, inputShape };
}

/** A nested model used as a layer is inlined: its input layer is replaced by the tensor it is called on. */
function inlineOrLayer(entry: Json, inbound: string[], where: string, names: Set<string>, index: number): { layers: LayerSpec[]; output: string } {
  const name = layerName(entry, where, index);
  const className = entry.class_name as string;
  if (!MODEL_CLASSES.has(className)) {
    addName(names, name, className, where);
    return { layers: [{ name, className, config: entry.config as Json, inbound }], output: name };
  }
  const inner = parseModel(entry, `${where}: nested model '${name}'`, new Set());
  const alias = new Map<string, string>([[inner.input, inbound[0]]]);
  const layers: LayerSpec[] = [];
  for (const layer of inner.layers) {
    if (layer.name === inner.input) continue;
    addName(names, layer.name, layer.className, where);
    layers.push({ ...layer, inbound: layer.inbound.map((n) => alias.get(n) ?? n), nestedIn: name });
  }
  return { layers, output: alias.get(inner.output) ?? inner.output };
}

function parseFunctional(config: unknown, className: string, where: string, names: Set<string>): ModelSpec {
  if (!isObject(config)) throw new LrpKerasError(`${where}: the ${className} config is not an object`);
  const entries = checkedEntries(config.layers, where);
  const inputs = endpoints(config.input_layers, 'input_layers', where);
  const outputs = endpoints(config.output_layers, 'output_layers', where);
  if (inputs.length !== 1) throw new LrpKerasError(`${where}: the model has ${inputs.length} inputs; only models with one input are supported`);
  if (outputs.length !== 1) throw new LrpKerasError(`${where}: the model has ${outputs.length} outputs; only models with one output are supported`);

  const layers: LayerSpec[] = [];
  const alias = new Map<string, string>();
  let inputShape: (number | null)[] | undefined;
  entries.forEach((entry, i) => {
    const name = layerName(entry, where, i);
    const className = entry.class_name as string;
    const inbound = inboundNames(entry, name, className, where).map((n) => alias.get(n) ?? n);
    if (className === 'InputLayer') {
      addName(names, name, className, where);
      if (name === inputs[0]) inputShape = declaredInputShape(entry.config as Json);
      layers.push({ name, className, config: entry.config as Json, inbound: [] });
      return;
    }
    const spec = inlineOrLayer(entry, inbound, where, names, i);
    if (MODEL_CLASSES.has(className)) alias.set(name, spec.output);
    layers.push(...spec.layers);
  });
  const input = inputs[0];
  if (!layers.some((l) => l.name === input && l.className === 'InputLayer')) {
    throw new LrpKerasError(`${where}: input layer '${input}' is not an InputLayer of the model`);
  }
  if (!inputShape) throw new LrpKerasError(`${where}: input layer '${input}' declares no shape`);
  const output = alias.get(outputs[0]) ?? outputs[0];
  return { name: typeof config.name === 'string' ? config.name : 'model', className, layers, input, output, inputShape };
}

function endpoints(value: unknown, field: string, where: string): string[] {
  // [[name, node, tensor], …]; Keras 3 writes a single endpoint as a bare [name, node, tensor].
  if (!Array.isArray(value)) throw new LrpKerasError(`${where}: the model config has no ${field}`);
  const list = typeof value[0] === 'string' ? [value] : value;
  return list.map((e) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string') throw new LrpKerasError(`${where}: malformed ${field} entry ${JSON.stringify(e)}`);
    if (e[1] !== 0 || (e[2] ?? 0) !== 0) {
      throw new LrpKerasError(`${where}: ${field} refers to '${e[0]}' call ${e[1]} output ${e[2]}; shared layers and multi-output layers are not supported`);
    }
    return e[0];
  });
}

/** Names of the layers a Functional layer reads, from all three generations of `inbound_nodes`. */
function inboundNames(entry: Json, name: string, className: string, where: string): string[] {
  const nodes = entry.inbound_nodes;
  if (nodes === undefined || (Array.isArray(nodes) && nodes.length === 0)) return [];
  if (!Array.isArray(nodes)) throw new LrpKerasError(`${where}: layer '${name}' (${className}): inbound_nodes is not a list`);
  if (nodes.length > 1) {
    throw new LrpKerasError(`${where}: layer '${name}' (${className}) is called ${nodes.length} times; shared layers are not supported`);
  }
  const refs: [unknown, unknown, unknown][] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') refs.push([v[0], v[1], v[2]]);
      else v.forEach(collect);
    } else if (isObject(v)) {
      const history = isObject(v.config) ? (v.config as Json).keras_history : undefined;
      if (v.class_name === '__keras_tensor__' && Array.isArray(history)) refs.push([history[0], history[1], history[2]]);
      else if (Array.isArray(v.args)) v.args.forEach(collect);
    }
  };
  collect(nodes[0]);
  return refs.map(([layer, node, tensor]) => {
    if (typeof layer !== 'string') throw new LrpKerasError(`${where}: layer '${name}' (${className}) has a malformed inbound node`);
    if (node !== 0 || (tensor ?? 0) !== 0) {
      throw new LrpKerasError(`${where}: layer '${name}' (${className}) reads call ${String(node)} output ${String(tensor)} of '${layer}'; shared layers and multi-output layers are not supported`);
    }
    return layer;
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
