// The lrp-keras command, run as a child process on the example's trained MNIST CNN and digits:
// exit codes, files written, --json that parses, errors as one line without a stack. Then the input
// conversions the CLI relies on (npy, channels, resizing, --scale), called directly.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALIASES, METHODS } from '../src/analyze/methods.js';
import { arraySamples, imageGeometry, parseNpy, parseScale, resizeImage, toChannels } from '../src/input-files.js';
import { outputNames } from '../src/cli/explain.js';
import { joinNegativeValues } from '../src/cli/flags.js';
import { LrpKerasError } from '../src/errors.js';
import { decodeImage } from '../src/viz/png.js';
import { repoRoot } from './fixtures.js';
import { legacyH5 } from './keras-writer.js';

const cli = join(repoRoot, 'build/src/cli/main.js');
const model = join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5');
const digit = (i: number, label: number): string => join(repoRoot, 'example/digits', `mnist_test_0${i}_label${label}.png`);
const work = mkdtempSync(join(tmpdir(), 'lrp-keras-cli-'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const run = (...args: string[]): Run => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const runAsync = (...args: string[]): Promise<Run> =>
  new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' }, (error, stdout, stderr) => {
      done({ status: error ? Number(error.code) : 0, stdout, stderr });
    });
  });

/** A failure: the exit code, and stderr exactly one line "lrp-keras: …" containing `fragment`, no stack. */
function assertFails(r: Run, status: number, fragment: string): void {
  assert.is(r.status, status, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.ok(lines[0].startsWith('lrp-keras: '), lines[0]);
  assert.ok(lines[0].includes(fragment), `"${lines[0]}" lacks "${fragment}"`);
  assert.not.match(r.stderr, /\n\s+at /);
}

/** Float32 .npy bytes (format 1.0): header padded with spaces to a multiple of 64, ending in a newline. */
function npy(shape: number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = `${header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** The example digit's pixels scaled to [0, 1], as the model reads them. */
const pixels = (path: string): Float32Array => Float32Array.from(decodeImage(readFileSync(path)).data, (v) => v / 255);

test('methods lists every method id; --json parses', () => {
  const text = run('methods');
  assert.is(text.status, 0, text.stderr);
  for (const id of Object.keys(METHODS)) assert.match(text.stdout, new RegExp(`^${id} +`, 'm'));
  const json = run('methods', '--json');
  assert.is(json.status, 0);
  const parsed = JSON.parse(json.stdout) as { methods: Record<string, string>; aliases: Record<string, string> };
  assert.equal(parsed.methods, { ...METHODS });
  assert.equal(Object.keys(parsed.aliases), Object.keys(ALIASES));
});

test('summary prints the layers and the rule each composite gives them; --json parses', () => {
  const text = run('summary', model);
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, 'Total params: 225,034');
  // The first conv under each composite, in the composites' column order.
  assert.match(text.stdout, /conv2d_2 \(Conv2D\) +z-plus +flat +alpha-beta\(2,1\) +flat +z-box/);
  assert.match(text.stdout, /dense_3 \(Dense\) +epsilon\(1e-6\)/);
  // Output shapes as Keras prints them: (None, 1600), not the one-element tuple (None, 1600,).
  assert.match(text.stdout, /flatten\S* \(Flatten\) +\(None, 1600\) /);
  assert.not.match(text.stdout, /\d,\)/);
  const json = run('summary', model, '--json');
  assert.is(json.status, 0);
  const parsed = JSON.parse(json.stdout) as { inputShape: number[]; layers: { name: string; rules: Record<string, string> }[] };
  assert.equal(parsed.inputShape, [28, 28, 1]);
  assert.is(parsed.layers.find((l) => l.name === 'conv2d_3')?.rules['epsilon-gamma-box'], 'gamma(0.25)');
});

test('explain: predictions, one heatmap per image and a grid; --json parses; nothing on stderr', () => {
  const out = join(work, 'explained');
  const r = run('explain', model, digit(0, 7), digit(1, 2), digit(2, 1), '--out', out, '--json');
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  const result = JSON.parse(r.stdout) as {
    method: string;
    grid: string;
    results: { input: string; predicted: number; score: number; target: number; relevanceSum: number; heatmap: string }[];
  };
  assert.is(result.method, 'epsilon-plus');
  assert.equal(
    result.results.map((row) => row.predicted),
    [7, 2, 1],
  );
  assert.equal(
    result.results.map((row) => row.target),
    [7, 2, 1],
  );
  for (const row of result.results) {
    assert.ok(row.score > 0.99 && row.score <= 1, `score ${row.score}`);
    assert.ok(row.relevanceSum > 0, `${row.input}: Σ relevance ${row.relevanceSum}`);
    // 28 × 28 enlarged by ⌊224 / 28⌋ = 8.
    const png = decodeImage(readFileSync(resolve(work, row.heatmap)));
    assert.equal([png.width, png.height], [224, 224]);
  }
  assert.equal(
    result.results.map((row) => row.heatmap),
    ['mnist_test_00_label7', 'mnist_test_01_label2', 'mnist_test_02_label1'].map((s) => join(out, `${s}.png`)),
  );
  assert.ok(existsSync(resolve(work, result.grid)));
  // The text form: a header and one row per input.
  const text = run('explain', model, digit(0, 7), '--out', out, '--target', '3', '--overlay', '--colormap', 'coldnhot');
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /^input +predicted +score +explained/);
  assert.match(text.stdout, /mnist_test_00_label7\.png +7 +1\.0000 +3 /);
});

test('explain reads .npy batches and JSON arrays as the images they hold', () => {
  const a = pixels(digit(3, 0));
  const b = pixels(digit(4, 4));
  const batch = new Float32Array(2 * 784);
  batch.set(a);
  batch.set(b, 784);
  writeFileSync(join(work, 'batch.npy'), npy([2, 28, 28, 1], batch));
  // One sample without the channel axis, as nested arrays.
  writeFileSync(join(work, 'one.json'), JSON.stringify(Array.from({ length: 28 }, (_, y) => Array.from(b.subarray(y * 28, (y + 1) * 28)))));
  const r = run('explain', model, 'batch.npy', 'one.json', '--out', 'arrays', '--json');
  assert.is(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { results: { input: string; file: string; predicted: number; heatmap: string }[] };
  assert.equal(
    result.results.map((row) => [row.input, row.file, row.predicted]),
    [
      ['batch.npy[0]', 'batch.npy', 0],
      ['batch.npy[1]', 'batch.npy', 4],
      ['one.json', 'one.json', 4],
    ],
  );
  for (const name of ['batch_0.png', 'batch_1.png', 'one.png', 'grid.png']) assert.ok(existsSync(join(work, 'arrays', name)), name);
});

test("explain converts colour images to the model's channels and resizes them only with --resize", () => {
  // The 7, doubled in size, as an RGB PNG and as a JPEG.
  const gray = decodeImage(readFileSync(digit(0, 7)));
  const rgba = new Uint8Array(56 * 56 * 4);
  for (let y = 0; y < 56; y++) {
    for (let x = 0; x < 56; x++) {
      const v = gray.data[(y >> 1) * 28 + (x >> 1)];
      rgba.set([v, v, v, 255], (y * 56 + x) * 4);
    }
  }
  writeFileSync(join(work, 'big.png'), encodePng({ width: 56, height: 56, data: rgba, channels: 4, depth: 8 }));
  writeFileSync(join(work, 'big.jpg'), encodeJpeg({ width: 56, height: 56, data: rgba }, 95).data);
  assertFails(run('explain', model, 'big.png', '--out', 'big'), 1, 'the image is 56×56, the model expects 28×28; pass --resize');
  for (const interpolation of ['bilinear', 'nearest']) {
    const r = run('explain', model, 'big.png', 'big.jpg', '--resize', '--interpolation', interpolation, '--out', 'big', '--json');
    assert.is(r.status, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as { results: { predicted: number }[] }).results.map((row) => row.predicted),
      [7, 7],
      interpolation,
    );
  }
});

test('evaluate: a table and chart ranked by AOPC; LRP beats the random baseline; --json parses', () => {
  const r = run(
    'evaluate',
    model,
    digit(0, 7),
    digit(1, 2),
    '--methods',
    'random,epsilon-plus',
    '--steps',
    '10',
    '--region',
    '4',
    '--out',
    'eval',
    '--json',
  );
  assert.is(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    samples: number;
    region: number;
    regions: number;
    steps: number;
    chart: string;
    methods: { method: string; aopc: number; aopcPerSample: number[]; meanCurve: number[] }[];
  };
  assert.equal([result.samples, result.region, result.regions, result.steps], [2, 4, 49, 10]);
  assert.equal(
    result.methods.map((m) => m.method),
    ['epsilon-plus', 'random'],
  );
  assert.ok(result.methods[0].aopc > result.methods[1].aopc);
  assert.is(result.methods[0].meanCurve.length, 11);
  const chart = decodeImage(readFileSync(resolve(work, result.chart)));
  assert.equal([chart.width, chart.height], [800, 450]);
  const text = run('evaluate', model, digit(0, 7), '--methods', 'gradient,random', '--steps', '5', '--out', 'eval');
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /rank +method +AOPC/);
  assert.match(text.stdout, /^1 +gradient /m);
  assert.match(text.stdout, 'chart: eval/pixel-flipping.png');
});

test('errors are one line and a non-zero exit: 2 for the command line, 1 for files and models', async () => {
  writeFileSync(join(work, 'broken.json'), '{ not json');
  writeFileSync(join(work, 'wrong.npy'), npy([3, 5], new Float32Array(15)));
  const cases: [string[], number, string][] = [
    [['explain', model, 'missing.png'], 1, 'missing.png: cannot read the input (no such file)'],
    [['summary', join(repoRoot, 'example/digits/index.json')], 1, 'not a Keras model file'],
    [['explain', model, 'broken.json'], 1, 'broken.json: neither an image, a .npy array nor JSON'],
    [['explain', model, 'wrong.npy'], 1, 'wrong.npy: an array of shape (3, 5); the model expects (28, 28, 1)'],
    [['explain', model, digit(0, 7), '--target', 'top'], 2, "--target must be 'max' or a class index, got 'top'"],
    [['explain', model, digit(0, 7), '--method', 'nope'], 2, "--method: unknown method 'nope'"],
    [['explain', model, digit(0, 7), '--scale', 'half'], 2, '--scale must be a number or a fraction'],
    [['explain', model, digit(0, 7), '--bogus'], 2, 'Unknown option `--bogus`'],
    [['explain', model], 2, 'missing required args'],
    [['evaluate', model, digit(0, 7), '--methods', 'gradient,nope'], 2, "--methods: unknown method 'nope'"],
    [['evaluate', model, digit(0, 7), '--region', '0'], 2, '--region must be an integer ≥ 1'],
    [['frobnicate'], 2, "unknown command 'frobnicate'"],
  ];
  // Independent processes: run them side by side.
  const [verbose, help, version, ...failures] = await Promise.all([
    runAsync('explain', model, 'missing.png', '--verbose'),
    runAsync('--help'),
    runAsync('--version'),
    ...cases.map(([args]) => runAsync(...args)),
  ]);
  failures.forEach((r, i) => assertFails(r, cases[i][1], cases[i][2]));
  // --verbose adds the stack after the line.
  assert.is(verbose.status, 1);
  assert.ok(verbose.stderr.startsWith('lrp-keras: missing.png: cannot read the input'));
  assert.match(verbose.stderr, /\n\s+at /);
  assert.is(help.status, 0);
  assert.match(help.stdout, /explain <model> <\.\.\.inputs>/);
  assert.match(version.stdout, /^lrp-keras\/\d+\.\d+\.\d+/);
});

test('weights-only files with --config; flag values that cannot fit the model are usage errors; bad inputs are named', async () => {
  const weightsOnly = join(repoRoot, 'test/fixtures/corpus/k1_th_weights_mnist_cnn_keras2cpp.h5');
  const arch = join(repoRoot, 'test/fixtures/corpus/k1_th_weights_mnist_cnn_keras2cpp.arch.json');
  mkdirSync(join(work, 'a-directory'), { recursive: true });
  writeFileSync(join(work, 'with-null.json'), JSON.stringify([[0, 0.5, null, 1]]));
  writeFileSync(join(work, 'data-null.json'), JSON.stringify({ shape: [2], data: [1, null] }));
  const cases: [string[], number, string][] = [
    [['summary', weightsOnly], 1, 'a weights-only file (no model_config)'],
    [['explain', model, digit(0, 7), '--target', '-1'], 2, "--target must be 'max' or a class index, got '-1'"],
    [['explain', model, digit(0, 7), '--target', '10'], 2, '--target 10: the model has 10 outputs, so the class index is 0 to 9'],
    [['evaluate', model, digit(0, 7), '--target', '12'], 2, '--target 12: the model has 10 outputs'],
    [['evaluate', model, digit(0, 7), '--steps', '1000'], 2, '--steps 1000: 28×28 inputs have 196 regions of 2×2, so at most 196 steps'],
    [['evaluate', model, digit(0, 7), '--steps', 'many'], 2, "--steps must be an integer ≥ 1, got 'many'"],
    [['evaluate', model, digit(0, 7), '--region', '29'], 2, '--region 29: the inputs are 28×28 pixels'],
    [['explain', model, 'a-directory'], 1, 'a-directory: a directory, not the input; pass its files (for example a-directory/*.png)'],
    [['explain', model, model], 1, 'jhas_mnist_cnn_keras3.h5: a model file (HDF5 or zip), not an input'],
    [['explain', model, 'with-null.json'], 1, 'with-null.json: [0][2] is null; expected a number'],
    [['explain', model, 'data-null.json'], 1, 'data-null.json: data[1] is null; expected a number'],
    [['summary', weightsOnly, '--config', 'missing.json'], 1, 'missing.json: cannot read the --config file (no such file)'],
  ];
  const results = await Promise.all(cases.map(([args]) => runAsync(...args)));
  results.forEach((r, i) => assertFails(r, cases[i][1], cases[i][2]));

  // The weights-only CNN (Theano, channels first) with its architecture: summary and explain work.
  const summary = run('summary', weightsOnly, '--config', arch);
  assert.is(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, 'input (None, 1, 28, 28)');
  const explained = run('explain', weightsOnly, digit(0, 7), '--config', arch, '--json', '--out', 'weights-only');
  assert.is(explained.status, 0, explained.stderr);
  const parsed = JSON.parse(explained.stdout) as { results: { predicted: number }[]; warnings: string[] };
  assert.is(parsed.results[0].predicted, 7);
  assert.equal(parsed.warnings, []);
});

test('logits all zero or not finite: explain warns (stderr, and warnings in --json) that the heatmap is blank or partly drawn as zero', async () => {
  const zeroModel = join(work, 'zero.h5');
  writeFileSync(
    zeroModel,
    await legacyH5(
      {
        class_name: 'Sequential',
        config: {
          name: 'zero',
          layers: [
            { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4], dtype: 'float32' } },
            { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'linear', use_bias: true } },
          ],
        },
      },
      {
        d: [
          { name: 'd/kernel:0', shape: [4, 3], data: new Float32Array(12) },
          { name: 'd/bias:0', shape: [3], data: new Float32Array(3) },
        ],
      },
    ),
  );
  writeFileSync(join(work, 'four.json'), JSON.stringify([1, 2, 3, 4]));
  const text = run('explain', zeroModel, 'four.json', '--out', 'zero');
  assert.is(text.status, 0, text.stderr);
  assert.is(text.stderr, 'lrp-keras: warning: four.json: relevance is all zero (its logits are all zero); the heatmap is blank\n');
  const json = run('explain', zeroModel, 'four.json', '--out', 'zero', '--json');
  assert.equal((JSON.parse(json.stdout) as { warnings: string[] }).warnings, [
    'four.json: relevance is all zero (its logits are all zero); the heatmap is blank',
  ]);
  // Logits that overflow float32: relevance that is not finite is warned about and drawn as zero.
  const hugeModel = join(work, 'huge.h5');
  writeFileSync(
    hugeModel,
    await legacyH5(
      {
        class_name: 'Sequential',
        config: {
          name: 'huge',
          layers: [
            { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4], dtype: 'float32' } },
            { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'linear', use_bias: true } },
          ],
        },
      },
      {
        d: [
          { name: 'd/kernel:0', shape: [4, 3], data: new Float32Array(12).fill(3e38) },
          { name: 'd/bias:0', shape: [3], data: new Float32Array(3) },
        ],
      },
    ),
  );
  const huge = run('explain', hugeModel, 'four.json', '--out', 'huge', '--json');
  assert.is(huge.status, 0, huge.stderr);
  assert.equal((JSON.parse(huge.stdout) as { warnings: string[] }).warnings, [
    'four.json: 4 relevance values are not finite (3 of its 3 logits are not finite); the heatmap draws them as zero',
  ]);
  assert.ok(existsSync(join(work, 'huge', 'four.png')));
  // A model that explains something stays silent.
  const fine = run('explain', model, digit(0, 7), '--out', 'fine');
  assert.is(fine.stderr, '');
});

test('explain --labels writes the true classes under the heatmaps of grid.png; a count that does not fit is a usage error', () => {
  const plain = run('explain', model, digit(0, 7), digit(1, 2), '--out', 'unlabelled');
  const labelled = run('explain', model, digit(0, 7), digit(1, 2), '--out', 'labelled', '--labels', '7,2');
  assert.is(labelled.status, 0, labelled.stderr);
  const height = (dir: string): number => decodeImage(readFileSync(join(work, dir, 'grid.png'))).height;
  // One more caption line at label scale 2: the font's 9 rows and 2 of gap, doubled.
  assert.is(height('labelled') - height('unlabelled'), 22, plain.stderr);
  assertFails(run('explain', model, digit(0, 7), '--labels', '7,2', '--out', 'labelled'), 2, '--labels has 2 entries for 1 samples');
});

test('a negative number after a flag is its value; other arguments stay as they are', () => {
  assert.equal(
    joinNegativeValues(['explain', 'm.h5', '--target', '-1', '--json', '-1.png', '--perturbation', '-0.5', '--scale', '-1e-3']),
    ['explain', 'm.h5', '--target=-1', '--json', '-1.png', '--perturbation=-0.5', '--scale=-1e-3'],
  );
});

test('inputs: .npy dtypes and shapes, batch or single sample', () => {
  const t = parseNpy(npy([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6])), 'a.npy');
  assert.equal(t.shape, [2, 3]);
  assert.equal(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
  // uint8 in format 2.0 (a 4-byte header length).
  const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }\n";
  const bytes = new Uint8Array(12 + header.length + 4);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, header.length, 0, 0, 0]);
  bytes.set(new TextEncoder().encode(header), 12);
  bytes.set([0, 128, 255, 7], 12 + header.length);
  assert.equal(Array.from(parseNpy(bytes, 'b.npy').data), [0, 128, 255, 7]);
  const fails = (fn: () => unknown, fragment: string): void => {
    try {
      fn();
      assert.unreachable(`expected an error with "${fragment}"`);
    } catch (e) {
      assert.instance(e, LrpKerasError);
      assert.ok((e as Error).message.includes(fragment), (e as Error).message);
    }
  };
  fails(() => parseNpy(npy([2, 3], new Float32Array(6)).subarray(0, 80), 'short.npy'), 'short.npy: truncated');
  const bigEndian = npy([1], new Float32Array(1));
  bigEndian[bigEndian.indexOf(0x3c)] = 0x3e; // '<f4' → '>f4'
  fails(() => parseNpy(bigEndian, 'be.npy'), "dtype '>f4' is not supported");
  // (28, 28) for a (28, 28, 1) model is one sample; (2, 28, 28, 1) two; (784,) is refused.
  assert.is(arraySamples({ shape: [28, 28], data: new Float32Array(784) }, [28, 28, 1], 'x').length, 1);
  assert.is(arraySamples({ shape: [2, 28, 28, 1], data: new Float32Array(1568) }, [28, 28, 1], 'x').length, 2);
  fails(() => arraySamples({ shape: [784], data: new Float32Array(784) }, [28, 28, 1], 'flat.npy'), 'flat.npy: an array of shape (784,)');
});

test('inputs: image layouts, channel conversion, resizing and --scale', () => {
  assert.equal(imageGeometry([28, 28, 1]), { height: 28, width: 28, channels: 1, channelsLast: true });
  assert.equal(imageGeometry([3, 20, 18]), { height: 20, width: 18, channels: 3, channelsLast: false });
  assert.equal(imageGeometry([784]), { height: 28, width: 28, channels: 1, channelsLast: true });
  assert.is(imageGeometry([28, 28, 2]), undefined);
  // ITU-R 601 luma from RGB(A); gray to RGB repeats the value.
  const rgba = { width: 1, height: 1, channels: 4, data: Uint8Array.from([200, 100, 50, 7]) };
  assert.equal(Array.from(toChannels(rgba, 1)), [Math.fround(0.299 * 200 + 0.587 * 100 + 0.114 * 50)]);
  assert.equal(Array.from(toChannels({ width: 1, height: 1, channels: 2, data: Uint8Array.from([9, 255]) }, 3)), [9, 9, 9]);
  // 2×2 → 4×4: nearest repeats pixels; bilinear with aligned centres interpolates inside and clamps at the edges.
  const src = Float32Array.from([0, 4, 8, 12]);
  assert.equal(Array.from(resizeImage(src, 2, 2, 1, 4, 4, 'nearest')), [0, 0, 4, 4, 0, 0, 4, 4, 8, 8, 12, 12, 8, 8, 12, 12]);
  assert.equal(Array.from(resizeImage(src, 2, 2, 1, 4, 4, 'bilinear').subarray(0, 4)), [0, 1, 3, 4]);
  assert.equal(Array.from(resizeImage(src, 2, 2, 1, 1, 1, 'bilinear')), [6]);
  assert.is(parseScale('1/255'), 1 / 255);
  assert.is(parseScale(0.5), 0.5);
  assert.is(parseScale(' 2 / 4 '), 0.5);
  assert.throws(() => parseScale('1/0'), /--scale must be/);
  // Output names drop the extension, number batch samples and never collide.
  assert.equal(outputNames(['a.png', 'a.jpg', 'b.npy[0]', 'b.npy[1]', 'grid.json']), [
    'a.png',
    'a-2.png',
    'b_0.png',
    'b_1.png',
    'grid-2.png',
  ]);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
