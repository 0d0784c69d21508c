// The README and docs/api.md list what the tables hold: every method id, and every option key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHODS } from '../src/index.js';
import { repoRoot } from './fixtures.js';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

test('every method id is in the README and in the methods table of docs/api.md', () => {
  const readme = read('README.md');
  const api = read('docs/api.md');
  for (const id of Object.keys(METHODS)) {
    assert.ok(readme.includes(`\`${id}\``), `README.md does not name method ${id}`);
    assert.ok(new RegExp(`^\\| \`${id}\``, 'm').test(api), `docs/api.md has no row for method ${id}`);
  }
});

test('every analyze option is in the options table of docs/api.md', async () => {
  const api = read('docs/api.md');
  const source = read('src/analyze/options.ts');
  const keys = (/const OPTION_KEYS = Object\.keys\(\{([^}]*)\}/.exec(source)?.[1] ?? '')
    .split(',')
    .map((k) => k.split(':')[0].trim())
    .filter(Boolean);
  assert.ok(keys.length > 10, 'the option list was not found');
  for (const key of keys) assert.ok(api.includes(`\`${key}\``), `docs/api.md does not document option ${key}`);
});

test.run();
