// Where test data lives: copies in test/fixtures (always there) and ../shared (present on developer
// machines and in CI beside the clone, with more files). Compiled tests run from build/test.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sharedRoot = resolve(repoRoot, '../shared');

/** A file copied into test/fixtures. */
export const fixturePath = (rel: string): string => join(repoRoot, 'test/fixtures', rel);

/** A path in ../shared, or undefined (with a printed note) when ../shared or the file is absent. */
export function sharedPath(rel: string): string | undefined {
  const path = join(sharedRoot, rel);
  if (existsSync(path)) return path;
  console.log(`  note: ../shared/${rel} is absent`);
  return undefined;
}

/**
 * The skip convention: a test that cannot run here calls this and returns (or a test file registers
 * it with uvu's test.skip and calls this): one "skip: <reason>" line per skipped test, which
 * test/run.ts counts as skipped, not passed, and repeats in its closing summary.
 */
export function skipTest(reason: string): void {
  console.log(`  skip: ${reason}`);
}
