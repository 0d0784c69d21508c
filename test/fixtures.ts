// Where test data lives: copies in test/fixtures (always there) and ../shared (present on developer
// machines and in CI beside the clone, with more files). Compiled tests run from build/test.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sharedRoot = resolve(repoRoot, '../shared');

/** A file copied into test/fixtures. */
export const fixturePath = (rel: string): string => join(repoRoot, 'test/fixtures', rel);

/** A path in ../shared, or undefined (with a printed notice) when ../shared or the file is absent. */
export function sharedPath(rel: string): string | undefined {
  const path = join(sharedRoot, rel);
  if (existsSync(path)) return path;
  console.log(`  skip: ../shared/${rel} is absent; tests that need it are skipped`);
  return undefined;
}
