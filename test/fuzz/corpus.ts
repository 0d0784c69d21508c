// The seed files the fuzzer mutates: every model file in test/fixtures (the team's fixtures, the
// Keras 3 pairs, and the MIT/Apache/BSD corpus files copied there), with the architecture sidecar
// of weights-only files, the config text (for config mutations) and the structure maps.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pureReader } from '../../src/io/hdf5-pure/index.js';
import { fixturePath } from '../fixtures.js';
import { memberOf, KERAS_MEMBERS, type KerasMember } from './mutate.js';
import { mapOf, type FileMap } from './structure.js';

export interface Seed {
  /** `dir/file` under test/fixtures. */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly kind: 'hdf5' | 'zip';
  readonly map: FileMap;
  /** `options.config` for weights-only files that come with a `.arch.json` sidecar. */
  readonly sidecar?: string;
  /** The model config as text (model_config, config.json or the sidecar), for config mutations. */
  readonly configText?: string;
  /** For .keras zips: the members the fuzzer mutates inside an otherwise valid zip. */
  readonly members?: Partial<Record<KerasMember, { bytes: Uint8Array; map: FileMap }>>;
}

export const SEED_DIRS = ['models', 'keras3', 'corpus'];

/** Every seed, in a stable order; `filter` picks by name. */
export async function loadSeeds(filter: (name: string) => boolean = () => true): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const dir of SEED_DIRS) {
    for (const file of readdirSync(fixturePath(dir)).sort()) {
      if (!/\.(h5|hdf5|h5f|keras)$/.test(file) || !filter(`${dir}/${file}`)) continue;
      seeds.push(await seedOf(`${dir}/${file}`, join(fixturePath(dir), file)));
    }
  }
  return seeds;
}

async function seedOf(name: string, path: string): Promise<Seed> {
  const bytes = new Uint8Array(readFileSync(path));
  const kind = bytes[0] === 0x50 ? 'zip' : 'hdf5';
  const sidecarPath = path.replace(/\.[^.]+$/, '.arch.json');
  const sidecar = existsSync(sidecarPath) ? readFileSync(sidecarPath, 'utf8') : undefined;
  if (kind === 'zip') {
    const members: Seed['members'] = {};
    for (const member of KERAS_MEMBERS) {
      const data = memberOf(bytes, member);
      if (data) members[member] = { bytes: data, map: mapOf(data) };
    }
    const config = members['config.json'];
    return { name, bytes, kind, map: mapOf(bytes), members, configText: config && new TextDecoder().decode(config.bytes) };
  }
  const file = await pureReader.open(bytes, name);
  const stored = file.root.attr('model_config');
  file.close();
  return { name, bytes, kind, map: mapOf(bytes), sidecar, configText: typeof stored === 'string' ? stored : sidecar };
}
