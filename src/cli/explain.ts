/// <reference types="node" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../analyze/index.js';
import { ALIASES, METHODS } from '../analyze/methods.js';
import { explanationPictures } from '../explanation-image.js';
import { imageGeometry } from '../input-files.js';
import { resolveColormap, type ColormapName } from '../viz/colormaps.js';
import { grid, scoreLabel } from '../viz/grid.js';
import { toPNG } from '../viz/png.js';
import { parseReadOptions, parseTarget, usageError, type InputFlags } from './flags.js';
import { loadModelFile, readInputFiles, stackSamples, toSamples } from './inputs.js';
import { progressBar } from './progress.js';
import { formatTable } from './table.js';

export interface ExplainFlags extends InputFlags {
  method: string;
  colormap: string;
  overlay: boolean;
  out: string;
  json: boolean;
}

/** What `explain` reports per sample (and prints with --json). */
export interface ExplainRow {
  /** The file name, with [i] for the i-th sample of a batch file; `file` is the path as given. */
  input: string;
  file: string;
  predicted: number;
  /** The model's output for the predicted class (a probability when the model ends in softmax). */
  score: number;
  /** The class explained. */
  target: number;
  /** Σ relevance: for LRP, about the target's logit (conservation). */
  relevanceSum: number;
  heatmap: string;
}

/** Samples explained per call: big enough to batch, small enough for the progress bar to move. */
const CHUNK = 16;

function argmax(row: Float32Array): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

/** File names from input names ("digit.png", "batch.npy[3]" → "digit.png", "batch_3.png"), made unique. */
export function outputNames(names: readonly string[]): string[] {
  const used = new Set<string>(['grid.png']);
  return names.map((name) => {
    const stem = name.replace(/\[(\d+)\]$/, '_$1').replace(/\.(png|jpe?g|npy|json)(?=(_\d+)?$)/i, '');
    let candidate = `${stem}.png`;
    for (let k = 2; used.has(candidate); k++) candidate = `${stem}-${k}.png`;
    used.add(candidate);
    return candidate;
  });
}

/** `lrp-keras explain`: predictions, one heatmap PNG per sample and a labelled grid of them. */
export async function explainCommand(modelPath: string, inputPaths: string[], flags: ExplainFlags): Promise<void> {
  const read = parseReadOptions(flags);
  const target = parseTarget(flags.target);
  if (!Object.hasOwn(METHODS, flags.method) && !Object.hasOwn(ALIASES, flags.method)) {
    throw usageError(`--method: unknown method '${flags.method}'; valid: ${Object.keys(METHODS).join(', ')} (or an innvestigate name, see lrp-keras methods)`);
  }
  try {
    resolveColormap(flags.colormap as ColormapName);
  } catch (e) {
    throw usageError(`--colormap: ${(e as Error).message}`);
  }
  const inputs = readInputFiles(inputPaths);
  const model = await loadModelFile(modelPath);
  if (flags.overlay && !imageGeometry(model.inputShape)) {
    throw usageError(`--overlay needs a model that reads images; its input is ${JSON.stringify(model.inputShape)}`);
  }
  const samples = toSamples(inputs, model.inputShape, read);

  const classes = model.outputShape[model.outputShape.length - 1];
  const size = samples[0].data.length;
  const relevance = new Float32Array(samples.length * size);
  const scores = new Float32Array(samples.length * classes);
  const bar = progressBar('explaining', samples.length);
  for (let first = 0; first < samples.length; first += CHUNK) {
    const x = stackSamples(samples.slice(first, first + CHUNK), model.inputShape);
    scores.set(model.predict(x).data, first * classes);
    relevance.set(analyze(model, x, { method: flags.method, target }).data, first * size);
    bar.update(Math.min(samples.length, first + CHUNK));
  }
  bar.end();

  const images = explanationPictures(model.inputShape, samples.map((s) => s.data), relevance, { colormap: flags.colormap as ColormapName, overlay: flags.overlay });
  const files = outputNames(samples.map((s) => s.name));
  mkdirSync(flags.out, { recursive: true });
  const rows: ExplainRow[] = samples.map((s, i) => {
    const row = scores.subarray(i * classes, (i + 1) * classes);
    const predicted = argmax(row);
    const path = join(flags.out, files[i]);
    writeFileSync(path, toPNG(images[i]));
    return {
      input: s.name, file: s.file, predicted, score: row[predicted], target: target === 'max' ? predicted : target,
      relevanceSum: relevance.subarray(i * size, (i + 1) * size).reduce((a, v) => a + v, 0), heatmap: path,
    };
  });
  const gridPath = join(flags.out, 'grid.png');
  const cells = images.map((image, i) => ({ image, label: scoreLabel(rows[i].predicted, rows[i].score) }));
  writeFileSync(gridPath, toPNG(grid(cells, { columns: Math.min(5, cells.length), labelScale: images[0].width >= 100 ? 2 : 1, padding: 8 })));

  if (flags.json) {
    console.log(JSON.stringify({ model: modelPath, method: flags.method, grid: gridPath, results: rows }, null, 2));
    return;
  }
  const table = rows.map((r) => [r.input, String(r.predicted), r.score.toFixed(4), String(r.target), r.relevanceSum.toPrecision(4)]);
  console.log(formatTable(['input', 'predicted', 'score', 'explained', 'Σ relevance'], table));
  console.log(`\nwrote ${rows.length} heatmap${rows.length === 1 ? '' : 's'} and grid.png to ${flags.out}`);
}
