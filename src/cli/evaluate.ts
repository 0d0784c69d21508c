/// <reference types="node" />
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALIASES, METHODS } from '../analyze/methods.js';
import { evaluateMethods, type MethodEvaluation } from '../evaluate/pixel-flipping.js';
import { imageGeometry, type PixelLayout, pixelLayout } from '../viz/layout.js';
import { lineChart } from '../viz/line-chart.js';
import { toPNG } from '../viz/png.js';
import { checkTarget, parseChoice, parseInteger, parseList, parseReadOptions, parseTarget, usageError, type InputFlags } from './flags.js';
import { loadModelFile, readInputFiles, stackSamples, toSamples } from './inputs.js';
import { progressBar } from './progress.js';
import { formatTable } from './table.js';

export interface EvaluateFlags extends InputFlags {
  methods: string;
  region: string | number;
  steps?: string | number;
  perturbation: string | number;
  score: string;
  out: string;
  json: boolean;
}

/** LRP's default, a box composite, two gradient baselines and chance: a useful first comparison. */
export const DEFAULT_METHODS = 'epsilon-plus,epsilon-gamma-box,gradient-x-input,gradient,random';

function parsePerturbation(value: unknown): number | 'mean' {
  if (value === 'mean') return 'mean';
  const n = Number(value);
  if (value === '' || typeof value === 'boolean' || !Number.isFinite(n))
    throw usageError(`--perturbation must be 'mean' or a number, got '${String(value)}'`);
  return n;
}

function parseMethods(value: unknown): string[] {
  const methods = parseList(value);
  if (methods.length === 0) throw usageError('--methods needs at least one method id');
  // Checked before any work: an unknown id would otherwise fail after the first methods ran.
  const unknown = methods.filter((m) => m !== 'random' && !Object.hasOwn(METHODS, m) && !Object.hasOwn(ALIASES, m));
  if (unknown.length > 0)
    throw usageError(
      `--methods: unknown method ${unknown.map((m) => `'${m}'`).join(', ')}; valid: ${Object.keys(METHODS).join(', ')}, random (or an innvestigate name)`,
    );
  return methods;
}

/** --region and --steps must fit the inputs: checked once their size is known, as usage errors. */
function checkRegions(layout: PixelLayout, region: number, steps: number | undefined): void {
  const side = Math.max(layout.height, layout.width);
  if (region > side)
    throw usageError(`--region ${region}: the inputs are ${layout.width}×${layout.height} pixels, so a region's side is at most ${side}`);
  const regions = Math.ceil(layout.height / region) * Math.ceil(layout.width / region);
  if (steps !== undefined && steps > regions)
    throw usageError(
      `--steps ${steps}: ${layout.width}×${layout.height} inputs have ${regions} regions of ${region}×${region}, so at most ${regions} steps`,
    );
}

/** `lrp-keras evaluate`: pixel-flipping per method, as a table ranked by AOPC and a PNG chart of the mean curves. */
export async function evaluateCommand(modelPath: string, inputPaths: string[], flags: EvaluateFlags): Promise<void> {
  const read = parseReadOptions(flags);
  const target = parseTarget(flags.target);
  const methods = parseMethods(flags.methods);
  const region = parseInteger('region', flags.region, 1);
  const steps = flags.steps === undefined ? undefined : parseInteger('steps', flags.steps, 1);
  const perturbation = parsePerturbation(flags.perturbation);
  const score = parseChoice('score', flags.score, ['logit', 'probability'] as const);
  const inputs = readInputFiles(inputPaths);
  const model = await loadModelFile(modelPath, flags.config);
  checkTarget(target, model.outputShape);
  const samples = toSamples(inputs, model.inputShape, read);
  const x = stackSamples(samples);
  // The image a sample is, as everywhere else: a flattened square image (MNIST as 784 values) is tiled as the square.
  const geometry = imageGeometry(x.shape.slice(1));
  const channelsLast = geometry?.channelsLast ?? true;
  const width = x.shape.length === 2 ? (geometry?.width ?? undefined) : undefined;
  checkRegions(pixelLayout(x.shape.slice(1), channelsLast, 'the input', width), region, steps);

  const bar = progressBar('evaluating', methods.length * samples.length);
  const results = evaluateMethods(model, x, methods, {
    region,
    steps,
    perturbation,
    score,
    target,
    channelsLast,
    width,
    onProgress: (done) => bar.update(done),
  });
  bar.end();
  const ranked = [...results].sort((a, b) => b.meanAopc - a.meanAopc);
  const { regions } = ranked[0];
  const removedSteps = ranked[0].meanCurve.length - 1;
  const removal = perturbation === 'mean' ? 'the sample mean' : String(perturbation);
  const tracked = score === 'logit' ? 'target logit' : 'target probability';

  mkdirSync(flags.out, { recursive: true });
  const chartPath = join(flags.out, 'pixel-flipping.png');
  const chart = lineChart(
    ranked.map((r) => ({ label: r.method, values: r.meanCurve })),
    {
      width: 800,
      title: `Pixel-flipping: ${region}x${region} regions removed, most relevant first`,
      xLabel: `regions removed (of ${regions}), each set to ${removal}`,
      yLabel: `mean ${tracked} (${samples.length} sample${samples.length === 1 ? '' : 's'})`,
    },
  );
  writeFileSync(chartPath, toPNG(chart));

  if (flags.json) {
    const summary = (r: MethodEvaluation): object => ({
      method: r.method,
      aopc: r.meanAopc,
      aopcPerSample: r.aopc,
      meanCurve: r.meanCurve,
    });
    console.log(
      JSON.stringify(
        {
          model: modelPath,
          samples: samples.length,
          region,
          regions,
          steps: removedSteps,
          perturbation,
          score,
          chart: chartPath,
          methods: ranked.map(summary),
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `Pixel-flipping on ${samples.length} sample${samples.length === 1 ? '' : 's'}: ${removedSteps} of ${regions} ${region}×${region} regions removed, most relevant first, to ${removal}; ${tracked} tracked.`,
  );
  console.log('AOPC: mean drop of the score over the steps; larger means the heatmap found what the model uses.\n');
  console.log(
    formatTable(
      ['rank', 'method', 'AOPC', 'score before', 'score after'],
      ranked.map((r, i) => [
        String(i + 1),
        r.method,
        r.meanAopc.toPrecision(4),
        r.meanCurve[0].toPrecision(4),
        r.meanCurve[removedSteps].toPrecision(4),
      ]),
    ),
  );
  console.log(`\nchart: ${chartPath}`);
}
