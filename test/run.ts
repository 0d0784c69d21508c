// Runs every compiled *.test.js with uvu and ends with the line CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
// uvu exports no package.json; its main entry is dist/index.js, and bin.js sits at the package root.
const uvuBin = join(dirname(createRequire(import.meta.url).resolve('uvu')), '..', 'bin.js');
const pattern = `(${process.argv[2] ?? ''}).*\\.test\\.js$`;
const run = spawnSync(process.execPath, [uvuBin, here, pattern], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
process.stdout.write(run.stdout);
// eslint-disable-next-line no-control-regex
const plain = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
const count = (label: string): number => Number(/\s+(\d+)/.exec(plain.slice(plain.lastIndexOf(label) + label.length))?.[1] ?? NaN);
const total = count('Total:');
const passed = count('Passed:');
const skipped = count('Skipped:');
if (!Number.isFinite(total) || !Number.isFinite(passed) || run.status !== 0 && total === passed + skipped) {
  console.log(`${Number.isFinite(passed) ? passed : 0} passed, ${Number.isFinite(total) ? Math.max(1, total - passed - skipped) : 1} failed`);
  process.exit(1);
}
console.log(`${passed} passed, ${total - passed - skipped} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status ?? 1);
