// The README's first command: `npm run example` explains ten MNIST digits and writes example/heatmaps.png.
// Run here into a temporary file: all ten predicted right, and the very image the repository holds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

test('npm run example: ten digits predicted right, the committed heatmaps.png reproduced byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-example-'));
  try {
    const out = join(dir, 'heatmaps.png');
    const log = execFileSync(process.execPath, [join(repoRoot, 'build/example/run.js'), out], { encoding: 'utf8' });
    const lines = [...log.matchAll(/true (\d), predicted (\d)/g)];
    assert.is(lines.length, 10);
    for (const [line, truth, predicted] of lines) assert.is(predicted, truth, line);
    assert.ok(readFileSync(out).equals(readFileSync(join(repoRoot, 'example/heatmaps.png'))), 'same PNG as example/heatmaps.png');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
