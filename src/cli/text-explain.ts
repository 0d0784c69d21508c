/// <reference types="node" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { analyze } from '../analyze/index.js';
import { LrpKerasError } from '../errors.js';
import { decodeInput } from '../input-files.js';
import type { Model } from '../model/model.js';
import { textHeatmapANSI, textHeatmapHTML } from '../viz/text-heatmap.js';
import { parseChoice, parseInteger, parseTarget, usageError } from './flags.js';
import { loadModelFile } from './inputs.js';
import { formatTable } from './table.js';
import { encodeText, parseVocabulary, type TextOptions, type Vocabulary } from '../text-input.js';

/** The flags of `explain` for text models (raw text with a vocabulary, or token ids). */
export interface TextFlags {
  method: string;
  target: string | number;
  out: string;
  json: boolean;
  config?: string;
  vocab?: string;
  maxlen?: number | string;
  padding?: string;
  truncating?: string;
  numWords?: number | string;
  oovToken?: string;
  lower: boolean;
  filters?: string;
  split?: string;
  color: boolean;
}

/** Whether `explain` should treat its inputs as text: a vocabulary was given, or an input is text (`.txt`, `-` for stdin). */
export const isTextRequest = (flags: { vocab?: string }, inputs: readonly string[]): boolean =>
  flags.vocab !== undefined || inputs.some((f) => f === '-' || f === '/dev/stdin' || f.toLowerCase().endsWith('.txt'));

/** Whether the model's first input holds token ids (an Embedding reads it). */
export const readsTokens = (model: Model): boolean =>
  model.layers.some((l) => l.className === 'Embedding' && l.inbound.includes(model.inputNames[0]));

interface TextSample {
  name: string;
  ids: number[];
  words: string[];
}

function textOptions(flags: TextFlags, model: Model): TextOptions {
  const fixed = model.inputShape.length === 1 && typeof model.inputShape[0] === 'number' ? model.inputShape[0] : undefined;
  return {
    maxlen: flags.maxlen === undefined ? fixed : parseInteger('--maxlen', flags.maxlen, 1),
    padding: flags.padding === undefined ? undefined : parseChoice('--padding', flags.padding, ['pre', 'post'] as const),
    truncating: flags.truncating === undefined ? undefined : parseChoice('--truncating', flags.truncating, ['pre', 'post'] as const),
    numWords: flags.numWords === undefined ? undefined : parseInteger('--num-words', flags.numWords, 1),
    oovToken: flags.oovToken,
    lower: flags.lower,
    filters: flags.filters,
    split: flags.split,
  };
}

/** The samples of one input: a line of text each (`.txt`, stdin), or rows of token ids (`.json`, `.npy`). */
function samplesOf(path: string, vocab: Vocabulary | undefined, options: TextOptions): TextSample[] {
  const bytes = path === '-' ? readFileSync(0) : readFileSync(path);
  const name = path === '-' || path === '/dev/stdin' ? 'stdin' : basename(path);
  if (path === '-' || path === '/dev/stdin' || path.toLowerCase().endsWith('.txt')) {
    if (!vocab)
      throw usageError(`${path}: raw text needs --vocab (a Tokenizer JSON, a {word: id} JSON or a TextVectorization vocabulary file)`);
    const lines = new TextDecoder()
      .decode(bytes)
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    return lines.map((line, k) => {
      const { ids, words } = encodeText(line, vocab, options);
      if (ids.length === 0)
        throw new LrpKerasError(`${path}: line ${k + 1} has no word of the vocabulary (and no OOV token to stand for them)`);
      return { name: lines.length > 1 ? `${name}[${k}]` : name, ids, words };
    });
  }
  const input = decodeInput(new Uint8Array(bytes), path);
  if (!('array' in input)) throw usageError(`${path}: an image, but the model reads token ids`);
  const t = input.array;
  const rows = t.shape.length === 1 ? 1 : t.shape[0];
  const length = t.data.length / rows;
  const byId = vocab ? new Map([...vocab.index].map(([w, id]) => [id, w])) : undefined;
  return Array.from({ length: rows }, (_, r) => {
    const ids = Array.from(t.data.subarray(r * length, (r + 1) * length));
    return { name: rows > 1 ? `${name}[${r}]` : name, ids, words: ids.map((id) => (id === 0 ? '' : (byId?.get(id) ?? String(id)))) };
  });
}

/** `lrp-keras explain` on a text model: relevance per token, as an HTML page per input and colours in the terminal. */
export async function explainTextCommand(modelPath: string, inputPaths: string[], flags: TextFlags): Promise<void> {
  const target = parseTarget(flags.target);
  const vocab = flags.vocab === undefined ? undefined : parseVocabulary(readFileSync(flags.vocab, 'utf8'), flags.vocab);
  const model = await loadModelFile(modelPath, flags.config);
  if (!readsTokens(model))
    throw usageError(`${modelPath}: its input '${model.inputNames[0]}' is not read by an Embedding layer, so it takes no text`);
  const options = textOptions(flags, model);
  const samples = inputPaths.flatMap((p) => samplesOf(p, vocab, options));
  mkdirSync(flags.out, { recursive: true });
  const used = new Set<string>();
  const results = samples.map((sample) => {
    const x = { shape: [1, sample.ids.length], data: Float32Array.from(sample.ids) };
    const scores = model.predict(x).data;
    const relevance = analyze(model, x, { method: flags.method, target }).data;
    // Padding (id 0) is shown only where it got relevance: a model without mask_zero reads it like a word.
    const shown = sample.words
      .map((w, i) => ({ w: w === '' ? '<pad>' : w, r: relevance[i] }))
      .filter(({ w, r }) => w !== '<pad>' || r !== 0);
    const title = `${flags.method}: ${scores.length === 1 ? `score ${scores[0].toFixed(4)}` : `class ${target === 'max' ? argmax(scores) : target}`}`;
    let file = `${sample.name.replace(/\.(txt|json|npy)/i, '').replace(/\[(\d+)\]$/, '_$1')}.html`;
    for (let k = 2; used.has(file); k++) file = file.replace(/(-\d+)?\.html$/, `-${k}.html`);
    used.add(file);
    const path = join(flags.out, file);
    writeFileSync(
      path,
      textHeatmapHTML(
        shown.map((s) => s.w),
        shown.map((s) => s.r),
        { title: `${sample.name} — ${title}`, page: true },
      ),
    );
    if (!flags.json)
      process.stdout.write(
        textHeatmapANSI(
          shown.map((s) => s.w),
          shown.map((s) => s.r),
          { title: `${sample.name} — ${title}`, color: flags.color },
        ),
      );
    return {
      input: sample.name,
      ids: sample.ids,
      tokens: sample.words,
      scores: Array.from(scores),
      relevance: Array.from(relevance),
      heatmap: path,
    };
  });
  if (flags.json) {
    console.log(JSON.stringify({ model: modelPath, method: flags.method, results }, null, 2));
    return;
  }
  console.log(
    formatTable(
      ['input', 'tokens', 'score', 'Σ relevance', 'heatmap'],
      results.map((r) => [
        r.input,
        String(r.ids.filter((id) => id !== 0).length),
        r.scores.map((s) => s.toFixed(4)).join(' '),
        r.relevance.reduce((a, b) => a + b, 0).toPrecision(4),
        r.heatmap,
      ]),
    ),
  );
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}
