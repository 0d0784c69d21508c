// npm test's closing line: a test that skips (returns early after skipTest, or is registered with
// test.skip) counts as skipped, not passed, and its reason is listed; before, a fresh clone without
// ../shared said "317 passed, Skipped: 0" while printing eight skip lines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

const fixtures = JSON.stringify(join(repoRoot, 'build/test/fixtures.js'));

/** Runs test/run.js on a folder holding the given compiled test files; inside build/ so that uvu resolves. */
function runSuite(files: Record<string, string>): { status: number | null; lines: string[] } {
  const dir = mkdtempSync(join(repoRoot, 'build', 'run-summary-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync(process.execPath, [join(repoRoot, 'build/test/run.js')], {
      encoding: 'utf8',
      env: { ...process.env, LRP_KERAS_TEST_DIR: dir },
    });
    return {
      status: r.status,
      lines: r.stdout
        // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
        .replace(/\x1b\[[0-9;]*m/g, '')
        .trimEnd()
        .split('\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('skipped tests are counted as skipped with their reasons; passes and failures as before', () => {
  const ok = runSuite({
    'a.test.js': `import { test } from 'uvu'; import { skipTest } from ${fixtures};
      test('runs', () => {});
      test('needs a browser', () => { skipTest('chromium: no browser here'); });
      test.run();`,
    'b.test.js': `import { test } from 'uvu'; import { skipTest } from ${fixtures};
      skipTest('zoo x.json: needs LSTM'); test.skip('zoo x.json', () => {});
      test('also runs', () => {});
      test.run();`,
  });
  assert.is(ok.status, 0);
  // Reasons in the order printed: uvu imports every file (b registers its skip) before running any test.
  assert.equal(ok.lines.slice(-4), [
    'skipped:',
    '  - zoo x.json: needs LSTM',
    '  - chromium: no browser here',
    '2 passed, 0 failed, 2 skipped',
  ]);
  const failing = runSuite({
    'c.test.js': `import { test } from 'uvu'; import * as assert from 'uvu/assert'; test('fails', () => assert.ok(false)); test('runs', () => {}); test.run();`,
  });
  assert.is(failing.status, 1);
  assert.is(failing.lines[failing.lines.length - 1], '1 passed, 1 failed, 0 skipped');
});

test.run();
