// Writes small Keras files for tests (legacy h5 and .keras zips) with h5wasm, in Keras' own layouts.
import h5wasm from 'h5wasm';
import { zipSync, strToU8 } from 'fflate';

export interface StoredWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}
let counter = 0;

export async function writeH5(build: (root: InstanceType<typeof h5wasm.File>) => void): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const path = `/test-writer-${counter++}.h5`;
  const file = new h5wasm.File(path, 'w');
  build(file);
  file.close();
  const bytes = FS!.readFile(path);
  FS!.unlink(path);
  return bytes;
}

/** `model.save('x.h5')` layout: model_config, model_weights/<layer>/<weight name>, layer_names, weight_names. */
export function legacyH5(config: object, groups: Record<string, StoredWeight[]>, kerasVersion = '2.11.0'): Promise<Uint8Array> {
  return writeH5((root) => {
    root.create_attribute('model_config', JSON.stringify(config));
    root.create_attribute('keras_version', kerasVersion);
    root.create_attribute('backend', 'tensorflow');
    const mw = root.create_group('model_weights');
    mw.create_attribute('layer_names', Object.keys(groups));
    for (const [layer, weights] of Object.entries(groups)) {
      const g = mw.create_group(layer);
      g.create_attribute('weight_names', weights.length ? weights.map((w) => w.name) : new Float64Array(0));
      for (const w of weights) {
        const parts = w.name.split('/');
        let parent = g;
        for (const part of parts.slice(0, -1)) parent = (parent.get(part) as typeof g | null) ?? parent.create_group(part);
        parent.create_dataset({ name: parts[parts.length - 1], data: w.data, shape: w.shape, dtype: '<f4' });
      }
    }
  });
}

/** `.keras` layout: config.json, metadata.json, model.weights.h5 with layers/<path>/vars/<i>. */
export async function kerasZip(
  config: object,
  vars: Record<string, { name?: string; weights: StoredWeight[] }>,
  kerasVersion = '3.15.1',
): Promise<Uint8Array> {
  const h5 = await writeH5((root) => {
    for (const [path, entry] of Object.entries(vars)) {
      let g = root as unknown as InstanceType<typeof h5wasm.Group>;
      for (const part of [...path.split('/'), 'vars']) g = (g.get(part) as typeof g | null) ?? g.create_group(part);
      if (entry.name) g.create_attribute('name', entry.name);
      entry.weights.forEach((w, i) => g.create_dataset({ name: String(i), data: w.data, shape: w.shape, dtype: '<f4' }));
    }
  });
  return zipSync(
    {
      'metadata.json': strToU8(JSON.stringify({ keras_version: kerasVersion })),
      'config.json': strToU8(JSON.stringify(config)),
      'model.weights.h5': h5,
    },
    { level: 0 },
  );
}
