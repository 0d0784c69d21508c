// Hostile model configs: field values swapped for absurd ones, fields deleted, layers renamed to
// prototype keys or to each other's names, inbound references shuffled into cycles and dangling
// names, layers duplicated or dropped, and text that is not JSON. Mutations are plain data.
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = (string | number)[];

/** Values no config field should be trusted with (objects are parsed JSON, so `__proto__` is an own key). */
export const HOSTILE_VALUES: readonly (() => unknown)[] = [
  () => 0,
  () => -1,
  () => 1e9,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => -0,
  () => 2.5,
  () => 2 ** 53,
  () => 2 ** 24,
  () => 1e300,
  () => '',
  () => 'x',
  () => '__proto__',
  () => 'constructor',
  () => 'channels_first',
  () => 'same',
  () => 'relu',
  () => null,
  () => true,
  () => false,
  () => [],
  () => [0],
  () => [1e9, 1e9],
  () => [-1, -1],
  () => [null, 3],
  () => [[1]],
  () => ({}),
  () => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'),
  () => JSON.parse('{"class_name": "Dense", "config": {"name": "__proto__"}}'),
];

export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', ''];

export type ConfigMutation =
  | { readonly op: 'set'; readonly path: Path; readonly value: number }
  | { readonly op: 'delete'; readonly path: Path }
  /** Rename a layer; `everywhere` also renames every reference to it (inbound nodes, endpoints). */
  | { readonly op: 'rename'; readonly layer: number; readonly name: string; readonly everywhere: boolean }
  /** Make a layer read `ref` (itself, a later layer, a missing name, a prototype key). */
  | { readonly op: 'inbound'; readonly layer: number; readonly ref: string }
  /** Swap the inbound nodes of two layers. */
  | { readonly op: 'shuffle'; readonly a: number; readonly b: number }
  | { readonly op: 'duplicate'; readonly layer: number }
  | { readonly op: 'remove'; readonly layer: number };

/** The layer lists of a config (the outer model's and every nested model's), as paths. */
export function layerLists(config: Json): Path[] {
  const lists: Path[] = [];
  const visit = (node: Json, path: Path): void => {
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, [...path, i]));
    else if (node && typeof node === 'object') {
      const inner = node.config;
      if (typeof node.class_name === 'string' && ['Sequential', 'Functional', 'Model'].includes(node.class_name)) {
        if (Array.isArray(inner)) lists.push([...path, 'config']);
        else if (inner && typeof inner === 'object' && !Array.isArray(inner) && Array.isArray(inner.layers))
          lists.push([...path, 'config', 'layers']);
      }
      for (const [key, child] of Object.entries(node)) visit(child, [...path, key]);
    }
  };
  visit(config, []);
  return lists;
}

/** Every path into the config (containers and leaves), at most `limit` of them, layer fields first. */
export function allPaths(config: Json, limit = 4000): Path[] {
  const paths: Path[] = [];
  const visit = (node: Json, path: Path): void => {
    if (paths.length >= limit) return;
    if (path.length) paths.push(path);
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, [...path, i]));
    else if (node && typeof node === 'object') for (const [key, child] of Object.entries(node)) visit(child, [...path, key]);
  };
  visit(config, []);
  return paths;
}

function at(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Object.hasOwn(node as object, key) ? (node as Record<string, Json>)[key] : undefined;
  }
  return node;
}

/** Set an own property, never a prototype (assigning to `__proto__` would change the object's prototype). */
function define(parent: object, key: string | number, value: unknown): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function layersOf(root: Json): Json[] {
  const list = layerLists(root)[0];
  const layers = list && at(root, list);
  return Array.isArray(layers) ? layers : [];
}

const layerName = (layer: Json): string | undefined => {
  if (!layer || typeof layer !== 'object' || Array.isArray(layer)) return undefined;
  const config = layer.config;
  const name = config && typeof config === 'object' && !Array.isArray(config) ? config.name : undefined;
  return typeof name === 'string' ? name : typeof layer.name === 'string' ? layer.name : undefined;
};

function renameEverywhere(node: Json, from: string, to: string): Json {
  if (node === from) return to;
  if (Array.isArray(node)) return node.map((child) => renameEverywhere(child, from, to));
  if (node && typeof node === 'object') {
    const out = {};
    for (const [key, child] of Object.entries(node)) define(out, key, renameEverywhere(child, from, to));
    return out as Json;
  }
  return node;
}

/** Apply mutations to a fresh copy of the config text's JSON. */
export function applyConfigMutations(text: string, mutations: readonly ConfigMutation[]): Json {
  let root = JSON.parse(text) as Json;
  for (const m of mutations) {
    const layers = layersOf(root);
    const pick = (i: number): Json | undefined => (layers.length ? layers[i % layers.length] : undefined);
    switch (m.op) {
      case 'set': {
        const parent = at(root, m.path.slice(0, -1));
        if (parent && typeof parent === 'object')
          define(parent, m.path[m.path.length - 1], HOSTILE_VALUES[m.value % HOSTILE_VALUES.length]());
        break;
      }
      case 'delete': {
        const parent = at(root, m.path.slice(0, -1));
        const key = m.path[m.path.length - 1];
        if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
        else if (parent && typeof parent === 'object') delete (parent as Record<string, Json>)[key];
        break;
      }
      case 'rename': {
        const layer = pick(m.layer);
        const old = layerName(layer ?? null);
        if (old === undefined || !layer || typeof layer !== 'object' || Array.isArray(layer)) break;
        if (m.everywhere) root = renameEverywhere(root, old, m.name);
        else if (layer.config && typeof layer.config === 'object') define(layer.config, 'name', m.name);
        break;
      }
      case 'inbound': {
        const layer = pick(m.layer);
        if (layer && typeof layer === 'object' && !Array.isArray(layer)) define(layer, 'inbound_nodes', [[[m.ref, 0, 0, {}]]]);
        break;
      }
      case 'shuffle': {
        const a = pick(m.a);
        const b = pick(m.b);
        if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
          const inbound = a.inbound_nodes;
          define(a, 'inbound_nodes', b.inbound_nodes);
          define(b, 'inbound_nodes', inbound);
        }
        break;
      }
      case 'duplicate':
        if (layers.length) layers.splice(m.layer % layers.length, 0, JSON.parse(JSON.stringify(pick(m.layer))));
        break;
      case 'remove':
        if (layers.length) layers.splice(m.layer % layers.length, 1);
        break;
    }
  }
  return root;
}

/** One mutation of the config whose text is given; names come from its layers so that references can collide. */
export function configMutationArb(text: string): fc.Arbitrary<ConfigMutation> {
  const root = JSON.parse(text) as Json;
  const paths = allPaths(root);
  // Layer fields (units, filters, kernel_size, strides, shapes, names, inbound nodes) are what matter most.
  const layerPaths = paths.filter((p) => p.some((k) => k === 'layers' || k === 'config') && p.length >= 3);
  const names = layersOf(root)
    .map(layerName)
    .filter((n): n is string => n !== undefined);
  const pathArb = layerPaths.length
    ? fc.oneof({ arbitrary: fc.constantFrom(...layerPaths), weight: 4 }, { arbitrary: fc.constantFrom(...paths), weight: 1 })
    : fc.constantFrom(...paths);
  const layer = fc.nat({ max: 1000 });
  const refs = fc.constantFrom(...PROTOTYPE_NAMES, 'missing_layer', ...(names.length ? names : ['x']));
  return fc.oneof(
    {
      arbitrary: fc.record({ op: fc.constant('set' as const), path: pathArb, value: fc.nat({ max: HOSTILE_VALUES.length - 1 }) }),
      weight: 6,
    },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), path: pathArb }), weight: 3 },
    {
      arbitrary: fc.record({
        op: fc.constant('rename' as const),
        layer,
        name: fc.constantFrom(...PROTOTYPE_NAMES, ...names.slice(0, 8)),
        everywhere: fc.boolean(),
      }),
      weight: 2,
    },
    { arbitrary: fc.record({ op: fc.constant('inbound' as const), layer, ref: refs }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('shuffle' as const), a: layer, b: layer }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('duplicate' as const), layer }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('remove' as const), layer }), weight: 1 },
  );
}

export const describeConfigMutation = (m: ConfigMutation): string => {
  switch (m.op) {
    case 'set':
      return `set ${m.path.join('.')} to ${String(HOSTILE_VALUES[m.value % HOSTILE_VALUES.length]()).slice(0, 40) || "''"}`;
    case 'delete':
      return `delete ${m.path.join('.')}`;
    case 'rename':
      return `rename layer #${m.layer} to '${m.name}'${m.everywhere ? ' everywhere' : ''}`;
    case 'inbound':
      return `layer #${m.layer} reads '${m.ref}'`;
    case 'shuffle':
      return `swap the inbound nodes of layers #${m.a} and #${m.b}`;
    case 'duplicate':
      return `duplicate layer #${m.layer}`;
    case 'remove':
      return `remove layer #${m.layer}`;
  }
};
