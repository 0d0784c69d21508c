import { fail, LrpKerasError } from '../errors.js';
import type { H5Group, H5Reader } from './hdf5.js';
import type { KerasArchive, WeightTensor } from './keras-h5.js';
import type { Limits } from './limits.js';

const MEMBERS = ['config.json', 'metadata.json', 'model.weights.h5'];

/** Keras' `to_snake_case`, which names the weight groups of a `.keras` file after layer classes. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
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
 * A group by path parts. tf.keras 2.15 and Keras 3 < 3.7 on Windows wrote `layers\\dense` as one
 * group name, so every split of the path into a backslash-joined head and a slash-joined tail is tried.
 */
function resolveGroup(root: H5Group, parts: string[]): H5Group | undefined {
  for (let k = 1; k <= parts.length; k++) {
    const head = parts.slice(0, k).join('\\');
    const node = root.get([head, ...parts.slice(k)].join('/'));
    if (node?.kind === 'group') return node;
  }
  return undefined;
}

/** The `layers` container of a model group: `layers`, or tf.keras 2.13's `_layer_checkpoint_dependencies`. */
const LAYER_CONTAINERS = ['layers', '_layer_checkpoint_dependencies'];

interface ConfigEntry {
  name: string;
  className: string;
  layers?: ConfigEntry[];
}

const MAX_SUBLAYER_DEPTH = 8;

/** Keras' `_name_key`: public attributes first, then private ones, each alphabetically. */
const attributeOrder = (a: string, b: string): number => {
  const key = (k: string): string => (k.startsWith('_') ? `~${k}` : k);
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
};

/**
 * A layer's variables: its own `vars`, then those of the sublayers it holds as attributes (an LSTM's
 * `cell`, a MultiHeadAttention's `query_dense`, a Bidirectional's `forward_layer`), depth first in
 * the order Keras walks attributes. Each weight keeps its path, which tells the sublayers apart.
 */
function layerVars(root: H5Group, path: string[], fileName: string, claimed: Set<string>, depth = 0): WeightTensor[] {
  // Sublayers nest a few levels (Bidirectional → LSTM → cell); deeper is a file whose groups link back to their ancestors.
  if (depth > MAX_SUBLAYER_DEPTH)
    fail(
      `${fileName}: model.weights.h5 nests sublayers deeper than ${MAX_SUBLAYER_DEPTH} levels at ${path.slice(0, 8).join('/')}/…, or has groups that contain themselves (corrupt)`,
    );
  const group = resolveGroup(root, path);
  if (!group) return [];
  claimed.add(path.join('/'));
  const own = group.get('vars');
  const children = group
    .keys()
    .filter((k) => k !== 'vars' && k !== '' && group.get(k)?.kind === 'group')
    .sort(attributeOrder);
  return [
    ...(own?.kind === 'group' ? vars(own, path.join('/'), fileName) : []),
    ...children.flatMap((k) => layerVars(root, [...path, k], fileName, claimed, depth + 1)),
  ];
}

/** The groups of one container of a model group (`layers`, or tf.keras 2.13's `_layer_checkpoint_dependencies`), by key. */
function containerGroups(root: H5Group, base: string[]): { path: string[]; key: string; name: unknown }[] {
  for (const container of LAYER_CONTAINERS) {
    const group = resolveGroup(root, [...base, container]);
    if (!group) continue;
    return group
      .keys()
      .filter((k) => k !== '')
      .map((key) => {
        const varsGroup = resolveGroup(root, [...base, container, key, 'vars']);
        return { path: [...base, container, key], key, name: varsGroup?.attr('name') };
      });
  }
  // Windows zips of tf.keras 2.15 and Keras 3 < 3.7 store `layers\dense` as one root group name.
  const prefix = `${[...base, 'layers'].join('\\')}\\`;
  return root
    .keys()
    .filter((k) => k.startsWith(prefix))
    .map((key) => ({ path: [...base, 'layers', key.slice(prefix.length)], key: key.slice(prefix.length), name: undefined }));
}

/**
 * Match config layers to their weight groups as Keras' saver named them. Keras ≥ 3.6 writes each
 * layer's real name on its `vars` group: that decides. Older files name a group after its class,
 * `<snake_case class>` with `_1`, `_2`, … counted per class over the parent model's `layers`, in
 * that list's order (the config's, operation nodes excepted: they are not layers and hold no
 * variables). Nested models recurse into their own group.
 */
function matchLayers(
  root: H5Group,
  entries: ConfigEntry[],
  base: string[],
  fileName: string,
  out: Map<string, WeightTensor[]>,
  claimed: Set<string>,
): void {
  const groups = containerGroups(root, base);
  const byName = new Map(groups.filter((g) => typeof g.name === 'string').map((g) => [g.name as string, g]));
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const snake = toSnakeCase(entry.className);
    const count = counts.get(snake) ?? 0;
    counts.set(snake, count + 1);
    const keyed = byKey.get(count ? `${snake}_${count}` : snake);
    const found = byName.get(entry.name) ?? (keyed?.name === undefined ? keyed : undefined);
    if (!found) continue;
    if (entry.layers) matchLayers(root, entry.layers, found.path, fileName, out, claimed);
    else out.set(entry.name, layerVars(root, found.path, fileName, claimed));
  }
}

/**
 * Groups the walk below may visit per layer of config.json: Keras writes a group and a `vars` group
 * per layer, a few more for layers with sublayers. A corrupt file whose groups link back to their
 * ancestors (hard links may form cycles) would otherwise branch without end.
 */
const GROUPS_PER_LAYER = 16;

/** Every `vars` group, by normalised path (backslashes read as slashes), to report weights that matched no layer. */
function allVarGroups(
  group: H5Group,
  path: string[],
  found: [string, H5Group][],
  fileName: string,
  budget: { groups: number; limit: number },
  depth = 0,
): void {
  if (depth > 32) return;
  for (const key of group.keys()) {
    // '' names the group itself: the budget would end that loop too, but it is never a layer.
    if (key === '') continue;
    const child = group.get(key);
    if (child?.kind !== 'group') continue;
    if (--budget.groups < 0)
      throw new LrpKerasError(
        `${fileName}: model.weights.h5 has more than ${budget.limit} groups for the layers of config.json, or groups that contain themselves (corrupt)`,
      );
    const parts = key.split('\\');
    if (key === 'vars' && path.length > 0) found.push([path.join('/'), child]);
    else if (!['optimizer', 'metrics'].includes(parts[0]) && !(path.length === 0 && key === 'vars'))
      allVarGroups(child, [...path, ...parts], found, fileName, budget, depth + 1);
  }
}

function vars(varsGroup: H5Group, path: string, fileName: string): WeightTensor[] {
  const indices = varsGroup
    .keys()
    .filter((k) => /^\d+$/.test(k))
    .map(Number)
    .sort((a, b) => a - b);
  return indices.map((i) => {
    const dataset = varsGroup.get(String(i));
    if (dataset?.kind !== 'dataset') throw new LrpKerasError(`${fileName}: ${path}/vars/${i} is not a dataset`);
    return { name: `${path}/vars/${i}`, shape: dataset.shape, dtype: dataset.dtype, data: dataset.readFloat32() };
  });
}

/**
 * Decide, before inflating anything, whether to read a member: only the three Keras members, and
 * never one whose name escapes the archive or whose declared size is absurd (zip bombs).
 */
function checkedMember(
  f: { name: string; size: number; originalSize: number; compression: number },
  fileName: string,
  limits: Limits,
): boolean {
  if (f.name.startsWith('/') || f.name.split(/[\\/]/).includes('..')) {
    throw new LrpKerasError(`${fileName}: zip entry '${f.name}' points outside the archive`);
  }
  if (!MEMBERS.includes(f.name)) return false;
  if (f.originalSize > limits.maxZipEntryBytes) {
    throw new LrpKerasError(
      `${fileName}: zip entry ${f.name} declares ${f.originalSize} bytes, over the limit of ${limits.maxZipEntryBytes} (limits.maxZipEntryBytes)`,
    );
  }
  const ratio = f.compression === 0 ? 1 : limits.maxZipRatio;
  if (f.originalSize > ratio * Math.max(f.size, 1) + (f.compression === 0 ? 0 : 1 << 10)) {
    throw new LrpKerasError(
      `${fileName}: zip entry ${f.name} inflates ${f.size} bytes to ${f.originalSize}, a ratio over ${limits.maxZipRatio} (limits.maxZipRatio)`,
    );
  }
  return true;
}

/** Read a `.keras` zip (Keras 3, tf.keras 2.12–2.15): config.json, metadata.json and model.weights.h5. */
export async function readKerasZip(bytes: Uint8Array, fileName: string, reader: H5Reader, limits: Limits): Promise<KerasArchive> {
  const { unzipSync } = await import('./unzip.js');
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: (f) => checkedMember(f, fileName, limits) });
  } catch (e) {
    if (e instanceof LrpKerasError) throw e;
    throw new LrpKerasError(`${fileName}: not a readable zip file (${(e as Error).message})`);
  }
  const config = json(members['config.json'], 'config.json', fileName);
  if (!config) throw new LrpKerasError(`${fileName}: a zip file without config.json, not a .keras model`);
  const metadata = json(members['metadata.json'], 'metadata.json', fileName);
  const weightsBytes = members['model.weights.h5'];
  if (!weightsBytes) throw new LrpKerasError(`${fileName}: the .keras file has no model.weights.h5`);

  const file = await reader.open(weightsBytes, `${fileName}/model.weights.h5`);
  try {
    const groups = new Map<string, WeightTensor[]>();
    const claimed = new Set<string>();
    const layers = configLayers(config);
    matchLayers(file.root, layers, [], fileName, groups, claimed);
    const stored: [string, H5Group][] = [];
    const limit = 64 + GROUPS_PER_LAYER * countLayers(layers);
    allVarGroups(file.root, [], stored, fileName, { groups: limit, limit });
    const unmatched = stored
      .filter(([path, group]) => !claimed.has(path) && group.keys().length > 0)
      .map(([path, group]) => {
        const name = group.attr('name');
        return `weights at ${path}${typeof name === 'string' ? ` (layer '${name}')` : ''} match no layer of config.json`;
      });
    return {
      fileName,
      config,
      unmatched,
      kerasVersion: typeof metadata?.keras_version === 'string' ? metadata.keras_version : undefined,
      groups,
    };
  } finally {
    file.close();
  }
}

const countLayers = (entries: ConfigEntry[]): number => entries.reduce((n, e) => n + 1 + (e.layers ? countLayers(e.layers) : 0), 0);

/** The layer tree of a `.keras` config: names, classes, and nested models' own layers. */
function configLayers(config: unknown): ConfigEntry[] {
  const inner = (config as { config?: unknown })?.config;
  const list = Array.isArray(inner)
    ? inner
    : Array.isArray((inner as { layers?: unknown })?.layers)
      ? (inner as { layers: unknown[] }).layers
      : [];
  return list.flatMap((entry) => {
    const e = entry as { class_name?: unknown; config?: { name?: unknown }; name?: unknown; module?: unknown };
    const name = e?.config?.name ?? e?.name;
    // Keras 3 operation nodes (`keras.src.ops…`) are not in the model's `layers`, so Keras counts no name for them.
    const operation = typeof e?.module === 'string' && e.module.startsWith('keras.src.ops');
    if (typeof e?.class_name !== 'string' || typeof name !== 'string' || operation) return [];
    const nested = ['Sequential', 'Functional', 'Model'].includes(e.class_name) ? configLayers(e) : undefined;
    return [{ name, className: e.class_name, layers: nested }];
  });
}
