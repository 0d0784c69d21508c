// The README's text example: `npm run example:text` explains a sentiment LSTM's reviews and writes
// example/text-heatmap.png. Run here into a temporary file: the notebook's check value (0.7849921 for
// "Great music service," pre-padded), the scores PROVENANCE.md lists, and the very image the repository holds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

test('npm run example:text: the check value, the scores of PROVENANCE.md, the committed text-heatmap.png byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-text-example-'));
  try {
    const out = join(dir, 'text-heatmap.png');
    const log = execFileSync(process.execPath, [join(repoRoot, 'build/example/text.js'), out], { encoding: 'utf8' });
    assert.match(log, /^check: 0\.78499 /m);
    // Tokenizer-only scores with post padding (../shared/examples/text/PROVENANCE.md): 0.847, 0.384.
    const scores = [...log.matchAll(/p\(positive\) = (\d\.\d+)/g)].map((m) => m[1]);
    assert.equal(scores.slice(0, 2), ['0.847', '0.384']);
    assert.ok(readFileSync(out).equals(readFileSync(join(repoRoot, 'example/text-heatmap.png'))), 'same PNG as example/text-heatmap.png');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
