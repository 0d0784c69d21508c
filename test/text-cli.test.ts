// `lrp-keras explain` on a text model: raw text with the vocabulary it was trained with and Keras'
// preprocessing as flags (the example's sentiment LSTM, whose scores ../shared/examples/text/PROVENANCE.md
// lists), token ids from JSON, an HTML page per text, the terminal's plain form, and usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

const cli = join(repoRoot, 'build/src/cli/main.js');
const model = join(repoRoot, 'example/text/spotify_reviews_lstm.h5');
const vocab = join(repoRoot, 'example/text/spotify_reviews_word_index.json');
const work = mkdtempSync(join(tmpdir(), 'lrp-keras-text-cli-'));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' });
const recipe = ['--vocab', vocab, '--num-words', '5000', '--oov-token', '<OOV>', '--maxlen', '20'];

test.after(() => rmSync(work, { recursive: true, force: true }));

test('raw text with a word-index vocabulary: the scores of the training recipe (post) and of the notebook (pre), JSON results, HTML pages', () => {
  writeFileSync(
    join(work, 'reviews.txt'),
    'Great music service, the audio is high quality\nReally buggy and terrible to use as of recently\n',
  );
  const post = run(
    'explain',
    model,
    'reviews.txt',
    ...recipe,
    '--padding',
    'post',
    '--truncating',
    'post',
    '--method',
    'epsilon',
    '--json',
    '--out',
    'out',
  );
  assert.is(post.status, 0, post.stderr);
  const results = JSON.parse(post.stdout).results as {
    input: string;
    ids: number[];
    tokens: string[];
    scores: number[];
    relevance: number[];
    heatmap: string;
  }[];
  assert.equal(
    results.map((r) => r.scores[0].toFixed(3)),
    ['0.847', '0.022'],
  );
  assert.equal(results[0].tokens.slice(0, 3), ['great', 'music', 'service']);
  assert.equal(results[0].ids.slice(0, 3), [17, 4, 125]);
  assert.is(results[0].ids.length, 20);
  assert.ok(existsSync(join(work, 'out/reviews_0.html')) && existsSync(join(work, 'out/reviews_1.html')));
  assert.match(readFileSync(join(work, 'out/reviews_0.html'), 'utf8'), /aria-label="great: \+/);
  writeFileSync(join(work, 'probe.txt'), 'Great music service,\n');
  const pre = run('explain', model, 'probe.txt', ...recipe, '--json', '--out', 'out');
  assert.is(pre.status, 0, pre.stderr);
  assert.is((JSON.parse(pre.stdout).results[0].scores[0] as number).toFixed(5), '0.78499');
});

test('token ids from JSON, printed plainly with --no-color (padding shown where it got relevance)', () => {
  writeFileSync(join(work, 'ids.json'), '[[0, 0, 17, 4, 125]]');
  const r = run('explain', model, 'ids.json', '--method', 'gradient', '--vocab', vocab, '--no-color', '--out', 'out');
  assert.is(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^ids\.json — gradient: score 0\.7096\n<pad>\[[+−][\d.]+\] <pad>\[[+−][\d.]+\] great\[\+[\d.]+\] music\[[+−][\d.]+\] service\[[+−][\d.]+\]\n/,
  );
});

test('usage errors: text without a vocabulary, a bad --padding', () => {
  writeFileSync(join(work, 'plain.txt'), 'hello\n');
  const noVocab = run('explain', model, 'plain.txt', '--out', 'out');
  assert.is(noVocab.status, 2);
  assert.match(noVocab.stderr, /raw text needs --vocab/);
  const bad = run('explain', model, 'plain.txt', ...recipe, '--padding', 'middle', '--out', 'out');
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--padding/);
});

test.run();
