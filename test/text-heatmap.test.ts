// The text heatmap: colours by relevance (bwr: 0 white, +max red, −max blue), readable text colour,
// the terminal's ANSI form, the self-contained HTML; and in headless Chromium, a screenshot of the HTML
// has the expected colour at each token. Also Keras' text preprocessing (Tokenizer, pad_sequences).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeText, padSequence, parseVocabulary, textToWords } from '../src/text-input.js';
import { decodeImage } from '../src/viz/png.js';
import { readableOn, textHeatmapANSI, textHeatmapHTML, tokenColours } from '../src/viz/text-heatmap.js';
import { launchChromium } from './runtimes/chromium/browser.js';

const TOKENS = ['great', 'music', 'service', 'not', '<b>&'];
const RELEVANCE = [0.8, 0.4, 0, -0.4, -0.8];

test('colours: +max is red, −max blue, 0 white, halfway pale; text black on light, white on dark', () => {
  const c = tokenColours(TOKENS, RELEVANCE);
  assert.equal(c[0].background, [255, 0, 0]);
  assert.equal(c[4].background, [0, 0, 255]);
  assert.equal(c[2].background, [255, 255, 255]);
  assert.equal(c[1].background, [255, 128, 128]);
  assert.equal(c[3].background, [128, 128, 255]);
  assert.equal(c[2].foreground, [0, 0, 0]);
  assert.equal(c[4].foreground, [255, 255, 255]);
  // Pure red: black text contrasts 5.3:1, white 4:1 (WCAG).
  assert.equal(c[0].foreground, [0, 0, 0]);
  assert.equal(readableOn([255, 255, 0]), [0, 0, 0]);
  assert.equal(tokenColours(['a'], [0.2], { scale: 0.4 })[0].background, [255, 128, 128]);
  assert.throws(() => tokenColours(['a', 'b'], [1]), /2 tokens but 1 relevance/);
  assert.throws(() => tokenColours(['a'], [1], { colormap: 'viridis' }), /not diverging/);
});

test('terminal: each token on its 24-bit background, then the legend; --no-color prints values', () => {
  const out = textHeatmapANSI(TOKENS, RELEVANCE, { title: 'demo' });
  const lines = out.split('\n');
  assert.equal(lines[0], 'demo');
  assert.ok(lines[1].startsWith('\x1b[48;2;255;0;0m\x1b[38;2;0;0;0m great \x1b[0m'), JSON.stringify(lines[1]));
  assert.ok(lines[1].includes('\x1b[48;2;255;255;255m\x1b[38;2;0;0;0m service \x1b[0m'));
  assert.ok(lines[1].includes('\x1b[48;2;0;0;255m\x1b[38;2;255;255;255m <b>& \x1b[0m'));
  assert.match(lines[2], /^−0\.800 .*\+0\.800$/);
  assert.equal(textHeatmapANSI(['a', 'b'], [0.5, -0.25], { color: false }), 'a[+0.500] b[−0.250]\n');
  // Padding ('' from encodeText) is neither drawn nor part of the colour scale.
  assert.equal(textHeatmapANSI(['', 'a', ''], [2, 0.5, 0], { color: false }), 'a[+0.500]\n');
  assert.equal(tokenColours(['', 'a'], [2, 0.5])[1].background, [255, 0, 0]);
});

test('HTML: self-contained (no script, no external reference), tokens escaped with their values, a legend', () => {
  const html = textHeatmapHTML(TOKENS, RELEVANCE, { page: true, title: 'demo <1>' });
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.not.match(html, /<script|src=|href=|url\(/);
  assert.match(html, /<title>demo &#60;1&#62;<\/title>/);
  assert.match(html, /data-relevance="0.8" title="great: \+0.800" aria-label="great: \+0.800">great<\/span>/);
  assert.match(html, />&#60;b&#62;&#38;<\/span>/);
  assert.match(html, /aria-label="colour scale from −0.800/);
});

test('in Chromium, a screenshot of the HTML shows each token on its colour', async () => {
  const browser = await launchChromium();
  if (typeof browser === 'string') {
    console.log(`  skip: chromium: ${browser}`);
    return;
  }
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 300 }, deviceScaleFactor: 1 });
    await page.setContent(textHeatmapHTML(TOKENS, RELEVANCE, { page: true }));
    const png = decodeImage(new Uint8Array(await page.screenshot({ type: 'png' })));
    const spans = await page.$$eval('.tok', (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      }),
    );
    assert.equal(spans.length, TOKENS.length);
    const expected = tokenColours(TOKENS, RELEVANCE).map((c) => c.background);
    spans.forEach((box, i) => {
      // Inside the left padding, at mid height: background only, no glyph.
      const x = Math.round(box.x + 2);
      const y = Math.round(box.y + box.h / 2);
      const at = (y * png.width + x) * png.channels;
      const got = [png.data[at], png.data[at + 1], png.data[at + 2]];
      for (const [k, v] of got.entries())
        assert.ok(Math.abs(v - expected[i][k]) <= 2, `token ${i} '${TOKENS[i]}': ${got} vs ${expected[i]}`);
    });
  } finally {
    await browser.close();
  }
});

test('Keras text preprocessing: filters, lower case, num_words and the OOV token, pre/post padding and truncating', () => {
  const vocab = parseVocabulary(JSON.stringify({ '<OOV>': 1, great: 2, music: 3, service: 4, rare: 7 }), 'w.json');
  assert.equal(textToWords('Great music, service!', vocab), ['great', 'music', 'service']);
  assert.equal(encodeText('Great MUSIC, rare word', vocab, { numWords: 5, oovToken: '<OOV>' }).ids, [2, 3, 1, 1]);
  assert.equal(encodeText('Great unknown', vocab).ids, [2]);
  assert.equal(padSequence([5, 6, 7], ['a', 'b', 'c'], 5), { ids: [0, 0, 5, 6, 7], words: ['', '', 'a', 'b', 'c'] });
  assert.equal(padSequence([5, 6, 7], ['a', 'b', 'c'], 2).ids, [6, 7]);
  assert.equal(padSequence([5, 6, 7], ['a', 'b', 'c'], 2, { truncating: 'post', padding: 'post' }).ids, [5, 6]);
  assert.equal(padSequence([5], ['a'], 3, { padding: 'post' }).ids, [5, 0, 0]);
  const tokenizer = parseVocabulary(
    JSON.stringify({
      class_name: 'Tokenizer',
      config: {
        num_words: 3,
        oov_token: '<OOV>',
        lower: true,
        filters: '!',
        split: ' ',
        word_index: JSON.stringify({ '<OOV>': 1, a: 2, b: 3 }),
      },
    }),
    't.json',
  );
  assert.equal(encodeText('A b! c', tokenizer).ids, [2, 1, 1]);
  const tv = parseVocabulary('the\ncat\n', 'v.txt');
  assert.equal(encodeText("The cat's hat", tv).ids, [2, 1, 1]);
  assert.equal(encodeText('the cat', parseVocabulary('\n[UNK]\nthe\ncat\n', 'v.txt')).ids, [2, 3]);
});

test.run();
