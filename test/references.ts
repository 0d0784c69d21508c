// Reference JSONs (Zennit, float64, stored as float32) and the models they were computed from.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fixturePath, repoRoot, skipTest } from './fixtures.js';

export interface RefTensor {
  shape: number[];
  data: Float32Array;
}
export interface Reference {
  name: string;
  modelPath: string;
  /** Architecture for weights-only files (a `.arch.json` sidecar next to the model). */
  configPath?: string;
  json: {
    model_file: string;
    input: unknown;
    logits: unknown;
    target: number[];
    omitted_methods?: Record<string, string>;
    batchnorm_merges?: [string, string][];
    attributions: Record<string, { relevance: unknown; float32_deviation: number[] }>;
  };
  input: RefTensor;
  logits: RefTensor;
  relevance(key: string): RefTensor;
}

/** A little-endian float32 `.npy` array (the references' arrays). */
export function readNpy(path: string): RefTensor {
  const buf = readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  if (!header.includes("'<f4'")) throw new Error(`${path}: expected little-endian float32`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const start = 10 + headerLen;
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return { shape, data };
}

function tensorOf(value: unknown, dir: string): RefTensor {
  const v = value as { shape: number[]; data?: number[]; npy?: string };
  if (v.npy) return readNpy(join(dir, v.npy));
  return { shape: v.shape, data: Float32Array.from(v.data ?? []) };
}

function loadReference(jsonPath: string, modelDirs: string[]): Reference | undefined {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  if (!json.attributions || !json.model_file) return undefined;
  const modelName = basename(json.model_file);
  const modelDir = modelDirs.find((d) => existsSync(join(d, modelName)));
  // A reference without its model would go unchecked: say so, as a skip, so the count shows it.
  if (!modelDir) {
    skipTest(`reference ${basename(jsonPath)}: its model ${modelName} is in none of ${modelDirs.join(', ')}`);
    return undefined;
  }
  const sidecar = join(modelDir, modelName.replace(/\.[^.]+$/, '.arch.json'));
  const dir = dirname(jsonPath);
  return {
    name: basename(jsonPath, '.json'),
    modelPath: join(modelDir, modelName),
    configPath: existsSync(sidecar) ? sidecar : undefined,
    json,
    input: tensorOf(json.input, dir),
    logits: tensorOf(json.logits, dir),
    relevance: (key) => tensorOf(json.attributions[key].relevance, dir),
  };
}

/**
 * Every reference with its model: from ../shared when present (it holds more than the copies),
 * else from test/fixtures. A reference whose model file is not available is reported as a skip.
 */
export function allReferences(): Reference[] {
  const shared = resolve(repoRoot, '../shared');
  const sets: [string, string[]][] = existsSync(shared)
    ? [
        [join(shared, 'fixtures/reference'), [join(shared, 'fixtures/models')]],
        [join(shared, 'fixtures/keras3/reference'), [join(shared, 'fixtures/keras3')]],
        [join(shared, 'keras-corpus/reference'), [join(shared, 'keras-corpus')]],
      ]
    : [
        [fixturePath('reference'), [fixturePath('models')]],
        [fixturePath('keras3/reference'), [fixturePath('keras3')]],
        [fixturePath('corpus/reference'), [fixturePath('corpus')]],
      ];
  if (!existsSync(shared)) console.log('  note: ../shared is absent; reference tests use the copies in test/fixtures');
  const refs: Reference[] = [];
  for (const [dir, modelDirs] of sets) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'index.json')
      .sort()) {
      const ref = loadReference(join(dir, file), modelDirs);
      if (ref) refs.push(ref);
    }
  }
  return refs;
}

/** max |a − b| over one sample, and max |b| over it. */
export function sampleError(a: Float32Array, b: Float32Array, sample: number, size: number): { err: number; scale: number } {
  let err = 0;
  let scale = 0;
  for (let i = sample * size; i < (sample + 1) * size; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { err, scale };
}
