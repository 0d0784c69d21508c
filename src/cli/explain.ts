/// <reference types="node" />
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../analyze/index.js';
import type { Model } from '../model/model.js';
import type { Tensor } from '../tensor.js';
import { ALIASES, METHODS } from '../analyze/methods.js';
import { explanationPictures } from '../explanation-image.js';
import { imageGeometry } from '../viz/layout.js';
import { resolveColormap, type ColormapName } from '../viz/colormaps.js';
import { grid, scoreLabel } from '../viz/grid.js';
import type { RGBAImage } from '../viz/image.js';
import { isSequential } from '../viz/heatmap.js';
import { toPNG } from '../viz/png.js';
import { checkTarget, parseList, parseReadOptions, parseTarget, usageError, type InputFlags } from './flags.js';
import { loadModelFile, readInputFiles, stackSamples, toSamples, type InputSample } from './inputs.js';
import { methodViews, type MethodFlags } from './method-flags.js';
import { progressBar } from './progress.js';
import { inShard, parseShard } from './shard.js';
import { formatTable } from './table.js';
import { explainTextCommand, isTextRequest, readsTokens, type TextFlags } from './text-explain.js';
import { finiteOrZero, sampleWarnings } from './warnings.js';

export interface ExplainFlags extends InputFlags, MethodFlags, Omit<TextFlags, 'method' | 'target' | 'out' | 'json' | 'config'> {
  method: string;
  /** The output explained, by name or index (models with several outputs). */
  output?: string;
  colormap: string;
  overlay: boolean;
  out: string;
  json: boolean;
  /** The architecture (model.to_json()) for a weights-only model file. */
  config?: string;
  /** "i/n": explain only this shard of the inputs, a chunk of files at a time, skipping those whose heatmaps exist. */
  shard?: string;
  /** True classes, comma-separated in input order, written under each heatmap of grid.png. */
  labels?: string;
}

/** What `explain` reports per sample (and prints with --json). */
export interface ExplainRow {
  /** The file name, with [i] for the i-th sample of a batch file; `file` is the path as given. */
  input: string;
  file: string;
  predicted: number;
  /** The model's output for the predicted class (a probability when the model ends in softmax). */
  score: number;
  /** The class explained (null when --target-layer explains a channel instead). */
  target: number | null;
  /** What the heatmap shows: "class 3", "conv2d_3:12" (a channel), "class 3 via conv2d_3:12" (--condition). */
  shows: string;
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

/** File names from input names ("digit.png", "batch.npy[3]" → "digit.png", "batch_3.png"), unique among themselves and `used`. */
export function outputNames(names: readonly string[], used = new Set<string>(['grid.png'])): string[] {
  return names.map((name) => {
    const stem = name.replace(/\[(\d+)\]$/, '_$1').replace(/\.(png|jpe?g|npy|json)(?=(_\d+)?$)/i, '');
    let candidate = `${stem}.png`;
    for (let k = 2; used.has(candidate); k++) candidate = `${stem}-${k}.png`;
    used.add(candidate);
    return candidate;
  });
}

/** `--output NAME|INDEX` as an output index of the model (default the first). */
function outputIndex(model: Model, given: string | undefined): number {
  if (given === undefined) return 0;
  const k = /^\d+$/.test(given) ? Number(given) : model.outputNames.indexOf(given);
  if (k < 0 || k >= model.outputNames.length) {
    throw usageError(`--output ${given}: the model's outputs are ${model.outputNames.map((name, i) => `${i} '${name}'`).join(', ')}`);
  }
  return k;
}

/** `lrp-keras explain`: predictions, one heatmap PNG per sample and a labelled grid of them. */
export async function explainCommand(modelPath: string, inputPaths: string[], flags: ExplainFlags): Promise<void> {
  const read = parseReadOptions(flags);
  const target = parseTarget(flags.target);
  if (!Object.hasOwn(METHODS, flags.method) && !Object.hasOwn(ALIASES, flags.method)) {
    throw usageError(
      `--method: unknown method '${flags.method}'; valid: ${Object.keys(METHODS).join(', ')} (or an innvestigate name, see lrp-keras methods)`,
    );
  }
  try {
    resolveColormap(flags.colormap as ColormapName);
  } catch (e) {
    throw usageError(`--colormap: ${(e as Error).message}`);
  }
  // Text models: raw text with its vocabulary, or token ids (CONVENTIONS.md, "Token inputs").
  if (isTextRequest(flags, inputPaths)) return explainTextCommand(modelPath, inputPaths, flags);
  const { options, views } = methodViews(flags);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  // One run reads every file first, so that a bad file is reported before the model loads; a shard,
  // which may hold a million files, reads them a chunk at a time.
  const paths = shard ? inShard(inputPaths, shard) : inputPaths;
  const inputs = shard ? [] : readInputFiles(paths);
  const model = await loadModelFile(modelPath, flags.config);
  if (readsTokens(model)) return explainTextCommand(modelPath, inputPaths, flags);
  const output = outputIndex(model, flags.output);
  const chosen = (t: Tensor | Tensor[]): Tensor => (Array.isArray(t) ? t[output] : t);
  checkTarget(target, model.outputShapes[output]);
  if (flags.overlay && !imageGeometry(model.inputShape)) {
    throw usageError(`--overlay needs a model that reads images; its input is ${JSON.stringify(model.inputShape)}`);
  }
  const all = shard ? [] : toSamples(inputs, model.inputShape, read);
  const trueLabels = flags.labels === undefined ? undefined : parseList(flags.labels);
  if (trueLabels && (shard || trueLabels.length !== all.length)) {
    throw usageError(
      shard
        ? '--labels goes with the grid, which a shard does not write'
        : `--labels has ${trueLabels.length} entries for ${all.length} samples`,
    );
  }
  const chunks = function* (): Generator<InputSample[]> {
    if (!shard) for (let first = 0; first < all.length; first += CHUNK) yield all.slice(first, first + CHUNK);
    else
      for (let first = 0; first < paths.length; first += CHUNK)
        yield toSamples(readInputFiles(paths.slice(first, first + CHUNK)), model.inputShape, read);
  };

  const used = new Set<string>(['grid.png']);
  const rows: ExplainRow[] = [];
  const images: RGBAImage[] = [];
  const labels: string[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  mkdirSync(flags.out, { recursive: true });
  const bar = progressBar('explaining', shard ? paths.length : all.length);
  let done = 0;
  for (const chunk of chunks()) {
    done += shard ? Math.min(CHUNK, paths.length - done) : chunk.length;
    const names = outputNames(
      chunk.map((s) => s.name),
      used,
    );
    // A shard resumes: what an earlier run of it wrote is not explained again.
    // --condition writes one heatmap per channel: <name>_<layer>-<channel>.png.
    const todo = chunk
      .map((sample, i) => ({ sample, paths: views.map((v) => join(flags.out, names[i].replace(/\.png$/, `${v.suffix}.png`))) }))
      .filter(({ paths }) => !shard || !paths.every((path) => existsSync(path)));
    skipped += chunk.length - todo.length;
    if (todo.length > 0) {
      const x = stackSamples(todo.map((t) => t.sample));
      const size = x.data.length / todo.length;
      const scores = chosen(model.predict(x)).data;
      const classes = scores.length / todo.length;
      let logits: Float32Array | undefined;
      const perView = views.map((view) => {
        const relevance = analyze(model, x, { target, ...options, ...view.options, method: flags.method, output }).data;
        todo.forEach(({ sample }, i) =>
          warnings.push(
            ...sampleWarnings(
              sample.name,
              relevance.subarray(i * size, (i + 1) * size),
              scores.subarray(i * classes, (i + 1) * classes),
              () => {
                logits ??= chosen(model.logits(x)).data;
                return logits.subarray(i * classes, (i + 1) * classes);
              },
            ),
          ),
        );
        const pictures = explanationPictures(
          x.shape.slice(1),
          todo.map((t) => t.sample.data),
          finiteOrZero(relevance),
          { colormap: flags.colormap as ColormapName, overlay: flags.overlay },
        );
        return { relevance, pictures };
      });
      todo.forEach(({ sample, paths }, i) => {
        const row = scores.subarray(i * classes, (i + 1) * classes);
        const predicted = argmax(row);
        const explained = options.target ? null : target === 'max' ? predicted : target;
        views.forEach((view, v) => {
          const { relevance, pictures } = perView[v];
          writeFileSync(paths[v], toPNG(pictures[i]));
          rows.push({
            input: sample.name,
            file: sample.file,
            predicted,
            score: row[predicted],
            target: explained,
            shows: [explained === null ? '' : `class ${explained}`, view.label].filter(Boolean).join(' '),
            relevanceSum: relevance.subarray(i * size, (i + 1) * size).reduce((a, r) => a + r, 0),
            heatmap: paths[v],
          });
          if (shard) return;
          images.push(pictures[i]);
          labels.push(view.label ? `${explained === null ? '' : `${explained} `}${view.label}` : scoreLabel(predicted, row[predicted]));
        });
      });
    }
    bar.update(done);
  }
  bar.end();
  for (const w of warnings) process.stderr.write(`lrp-keras: warning: ${w}\n`);

  // A shard writes no grid: it is a picture of one run's few samples, not of a job's many.
  const gridPath = shard ? undefined : join(flags.out, 'grid.png');
  if (gridPath) {
    const cells = images.map((image, i) => ({ image, label: labels[i], trueLabel: trueLabels?.[Math.floor(i / views.length)] }));
    const legend = { colormap: flags.colormap as ColormapName, sequential: isSequential({ colormap: flags.colormap as ColormapName }) };
    const title = `${flags.method}${options.layer ? ` at ${options.layer}` : ''}${target === 'max' || options.target ? '' : `, class ${target}`}`;
    // --condition: one row per sample, a heatmap per channel.
    writeFileSync(
      gridPath,
      toPNG(
        grid(cells, {
          columns: views.length > 1 ? views.length : Math.min(5, cells.length),
          labelScale: images[0].width >= 100 ? 2 : 1,
          padding: 8,
          title,
          legend,
        }),
      ),
    );
  }

  if (flags.json) {
    console.log(
      JSON.stringify(
        { model: modelPath, method: flags.method, grid: gridPath, ...(shard && { shard: flags.shard, skipped }), warnings, results: rows },
        null,
        2,
      ),
    );
    return;
  }
  const table = rows.map((r) => [
    r.input,
    String(r.predicted),
    r.score.toFixed(4),
    r.shows.replace(/^class /, ''),
    r.relevanceSum.toPrecision(4),
  ]);
  console.log(formatTable(['input', 'predicted', 'score', 'explained', 'Σ relevance'], table));
  const also = shard ? ` (shard ${flags.shard}; ${skipped} already there)` : ' and grid.png';
  console.log(`\nwrote ${rows.length} heatmap${rows.length === 1 ? '' : 's'}${also} to ${flags.out}`);
}
