import { unzipSync } from 'fflate';
import { LrpKerasError } from '../errors.js';
import type { H5Group, H5Reader } from './hdf5.js';
import type { KerasArchive, WeightTensor } from './keras-h5.js';

const MEMBERS = ['config.json', 'metadata.json', 'model.weights.h5'];

/** Keras' `to_snake_case`, which names the weight groups of a `.keras` file after layer classes. */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function json(bytes: Uint8Array | undefined, member: string, fileName: string): Record<string, unknown> | undefined {
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new LrpKerasError(`${fileName}: ${member} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The groups holding layer variables, by normalised path (`layers/dense`): walks `layers` (or tf.keras
 * 2.13's `_layer_checkpoint_dependencies`) and reads names written on Windows (`layers\dense`) as paths.
 */
function layerGroups(root: H5Group): Map<string, H5Group> {
  const found = new Map<string, H5Group>();
  for (const key of root.keys()) {
    const parts = key.split('\\');
    const top = parts[0] === '_layer_checkpoint_dependencies' ? 'layers' : parts[0];
    if (top !== 'layers') continue;
    const node = root.get(key);
    if (node?.kind !== 'group') continue;
    if (parts.length > 1) found.set(`layers/${parts.slice(1).join('/')}`, node);
    else for (const child of node.keys()) {
      const group = node.get(child);
      if (group?.kind === 'group') found.set(`layers/${child}`, group);
    }
  }
  return found;
}

function vars(group: H5Group, path: string, fileName: string): WeightTensor[] {
  const varsGroup = group.get('vars');
  if (varsGroup?.kind !== 'group') return [];
  const indices = varsGroup.keys().filter((k) => /^\d+$/.test(k)).map(Number).sort((a, b) => a - b);
  return indices.map((i) => {
    const dataset = varsGroup.get(String(i));
    if (dataset?.kind !== 'dataset') throw new LrpKerasError(`${fileName}: ${path}/vars/${i} is not a dataset`);
    return { name: `${path}/vars/${i}`, shape: dataset.shape, data: dataset.readFloat32() };
  });
}

/** Read a `.keras` zip (Keras 3, tf.keras 2.12–2.15): config.json, metadata.json and model.weights.h5. */
export async function readKerasZip(bytes: Uint8Array, fileName: string, reader: H5Reader): Promise<KerasArchive> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: (f) => MEMBERS.includes(f.name) });
  } catch (e) {
    throw new LrpKerasError(`${fileName}: not a readable zip file (${(e as Error).message})`);
  }
  const config = json(members['config.json'], 'config.json', fileName);
  if (!config) throw new LrpKerasError(`${fileName}: a zip file without config.json, not a .keras model`);
  const metadata = json(members['metadata.json'], 'metadata.json', fileName);
  const weightsBytes = members['model.weights.h5'];
  if (!weightsBytes) throw new LrpKerasError(`${fileName}: the .keras file has no model.weights.h5`);

  const file = await reader.open(weightsBytes, `${fileName}/model.weights.h5`);
  try {
    const groups = layerGroups(file.root);
    const layers = configLayers(config).filter((l) => l.className !== 'InputLayer');
    const byName = new Map<string, WeightTensor[]>();
    const claimed = new Set<string>();
    // Keras ≥ 3.6 writes each layer's real name on its vars group; older files are matched by class and order.
    for (const [path, group] of groups) {
      const name = group.get('vars')?.kind === 'group' ? (group.get('vars') as H5Group).attr('name') : undefined;
      if (typeof name === 'string') {
        byName.set(name, vars(group, path, fileName));
        claimed.add(path);
      }
    }
    const counts = new Map<string, number>();
    for (const layer of layers) {
      const snake = toSnakeCase(layer.className);
      const count = counts.get(snake) ?? 0;
      counts.set(snake, count + 1);
      if (byName.has(layer.name)) continue;
      const path = `layers/${count ? `${snake}_${count}` : snake}`;
      const group = groups.get(path);
      if (group && !claimed.has(path)) {
        byName.set(layer.name, vars(group, path, fileName));
        claimed.add(path);
      }
    }
    for (const [path, group] of groups) {
      if (!claimed.has(path) && vars(group, path, fileName).length > 0) {
        throw new LrpKerasError(`${fileName}: weights at ${path} match no layer of config.json`);
      }
    }
    return {
      fileName,
      config,
      kerasVersion: typeof metadata?.keras_version === 'string' ? metadata.keras_version : undefined,
      groups: byName,
    };
  } finally {
    file.close();
  }
}

/** The top-level layer list of a `.keras` config (nested models are named by their own group). */
function configLayers(config: Record<string, unknown>): { name: string; className: string }[] {
  const inner = config.config as { layers?: unknown } | unknown[] | undefined;
  const list = Array.isArray(inner) ? inner : Array.isArray((inner as { layers?: unknown })?.layers) ? (inner as { layers: unknown[] }).layers : [];
  return list.flatMap((entry) => {
    const e = entry as { class_name?: unknown; config?: { name?: unknown }; name?: unknown };
    const name = e?.config?.name ?? e?.name;
    return typeof e?.class_name === 'string' && typeof name === 'string' ? [{ name, className: e.class_name }] : [];
  });
}
