import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import h5wasm from 'h5wasm';
import { uniformGenerator } from '../src/attribution/random.js';
import { LrpKerasError } from '../src/errors.js';
import type { H5Dataset, H5Group } from '../src/io/hdf5.js';
import { h5wasmReader } from '../src/io/h5wasm-reader.js';
import { pureReader } from '../src/io/hdf5-pure/index.js';
import { fixturePath, sharedPath } from './fixtures.js';

// --- Where the HDF5 files are ------------------------------------------------------------------

interface Sample {
  readonly name: string;
  readonly load: () => Uint8Array;
}

const SHARED_DIRS = ['fixtures/models', 'fixtures/keras3', 'keras-corpus', 'examples', 'bench-models'];
const FIXTURE_DIRS = ['models', 'keras3', 'corpus'];

const isHdf5 = (b: Uint8Array): boolean => b[0] === 0x89 && b[1] === 0x48 && b[2] === 0x44 && b[3] === 0x46;
const isZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Every HDF5 file in `dir` (by magic bytes, whatever the extension), and the h5 inside each zip. */
function samplesIn(dir: string, label: string): Sample[] {
  const samples: Sample[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (!statSync(path).isFile()) continue;
    const head = readFileSync(path).subarray(0, 4);
    const name = `${label}/${entry}`;
    if (isHdf5(head)) samples.push({ name, load: () => new Uint8Array(readFileSync(path)) });
    if (isZip(head)) {
      for (const member of Object.keys(unzipSync(readFileSync(path))).filter((m) => m.endsWith('.h5'))) {
        samples.push({ name: `${name}!${member}`, load: () => unzipSync(readFileSync(path))[member] });
      }
    }
  }
  return samples;
}

const sharedSamples = SHARED_DIRS.flatMap((dir) => {
  const path = sharedPath(dir);
  return path ? samplesIn(path, `shared/${dir}`) : [];
});
const fixtureSamples = FIXTURE_DIRS.flatMap((dir) => samplesIn(fixturePath(dir), `fixtures/${dir}`));

// --- Files written by h5wasm, for the HDF5 features Keras never uses ---------------------------

const { FS } = await h5wasm.ready;
let synthId = 0;

/** Write a file with the HDF5 library itself (through h5wasm) and return its bytes. */
function writeWithHdf5(
  options: { libver?: 'latest' | ['earliest', 'latest']; track_order?: boolean },
  build: (file: InstanceType<typeof h5wasm.File>) => void,
): Uint8Array {
  const path = `/pure-test-${synthId++}.h5`;
  const file = new h5wasm.File(path, 'w', options);
  build(file);
  file.close();
  const bytes = FS!.readFile(path);
  FS!.unlink(path);
  return bytes;
}

/** Attributes of every kind, compact and dense groups, links, and each chunk index we support. */
function richContent(file: InstanceType<typeof h5wasm.File>): void {
  file.create_attribute('vlen', 'hello wörld');
  file.create_attribute('vlens', ['a', 'bb', '']);
  file.create_attribute('utf8_fixed', ['abc', 'dé'], [2], 'S5');
  file.create_attribute('ascii_fixed', ['abc', 'de'], [2], 'A5');
  file.create_attribute('f64', [1.5, -2.5e-300]);
  file.create_attribute('i8', new Int8Array([-128, 127]));
  file.create_attribute('u16', new Uint16Array([65535, 2]));
  file.create_attribute('i64', new BigInt64Array([-5n, 1n << 60n]));
  file.create_attribute('u64', new BigUint64Array([(1n << 64n) - 1n]));
  file.create_attribute('scalar', 7);
  file.create_attribute('empty', new Float64Array(0), [0]);
  const data = file.create_group('data');
  data.create_dataset({ name: 'contiguous', data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] });
  data.create_dataset({
    name: 'chunked3d',
    data: Float32Array.from({ length: 210 }, (_, i) => i / 3),
    shape: [5, 6, 7],
    chunks: [2, 4, 3],
  });
  data.create_dataset({ name: 'single_chunk', data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [3, 4], chunks: [3, 4] });
  data.create_dataset({ name: 'many_chunks', data: Float64Array.from({ length: 3000 }, (_, i) => i * 0.1), shape: [3000], chunks: [2] });
  data.create_dataset({ name: 'f64', data: new Float64Array([0.1, 1e300, -0]), shape: [3] });
  data.create_dataset({ name: 'i16', data: new Int16Array([-300, 300]), shape: [2] });
  data.create_dataset({ name: 'u8', data: new Uint8Array([255, 1]), shape: [2] });
  data.create_dataset({ name: 'i64_scalar', data: new BigInt64Array([123456789012345678n]), shape: [] });
  data.create_dataset({ name: 'strings', data: ['x', 'yy'], shape: [2] });
  const many = file.create_group('many');
  for (let i = 0; i < 300; i++) many.create_group(`member_with_a_long_name_${(i * 7) % 300}`);
  const attrs = file.create_group('attrs');
  for (let i = 0; i < 40; i++) attrs.create_attribute(`a${(i * 3) % 40}`, [i, i + 0.5]);
  file.create_soft_link('/data/contiguous', 'soft');
  file.create_hard_link('/data', 'hard');
}

const synthSamples: Sample[] = [
  {
    name: 'h5wasm libver earliest (superblock v0, v1 headers)',
    load: () => writeWithHdf5({ libver: ['earliest', 'latest'] }, richContent),
  },
  { name: 'h5wasm default (superblock v2, v2 headers)', load: () => writeWithHdf5({}, richContent) },
  { name: 'h5wasm libver latest (superblock v3, layout v4)', load: () => writeWithHdf5({ libver: 'latest' }, richContent) },
  { name: 'h5wasm creation order tracked', load: () => writeWithHdf5({ libver: 'latest', track_order: true }, richContent) },
];

// --- Walking both readers in lockstep ----------------------------------------------------------

const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length &&
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function throwsLrpKerasError(read: () => unknown): boolean {
  try {
    read();
    return false;
  } catch (e) {
    return e instanceof LrpKerasError;
  }
}

interface Counts {
  groups: number;
  datasets: number;
  attributes: number;
  values: number;
}

function compareGroups(expected: H5Group, actual: H5Group, path: string, counts: Counts): void {
  counts.groups++;
  assert.equal(actual.keys(), expected.keys(), `members of ${path}`);
  assert.equal(actual.attrNames(), expected.attrNames(), `attribute names of ${path}`);
  for (const name of expected.attrNames()) {
    assert.equal(actual.attr(name), expected.attr(name), `attribute ${name} of ${path}`);
    counts.attributes++;
  }
  for (const key of expected.keys()) {
    const want = expected.get(key);
    const got = actual.get(key);
    const where = `${path === '/' ? '' : path}/${key}`;
    assert.is(got?.kind, want?.kind, `kind of ${where}`);
    if (want?.kind === 'group') compareGroups(want, got as H5Group, where, counts);
    if (want?.kind === 'dataset') compareDatasets(want, got as H5Dataset, where, counts);
  }
}

function compareDatasets(expected: H5Dataset, actual: H5Dataset, path: string, counts: Counts): void {
  counts.datasets++;
  assert.equal(actual.shape, expected.shape, `shape of ${path}`);
  assert.is(actual.dtype, expected.dtype, `dtype of ${path}`);
  if (expected.dtype === 'string' || expected.dtype === 'other') {
    assert.ok(
      throwsLrpKerasError(() => actual.readFloat32()),
      `${path} is not numeric and must say so`,
    );
    return;
  }
  const want = expected.readFloat32();
  const got = actual.readFloat32();
  assert.ok(sameBits(got, want), `values of ${path} (${got.length} vs ${want.length})`);
  counts.values += want.length;
}

async function compareReaders(sample: Sample): Promise<Counts> {
  const bytes = sample.load();
  const expected = await h5wasmReader.open(bytes, sample.name);
  const actual = await pureReader.open(bytes, sample.name);
  const counts = { groups: 0, datasets: 0, attributes: 0, values: 0 };
  try {
    compareGroups(expected.root, actual.root, '/', counts);
  } finally {
    expected.close();
    actual.close();
  }
  return counts;
}

const totals = { files: 0, groups: 0, datasets: 0, attributes: 0, values: 0 };
for (const sample of [...fixtureSamples, ...sharedSamples, ...synthSamples]) {
  test(`same tree as h5wasm: ${sample.name}`, async () => {
    const counts = await compareReaders(sample);
    totals.files++;
    for (const k of Object.keys(counts) as (keyof Counts)[]) totals[k] += counts[k];
  });
}

test('the comparison covered the files it should', () => {
  assert.ok(fixtureSamples.length >= 20, `only ${fixtureSamples.length} fixture files found`);
  assert.ok(
    fixtureSamples.some((s) => s.name.includes('.keras!')),
    'no h5 from a .keras zip',
  );
  console.log(
    `  compared ${totals.files} files: ${totals.groups} groups, ${totals.datasets} datasets, ${totals.attributes} attributes, ${totals.values} values`,
  );
});

// --- Behaviour of the H5Group interface ----------------------------------------------------------

test('paths, missing members, hard and soft links and closing behave like h5wasm-reader', async () => {
  const bytes = writeWithHdf5({}, richContent);
  const file = await pureReader.open(bytes, 'rich.h5');
  const root = file.root;
  assert.is(root.get('')?.kind, 'group');
  assert.is(root.get('data//contiguous/')?.kind, 'dataset');
  assert.is(root.get('data/contiguous/deeper'), undefined);
  assert.is(root.get('nope/contiguous'), undefined);
  assert.equal((root.get('soft') as H5Dataset).shape, [2, 3], 'soft links are followed');
  assert.ok(root.keys().includes('soft'));
  assert.equal((root.get('hard') as H5Group).keys(), (root.get('data') as H5Group).keys());
  assert.is(root.attr('missing'), undefined);
  file.close();
  file.close();
  assert.ok(
    throwsLrpKerasError(() => root.keys()),
    'a closed file refuses reads',
  );
});

test('filtered and extensible-array datasets give an LrpKerasError that says why', async () => {
  const bytes = writeWithHdf5({ libver: 'latest' }, (f) => {
    f.create_dataset({ name: 'gzip', data: new Float32Array(100), shape: [100], chunks: [10], compression: 'gzip' });
    f.create_dataset({ name: 'growable', data: new Float32Array(10), shape: [10], maxshape: [null], chunks: [4] });
  });
  const file = await pureReader.open(bytes, 'unsupported.h5');
  const gzip = file.root.get('gzip') as H5Dataset;
  assert.equal(gzip.shape, [100]);
  assert.throws(
    () => gzip.readFloat32(),
    (e: Error) => e instanceof LrpKerasError && /^unsupported\.h5: .*filtered/.test(e.message),
  );
  const growable = file.root.get('growable') as H5Dataset;
  assert.throws(
    () => growable.readFloat32(),
    (e: Error) => e instanceof LrpKerasError && /chunk index type 4/.test(e.message),
  );
});

/** Datatype messages of little-endian numbers, as HDF5 writes them, and the byte that holds the order bit. */
const LE_TYPES: Record<string, number[]> = {
  float32: [0x11, 0x20, 0x1f, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x17, 0x08, 0x00, 0x17],
  float64: [0x11, 0x20, 0x3f, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x34, 0x0b, 0x00, 0x34],
  int16: [0x10, 0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00],
  uint32: [0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00],
  int64: [0x10, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00],
};

/** Mark every datatype message of those types big-endian (bit 0 of the class bit field). */
function makeBigEndian(bytes: Uint8Array): number {
  let patched = 0;
  for (const pattern of Object.values(LE_TYPES)) {
    for (let i = 0; i + pattern.length <= bytes.length; i++) {
      if (pattern.every((b, j) => bytes[i + j] === b)) {
        bytes[i + 1] |= 0x01;
        patched++;
      }
    }
  }
  return patched;
}

test('big-endian integers and floats read like h5wasm reads them', async () => {
  // Store big-endian encodings as little-endian data, then flip the datatypes' order bit.
  const big = (size: number, values: number[], set: (v: DataView, at: number, x: number) => void): Uint8Array => {
    const view = new DataView(new ArrayBuffer(values.length * size));
    values.forEach((x, i) => set(view, i * size, x));
    return new Uint8Array(view.buffer);
  };
  const f32 = [1.5, -2.25e-3, 3e38, 0];
  const f64 = [0.1, -1e300, 5e-324];
  const i16 = [-300, 300, -32768];
  const u32 = [4294967295, 7];
  const i64 = [-5, 2 ** 53 - 1];
  const bytes = writeWithHdf5({ libver: ['earliest', 'latest'] }, (f) => {
    f.create_dataset({ name: 'f32', data: new Float32Array(big(4, f32, (v, at, x) => v.setFloat32(at, x, false)).buffer), shape: [4] });
    f.create_dataset({ name: 'f64', data: new Float64Array(big(8, f64, (v, at, x) => v.setFloat64(at, x, false)).buffer), shape: [3] });
    f.create_dataset({ name: 'i16', data: new Int16Array(big(2, i16, (v, at, x) => v.setInt16(at, x, false)).buffer), shape: [3] });
    f.create_dataset({ name: 'u32', data: new Uint32Array(big(4, u32, (v, at, x) => v.setUint32(at, x, false)).buffer), shape: [2] });
    f.create_dataset({
      name: 'i64',
      data: new BigInt64Array(big(8, i64, (v, at, x) => v.setBigInt64(at, BigInt(x), false)).buffer),
      shape: [2],
    });
    f.create_attribute('i16', new Int16Array(big(2, i16, (v, at, x) => v.setInt16(at, x, false)).buffer));
    f.create_attribute('f64', new Float64Array(big(8, f64, (v, at, x) => v.setFloat64(at, x, false)).buffer));
  });
  assert.is(makeBigEndian(bytes), 7);
  const sample = { name: 'big-endian.h5', load: () => bytes };
  await compareReaders(sample);
  const file = await pureReader.open(bytes, sample.name);
  const values = (name: string): number[] => Array.from((file.root.get(name) as H5Dataset).readFloat32());
  assert.equal(values('f32'), f32.map(Math.fround));
  assert.equal(values('f64'), f64.map(Math.fround));
  assert.equal(values('i16'), i16);
  assert.equal(values('u32'), u32.map(Math.fround));
  assert.equal(values('i64'), i64.map(Math.fround));
  assert.equal(file.root.attr('i16'), i16);
  assert.equal(file.root.attr('f64'), f64);
});

// --- Hostile input -------------------------------------------------------------------------------

async function expectLrpKerasError(bytes: Uint8Array, fileName: string, pattern: RegExp): Promise<void> {
  try {
    await pureReader.open(bytes, fileName);
    assert.unreachable('opened');
  } catch (e) {
    assert.instance(e, LrpKerasError);
    assert.ok((e as Error).message.startsWith(`${fileName}: `), (e as Error).message);
    assert.match((e as Error).message, pattern);
  }
}

test('a non-HDF5 buffer and an empty buffer are LrpKerasErrors naming the file', async () => {
  await expectLrpKerasError(new Uint8Array([1, 2, 3, 4]), 'junk.h5', /not an HDF5 file/);
  await expectLrpKerasError(new Uint8Array(0), 'empty.h5', /not an HDF5 file/);
  await expectLrpKerasError(new TextEncoder().encode('PK\x03\x04 a zip, not hdf5'), 'model.keras', /not an HDF5 file/);
});

const SIGNATURES = ['TREE', 'SNOD', 'HEAP', 'GCOL', 'OHDR', 'OCHK', 'BTHD', 'BTIN', 'BTLF', 'FRHP', 'FHIB', 'FHDB', 'FAHD', 'FADB'];

/** Offsets near HDF5 metadata: the superblock and every block signature (weights are just data). */
function metadataOffsets(bytes: Uint8Array): number[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const offsets = [0];
  for (const signature of SIGNATURES) for (let i = text.indexOf(signature); i >= 0; i = text.indexOf(signature, i + 1)) offsets.push(i);
  return offsets;
}

/** 80 mutants of each kind: truncations, byte flips, zeroed ranges, overwritten 8-byte fields. */
function* mutants(bytes: Uint8Array, seed: number): Generator<[string, Uint8Array]> {
  // Seeded, so a failing mutant can be reproduced from its seed.
  const rand = uniformGenerator(seed);
  const hot = metadataOffsets(bytes);
  const near = (): number => {
    const at = rand() < 0.85 ? hot[Math.floor(rand() * hot.length)] + Math.floor(rand() * 1024) - 256 : Math.floor(rand() * bytes.length);
    return Math.min(bytes.length - 1, Math.max(0, at));
  };
  for (let i = 0; i < 80; i++) {
    const at = i < 40 ? Math.floor((bytes.length * i) / 40) : near();
    yield [`truncated at ${at}`, bytes.slice(0, at)];
  }
  for (let i = 0; i < 80; i++) {
    const m = bytes.slice();
    const flips = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < flips; j++) m[near()] ^= 1 << Math.floor(rand() * 8);
    yield [`${flips} bit flips`, m];
  }
  for (let i = 0; i < 80; i++) {
    const m = bytes.slice();
    const at = near();
    const length = rand() < 0.8 ? 1 + Math.floor(rand() * 64) : Math.floor(rand() * bytes.length);
    m.fill(0, at, at + length);
    yield [`zeroed ${length} bytes at ${at}`, m];
  }
  const fields = [
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    [0, 0, 0, 0, 0, 0, 0, 0x40],
    [0x10, 0, 0, 0, 0, 0, 0, 0],
    [0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0],
  ];
  for (let i = 0; i < 80; i++) {
    const m = bytes.slice();
    const at = near();
    m.set(fields[i % fields.length].slice(0, m.length - at), at);
    yield [`8-byte field overwritten at ${at}`, m];
  }
}

/**
 * Read everything, as a loader would. Bounded: a corrupt file may link groups in a cycle, or name
 * a member '' (which, as in h5wasm-reader, resolves to the group itself).
 */
function walkAll(group: H5Group, depth = 0, budget = { nodes: 500 }): void {
  if (depth > 12 || --budget.nodes < 0) return;
  for (const name of group.attrNames()) group.attr(name);
  for (const key of group.keys()) {
    const child = group.get(key);
    if (child?.kind === 'group') walkAll(child, depth + 1, budget);
    else if (child?.kind === 'dataset' && child.dtype !== 'string' && child.dtype !== 'other') child.readFloat32();
  }
}

const mutationSamples: Sample[] = [
  { name: 'keras2_theano_cf.h5', load: () => new Uint8Array(readFileSync(fixturePath('models/keras2_theano_cf.h5'))) },
  { name: 'conv1d_net.h5', load: () => new Uint8Array(readFileSync(fixturePath('keras3/conv1d_net.h5'))) },
  {
    name: 'k1_th_weights_mnist_cnn_keras2cpp.h5',
    load: () => new Uint8Array(readFileSync(fixturePath('corpus/k1_th_weights_mnist_cnn_keras2cpp.h5'))),
  },
  {
    name: 'conv1d_net.keras!model.weights.h5',
    load: () => unzipSync(readFileSync(fixturePath('keras3/conv1d_net.keras')))['model.weights.h5'],
  },
  { name: 'h5wasm-latest.h5', load: () => writeWithHdf5({ libver: 'latest', track_order: true }, richContent) },
];

mutationSamples.forEach((sample, index) => {
  test(`corrupt copies of ${sample.name} open and read, or fail with an LrpKerasError, quickly`, async () => {
    const bytes = sample.load();
    let opened = 0;
    let rejected = 0;
    let slowest = 0;
    for (const [mutation, mutant] of mutants(bytes, 1000 + index)) {
      const start = performance.now();
      try {
        const file = await pureReader.open(mutant, sample.name);
        walkAll(file.root);
        file.close();
        opened++;
      } catch (e) {
        if (!(e instanceof LrpKerasError)) throw new Error(`${mutation}: ${(e as Error)?.stack ?? e}`);
        assert.ok(e.message.startsWith(`${sample.name}: `), `${mutation}: ${e.message}`);
        assert.not.match(e.message, /internal error/, `${mutation}: a parser missed a check`);
        rejected++;
      }
      const elapsed = performance.now() - start;
      slowest = Math.max(slowest, elapsed);
      assert.ok(elapsed < 2000, `${mutation} took ${elapsed.toFixed(0)} ms`);
    }
    assert.ok(opened + rejected >= 300);
    console.log(
      `  ${sample.name}: ${opened + rejected} mutants, ${opened} read fully, ${rejected} rejected, slowest ${slowest.toFixed(1)} ms`,
    );
  });
});

test.run();
