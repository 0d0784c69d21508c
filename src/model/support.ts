import { fail } from '../errors.js';
import type { LayerSpec, ModelSpec } from './config.js';
import { builderFor, UNSUPPORTED_REASONS } from './layers/registry.js';
import { unsupportedOp } from './layers/tf-ops.js';
import { isObject, type Json } from '../json.js';

/** What a Lambda's config says its function is: the Python function's name, or `a lambda`. */
function lambdaFunction(config: Json): string {
  const fn = config.function;
  if (typeof fn === 'string') return `function ${fn}`;
  // Keras 3: {class_name: '__lambda__' | '__function__', config: {value | code, …}}; Keras 2: [code, defaults, closure] with function_type.
  if (isObject(fn) && fn.class_name === '__function__' && isObject(fn.config) && typeof fn.config.value === 'string')
    return `function ${fn.config.value}`;
  if (config.function_type === 'function' && typeof fn === 'string') return `function ${fn}`;
  return 'a Python lambda';
}

/** Why one layer cannot be built, or undefined when it can. */
function unsupported(layer: LayerSpec): string | undefined {
  if (layer.model || layer.className === 'InputLayer') return undefined;
  if (builderFor(layer)) return unsupportedOp(layer);
  if (layer.className === 'Lambda') return `${lambdaFunction(layer.config)}, arbitrary Python code`;
  const reason = UNSUPPORTED_REASONS[layer.className];
  if (reason) return reason;
  const module = layer.module && !layer.module.startsWith('keras.') ? ` from ${layer.module}` : '';
  const registered = layer.registeredName && layer.registeredName !== layer.className ? ` (registered as ${layer.registeredName})` : '';
  return `a custom or unknown layer class${module}${registered}`;
}

/** Every layer of the model, nested models' own layers included, with the path of models it sits in. */
function allLayers(spec: ModelSpec, path: string[] = []): [LayerSpec, string[]][] {
  return spec.layers.flatMap((l): [LayerSpec, string[]][] => (l.model ? allLayers(l.model, [...path, l.name]) : [[l, path]]));
}

/**
 * Refuse a model with layers lrp-keras cannot run, naming all of them at once (before any weight is
 * matched, so an unsupported layer never reads as a corrupt file).
 */
export function checkSupport(spec: ModelSpec, where: string): void {
  const problems = allLayers(spec).flatMap(([layer, path]) => {
    const why = unsupported(layer);
    return why ? [{ layer: `'${[...path, layer.name].join('/')}' (${layer.className})`, why }] : [];
  });
  if (problems.length === 1) fail(`${where}: layer ${problems[0].layer} is not supported: ${problems[0].why}`);
  if (problems.length > 1)
    fail(`${where}: ${problems.length} layers are not supported: ${problems.map((p) => `${p.layer}: ${p.why}`).join('; ')}`);
}
