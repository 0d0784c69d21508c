// lrp-keras explain with Grad-CAM, occlusion, an inner channel target and --condition: the heatmaps
// written are the library's (same relevance), one per channel for --condition, labelled with what they show.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, loadModel, type AnalyzeOptions } from '../src/node.js';
import { decodeImage } from '../src/viz/png.js';
import { repoRoot } from './fixtures.js';

const cli = join(repoRoot, 'build/src/cli/main.js');
const model = join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5');
const digits = [0, 1].map((i) => join(repoRoot, 'example/digits', `mnist_test_0${i}_label${[7, 2][i]}.png`));
const work = mkdtempSync(join(tmpdir(), 'lrp-keras-methods-cli-'));

interface Row {
  input: string;
  predicted: number;
  target: number | null;
  shows: string;
  relevanceSum: number;
  heatmap: string;
}

function explain(out: string, ...flags: string[]): { status: number | null; stderr: string; rows: Row[] } {
  const r = spawnSync(process.execPath, [cli, 'explain', model, ...digits, '--out', join(work, out), '--json', ...flags], {
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, rows: r.status === 0 ? (JSON.parse(r.stdout) as { results: Row[] }).results : [] };
}

/** Σ relevance per digit from the library, for the same options. */
async function sums(options: AnalyzeOptions): Promise<number[]> {
  const m = await loadModel(model);
  const x = { shape: [2, 28, 28, 1], data: new Float32Array(2 * 784) };
  digits.forEach((path, s) => {
    x.data.set(
      Float32Array.from(decodeImage(readFileSync(path)).data, (v) => v / 255),
      s * 784,
    );
  });
  const R = analyze(m, x, options).data;
  return [0, 1].map((s) => R.subarray(s * 784, (s + 1) * 784).reduce((a, v) => a + v, 0));
}

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));

test('--condition layer:k,k: one heatmap per sample and channel, each the conditioned relevance, the grid one row per sample', async () => {
  const r = explain('condition', '--condition', 'conv2d_3:12,40');
  assert.is(r.status, 0, r.stderr);
  assert.equal(
    r.rows.map((row) => row.shows),
    ['class 7 via conv2d_3:12', 'class 7 via conv2d_3:40', 'class 2 via conv2d_3:12', 'class 2 via conv2d_3:40'],
  );
  assert.equal(readdirSync(join(work, 'condition')).sort(), [
    'grid.png',
    'mnist_test_00_label7_conv2d_3-12.png',
    'mnist_test_00_label7_conv2d_3-40.png',
    'mnist_test_01_label2_conv2d_3-12.png',
    'mnist_test_01_label2_conv2d_3-40.png',
  ]);
  for (const [k, channel] of [12, 40].entries()) {
    const expected = await sums({ method: 'epsilon-plus', condition: { layer: 'conv2d_3', channels: [channel] } });
    for (const s of [0, 1])
      assert.ok(
        near(r.rows[s * 2 + k].relevanceSum, expected[s]),
        `channel ${channel}, sample ${s}: ${r.rows[s * 2 + k].relevanceSum} vs ${expected[s]}`,
      );
  }
  const grid = decodeImage(readFileSync(join(work, 'condition/grid.png')));
  // Two columns of 224-pixel heatmaps (four samples-by-channels would otherwise make one row of four).
  assert.ok(grid.width >= 2 * 224 && grid.width < 3 * 224, `two columns: ${grid.width}×${grid.height}`);
});

test('--method grad-cam --layer, --method occlusion --window --stride, --target-layer --channel', async () => {
  const cases: [string[], AnalyzeOptions, string[]][] = [
    [['--method', 'grad-cam', '--layer', 'conv2d_2'], { method: 'grad-cam', layer: 'conv2d_2' }, ['class 7', 'class 2']],
    [
      ['--method', 'occlusion', '--window', '4', '--stride', '4,2'],
      { method: 'occlusion', window: 4, stride: [4, 2] },
      ['class 7', 'class 2'],
    ],
    [
      ['--method', 'gradient', '--target-layer', 'conv2d_3', '--channel', '5'],
      { method: 'gradient', target: { layer: 'conv2d_3', channel: 5 } },
      ['conv2d_3:5', 'conv2d_3:5'],
    ],
  ];
  for (const [flags, options, shows] of cases) {
    const r = explain(flags.join('_').replace(/-/g, ''), ...flags);
    assert.is(r.status, 0, r.stderr);
    assert.equal(
      r.rows.map((row) => row.shows),
      shows,
    );
    const expected = await sums(options);
    r.rows.forEach((row, s) => {
      assert.ok(near(row.relevanceSum, expected[s]), `${flags.join(' ')}: ${row.relevanceSum} vs ${expected[s]}`);
    });
  }
});

test('bad method flags: a usage error (exit 2) naming the flag, or the option named by the library (exit 1)', () => {
  const cases: [string[], number, string][] = [
    [['--target-layer', 'conv2d_3'], 2, '--target-layer and --channel'],
    [['--condition', 'conv2d_3'], 2, '--condition must be LAYER:CHANNEL'],
    [['--method', 'occlusion', '--window', '0'], 2, '--window must be an integer ≥ 1'],
    [['--method', 'gradient', '--condition', 'conv2d_3:1'], 1, 'needs an LRP method'],
    [['--method', 'grad-cam', '--layer', 'dense_9'], 1, 'option layer: "dense_9" is not a layer'],
  ];
  for (const [flags, status, fragment] of cases) {
    const r = explain('bad', ...flags);
    assert.is(r.status, status, `${flags.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.includes(fragment), `${flags.join(' ')}: ${r.stderr}`);
  }
});

test.run();
