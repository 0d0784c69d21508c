import { LrpKerasError } from './errors.js';
import { isObject } from './json.js';

/**
 * Raw text → token ids as Keras' own preprocessing makes them: `Tokenizer` (`text_to_word_sequence`,
 * `texts_to_sequences` with `num_words` and the OOV token), `TextVectorization` vocabularies, and
 * `pad_sequences` (`maxlen`, `pre`/`post` padding and truncating).
 */

/** Keras' Tokenizer default filters. */
export const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';
/** TextVectorization's `lower_and_strip_punctuation` removes these. */
const TEXT_VECTORIZATION_PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;

export interface Vocabulary {
  kind: 'tokenizer' | 'word-index' | 'text-vectorization';
  /** word → id (ids from 1; 0 is padding). */
  index: Map<string, number>;
  /** From the Tokenizer JSON where it says; options override. */
  numWords?: number;
  oovToken?: string;
  lower?: boolean;
  filters?: string;
  split?: string;
}

export interface TextOptions {
  numWords?: number;
  oovToken?: string;
  lower?: boolean;
  filters?: string;
  split?: string;
  maxlen?: number;
  padding?: 'pre' | 'post';
  truncating?: 'pre' | 'post';
}

function wordIndex(value: unknown, file: string): Map<string, number> {
  const object = typeof value === 'string' ? JSON.parse(value) : value;
  if (!isObject(object)) throw new LrpKerasError(`${file}: word_index is not an object of {word: id}`);
  const index = new Map<string, number>();
  for (const [word, id] of Object.entries(object)) {
    if (!Number.isInteger(id) || (id as number) < 1)
      throw new LrpKerasError(`${file}: the id of '${word}' is ${JSON.stringify(id)}, expected an integer ≥ 1`);
    index.set(word, id as number);
  }
  return index;
}

/**
 * A vocabulary file: a Keras Tokenizer's `to_json()`, a flat `{word: id}` JSON (`tokenizer.word_index`),
 * or a TextVectorization vocabulary (one token per line; ids from 2 after the mask and the OOV token,
 * or from 0 when the file starts with them, as `get_vocabulary()` writes it).
 */
export function parseVocabulary(text: string, file: string): Vocabulary {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new LrpKerasError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    if (isObject(json) && json.class_name === 'Tokenizer' && isObject(json.config)) {
      const c = json.config;
      return {
        kind: 'tokenizer',
        index: wordIndex(c.word_index, file),
        numWords: typeof c.num_words === 'number' ? c.num_words : undefined,
        oovToken: typeof c.oov_token === 'string' ? c.oov_token : undefined,
        lower: typeof c.lower === 'boolean' ? c.lower : undefined,
        filters: typeof c.filters === 'string' ? c.filters : undefined,
        split: typeof c.split === 'string' ? c.split : undefined,
      };
    }
    return { kind: 'word-index', index: wordIndex(json, file) };
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const offset = lines[0] === '' && lines[1] === '[UNK]' ? 0 : 2;
  const index = new Map<string, number>();
  lines.forEach((word, i) => {
    if (i + offset >= 2 && !index.has(word)) index.set(word, i + offset);
  });
  return { kind: 'text-vectorization', index, oovToken: '[UNK]' };
}

/** The words of a text as Keras splits it (Tokenizer's `text_to_word_sequence`, or TextVectorization's default standardization). */
export function textToWords(text: string, vocab: Vocabulary, options: TextOptions = {}): string[] {
  const lower = options.lower ?? vocab.lower ?? true;
  let t = lower ? text.toLowerCase() : text;
  if (vocab.kind === 'text-vectorization')
    return t
      .replace(TEXT_VECTORIZATION_PUNCTUATION, '')
      .split(/\s+/)
      .filter((w) => w !== '');
  const split = options.split ?? vocab.split ?? ' ';
  const filters = options.filters ?? vocab.filters ?? KERAS_FILTERS;
  for (const c of filters) t = t.split(c).join(split);
  return t.split(split).filter((w) => w !== '');
}

/** Words → ids as `texts_to_sequences` does: ids ≥ num_words and unknown words become the OOV id, or are dropped without one. */
export function wordsToIds(words: readonly string[], vocab: Vocabulary, options: TextOptions = {}): { ids: number[]; words: string[] } {
  const numWords = options.numWords ?? vocab.numWords;
  const oovToken = options.oovToken ?? vocab.oovToken;
  const oov = vocab.kind === 'text-vectorization' ? 1 : oovToken === undefined ? undefined : vocab.index.get(oovToken);
  if (oovToken !== undefined && oov === undefined) throw new LrpKerasError(`the OOV token '${oovToken}' is not in the vocabulary`);
  const ids: number[] = [];
  const kept: string[] = [];
  for (const w of words) {
    let id = vocab.index.get(w);
    if (id !== undefined && numWords !== undefined && id >= numWords) id = oov;
    else if (id === undefined) id = oov;
    if (id === undefined) continue;
    ids.push(id);
    kept.push(w);
  }
  return { ids, words: kept };
}

/** `pad_sequences` for one sequence: returns the ids and each position's word ('' for padding). */
export function padSequence(
  ids: readonly number[],
  words: readonly string[],
  maxlen: number | undefined,
  options: TextOptions = {},
): { ids: number[]; words: string[] } {
  if (maxlen === undefined) return { ids: [...ids], words: [...words] };
  const padding = options.padding ?? 'pre';
  const truncating = options.truncating ?? 'pre';
  let i = [...ids];
  let w = [...words];
  if (i.length > maxlen) {
    i = truncating === 'pre' ? i.slice(i.length - maxlen) : i.slice(0, maxlen);
    w = truncating === 'pre' ? w.slice(w.length - maxlen) : w.slice(0, maxlen);
  }
  const pad = maxlen - i.length;
  const zeros = new Array<number>(pad).fill(0);
  const blanks = new Array<string>(pad).fill('');
  return padding === 'pre' ? { ids: [...zeros, ...i], words: [...blanks, ...w] } : { ids: [...i, ...zeros], words: [...w, ...blanks] };
}

/** A text → padded token ids and the word at each position (the whole Keras recipe). */
export function encodeText(text: string, vocab: Vocabulary, options: TextOptions = {}): { ids: number[]; words: string[] } {
  const { ids, words } = wordsToIds(textToWords(text, vocab, options), vocab, options);
  return padSequence(ids, words, options.maxlen, options);
}
