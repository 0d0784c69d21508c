#!/usr/bin/env node
/// <reference types="node" />
import { cac } from 'cac';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateCommand, DEFAULT_METHODS } from './evaluate.js';
import { explainCommand } from './explain.js';
import { joinNegativeValues, usageError } from './flags.js';
import { methodsCommand } from './methods.js';
import { serveCommand, SERVE_FLAGS } from './serve.js';
import { summaryCommand } from './summary.js';

/**
 * The `lrp-keras` command. Every failure is one line on stderr, "lrp-keras: <message>", and a
 * non-zero exit: 2 for a bad command line, 1 for everything else (files, models, options). The
 * stack trace is printed only with --verbose, as it helps only when reporting a bug.
 */

/** The package's version, from the package.json above this file (dist/cli or build/src/cli). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lrp-keras') return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}

const INPUTS_HELP = 'PNG/JPEG images, .npy arrays or JSON arrays';

function buildCli(): ReturnType<typeof cac> {
  const cli = cac('lrp-keras');
  cli.option('--verbose', 'Print the stack trace of an error');

  const CONFIG_HELP = 'The architecture (model.to_json() text) for a weights-only model file';
  const withInputFlags = (command: ReturnType<typeof cli.command>): typeof command =>
    command
      .option('--config <file>', CONFIG_HELP)
      .option('--target <class>', "Class explained (and tracked, by evaluate): 'max' (the top class) or an index", { default: 'max' })
      .option('--output <name>', 'The output explained, by name or index, for models with several outputs (default: the first)')
      .option('--scale <factor>', 'Multiply image pixels (0-255) by this; arrays are used as they are', { default: '1/255' })
      .option('--resize', "Resize images to the model's input size (otherwise a size mismatch is an error)")
      .option('--interpolation <mode>', 'Resizing: bilinear or nearest', { default: 'bilinear' })
      .option('--out <dir>', 'Directory for the PNG files', { default: 'lrp-keras-out' })
      .option('--json', 'Print machine-readable results on stdout');

  withInputFlags(cli.command('explain <model> <...inputs>', `Explain predictions for ${INPUTS_HELP}: one heatmap PNG each, and grid.png`))
    .option('--method <id>', 'Method id (see `lrp-keras methods`)', { default: 'epsilon-plus' })
    .option('--colormap <name>', 'bwr, seismic, coldnhot, wred, hot, gray, jet or viridis', { default: 'bwr' })
    .option('--overlay', 'Blend each heatmap over its input image')
    .option('--labels <list>', 'True classes in input order (comma-separated), written under each heatmap of grid.png')
    .option('--layer <name>', "grad-cam, guided-grad-cam: the layer weighted (default: the last one with the input's spatial axes)")
    .option('--window <size>', 'occlusion: window side, one for every spatial axis or one per axis (8,4); default min(8, size/8)')
    .option('--stride <step>', 'occlusion: step between windows, as --window; default half the window')
    .option('--target-layer <name>', 'Explain a channel of this layer (with --channel) instead of a class')
    .option('--channel <k>', 'The channel of --target-layer explained: its activations summed over positions')
    .option('--condition <layer:k,...>', 'LRP methods: one heatmap per channel k, the relevance that passes through channel k of the layer')
    .option('--shard <i/n>', 'Explain only shard i of n (0-based, split by file name), skipping inputs whose heatmaps exist; no grid')
    .option(
      '--vocab <file>',
      'Text models: the vocabulary (Tokenizer to_json(), a {word: id} JSON or a TextVectorization vocabulary, one token per line); inputs are .txt files (a text per line) or /dev/stdin',
    )
    .option('--maxlen <n>', "Text: pad or truncate to n tokens (default: the model's input length)")
    .option('--padding <side>', 'Text: pre (Keras pad_sequences default) or post')
    .option('--truncating <side>', 'Text: pre (default) or post')
    .option('--num-words <n>', "Text: keep the num_words most frequent words (others become the OOV token), as the Tokenizer's num_words")
    .option('--oov-token <token>', "Text: the out-of-vocabulary token (default: the Tokenizer JSON's)")
    .option('--no-lower', 'Text: keep upper case')
    .option('--filters <chars>', "Text: characters removed (default Keras' Tokenizer filters)")
    .option('--split <sep>', 'Text: word separator (default a space)')
    .option('--no-color', 'Text: print relevance values instead of ANSI colours')
    .example('lrp-keras explain model.h5 digits/*.png --method epsilon-gamma-box --overlay --out heatmaps')
    .example('lrp-keras explain model.h5 cat.png --method grad-cam --layer conv2d_3 --overlay')
    .example('lrp-keras explain model.h5 cat.png --condition conv2d_3:12,40')
    .example(
      "echo 'Great music service,' | lrp-keras explain sentiment.h5 /dev/stdin --vocab word_index.json --num-words 5000 --oov-token '<OOV>' --maxlen 20 --method epsilon",
    )
    .action(explainCommand);

  cli
    .command('summary <model>', 'Layers, output shapes, parameters, and the LRP rule each composite gives each layer')
    .option('--config <file>', CONFIG_HELP)
    .option('--json', 'Print the layers as JSON')
    .action(summaryCommand);

  cli.command('methods', 'The method ids with one-line descriptions').option('--json', 'Print them as JSON').action(methodsCommand);

  withInputFlags(
    cli.command(
      'evaluate <model> <...inputs>',
      'Compare methods by pixel-flipping (region perturbation) and AOPC: a table and pixel-flipping.png',
    ),
  )
    .option('--methods <ids>', "Comma-separated method ids; 'random' is a chance baseline", { default: DEFAULT_METHODS })
    .option('--region <k>', 'Side of the square regions removed, in pixels', { default: 2 })
    .option('--steps <n>', 'Regions removed, one per step (default: min(50, all))')
    .option('--perturbation <value>', "What removed pixels become: 'mean' (the sample's, per channel) or a number", { default: 'mean' })
    .option('--score <kind>', 'Score tracked: logit or probability', { default: 'logit' })
    .example('lrp-keras evaluate model.h5 digits/*.png --methods epsilon-plus,gradient,random --region 4')
    .action(evaluateCommand);

  SERVE_FLAGS.reduce(
    (command, [flag, help, value]) => command.option(flag, help, { default: value }),
    cli.command('serve <...models>', 'Serve explanations over HTTP (docs/serving.md)'),
  )
    .example('lrp-keras serve mnist.h5 --port 8080')
    .action(serveCommand);

  cli.help();
  cli.version(packageVersion());
  return cli;
}

/** The exit code for an error: a command-line mistake (cac's or a bad flag value) is 2. */
const exitCodeOf = (e: unknown): number => {
  const err = e as { name?: string; exitCode?: number };
  return err.exitCode ?? (err.name === 'CACError' ? 2 : 1);
};

/** One line: the message of our own errors, the error's kind too for anything unexpected. */
function errorLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const expected = e.name === 'LrpKerasError' || e.name === 'CACError';
  const line = (expected ? e.message : `${e.name}: ${e.message}`).replace(/\s*\n\s*/g, ' ');
  return expected ? line : `${line} (run with --verbose for the stack trace)`;
}

async function main(argv: string[]): Promise<number> {
  const cli = buildCli();
  try {
    cli.parse(joinNegativeValues(argv), { run: false });
    if (cli.options.help || cli.options.version) return 0;
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) {
        throw usageError(`unknown command '${cli.args[0]}'; commands: explain, summary, methods, evaluate, serve (see lrp-keras --help)`);
      }
      cli.outputHelp();
      return 2;
    }
    await cli.runMatchedCommand();
    return 0;
  } catch (e) {
    process.stderr.write(`lrp-keras: ${errorLine(e)}\n`);
    if (argv.includes('--verbose') && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return exitCodeOf(e);
  }
}

process.exitCode = await main(process.argv);
