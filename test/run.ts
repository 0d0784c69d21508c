// Runs every compiled *.test.js with uvu and ends with the line CI reads: "N passed, N failed, N skipped".
// A skipped test prints one "skip: <reason>" line (see skipTest in fixtures.ts): it either returned
// early, which uvu counts as passed, or was registered with test.skip, which uvu counts as skipped.
// Either way it is counted here as skipped, not passed, and its reason is repeated before the count.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
// uvu exports no package.json; its main entry is dist/index.js, and bin.js sits at the package root.
const uvuBin = join(dirname(createRequire(import.meta.url).resolve('uvu')), '..', 'bin.js');
const pattern = `(${process.argv[2] ?? ''}).*\\.test\\.js$`;
// LRP_KERAS_TEST_DIR: another folder of compiled tests (test/run-summary.test.ts runs this on its own).
const run = spawnSync(process.execPath, [uvuBin, process.env.LRP_KERAS_TEST_DIR ?? here, pattern], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 1 << 28,
});
process.stdout.write(run.stdout);
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
const plain = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
const count = (label: string): number => Number(/\s+(\d+)/.exec(plain.slice(plain.lastIndexOf(label) + label.length))?.[1] ?? NaN);
const total = count('Total:');
const uvuPassed = count('Passed:');
const uvuSkipped = count('Skipped:');
// A line may start with the dots uvu prints for the tests before it.
const reasons = [...plain.matchAll(/^[\s•✘]*skip: (.*)$/gm)].map((m) => m[1].trim());
// uvu's Total counts the tests that ran: passed and failed, not skipped.
if (!Number.isFinite(total) || !Number.isFinite(uvuPassed) || (run.status !== 0 && total === uvuPassed)) {
  console.log(
    `${Number.isFinite(uvuPassed) ? uvuPassed : 0} passed, ${Number.isFinite(total) ? Math.max(1, total - uvuPassed) : 1} failed`,
  );
  process.exit(1);
}
// Skips uvu saw as passes: the tests that returned early.
const returnedEarly = Math.max(0, reasons.length - uvuSkipped);
const skipped = Math.max(reasons.length, uvuSkipped);
if (reasons.length > 0) console.log(`\nskipped:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
console.log(`${uvuPassed - returnedEarly} passed, ${total - uvuPassed} failed, ${skipped} skipped`);
process.exit(run.status ?? 1);
