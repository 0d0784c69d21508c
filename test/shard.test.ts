// lrp-keras explain --shard i/n: the split (every file in exactly one shard, whatever the order or
// the other files) and the resumable run (what exists is skipped, the rest written as one run would).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inShard, parseShard, shardOf } from '../src/cli/shard.js';
import { repoRoot } from './fixtures.js';

const names = Array.from({ length: 1000 }, (_, i) => `images/${i % 3 === 0 ? 'cat' : 'dog'}_${i}.jpg`);

test('the shards of a list are disjoint, cover it, and are balanced', () => {
  const shards = Array.from({ length: 7 }, (_, index) => inShard(names, { index, count: 7 }));
  assert.equal(shards.flat().sort(), [...names].sort());
  assert.is(new Set(shards.flat()).size, names.length);
  for (const s of shards) assert.ok(s.length > (1000 / 7) * 0.8 && s.length < (1000 / 7) * 1.2, `shard of ${s.length}`);
});

test("a file's shard depends on its name only: not on order, directory or the other files", () => {
  const shuffled = [...names].reverse();
  for (let index = 0; index < 7; index++) {
    assert.equal(inShard(shuffled, { index, count: 7 }).sort(), inShard(names, { index, count: 7 }).sort());
  }
  assert.is(shardOf('/mnt/a/images/cat_3.jpg', 7), shardOf('images/cat_3.jpg', 7));
  // Pinned values: the split must not change between versions, or resumed jobs would redo or miss files.
  assert.equal(
    ['a.png', 'b.png', 'mnist_test_00_label7.png'].map((n) => shardOf(n, 4)),
    [1, 0, 3],
  );
});

test('--shard takes i/n with 0 ≤ i < n', () => {
  assert.equal(parseShard('2/5'), { index: 2, count: 5 });
  for (const bad of ['5/5', '1/0', '-1/3', 'a/b', '3']) assert.throws(() => parseShard(bad), /--shard must be i\/n with 0 ≤ i < n/);
});

const cli = join(repoRoot, 'build/src/cli/main.js');
const model = join(repoRoot, 'example/jhas_mnist_cnn_keras3.h5');
const digits = readdirSync(join(repoRoot, 'example/digits'))
  .filter((f) => f.endsWith('.png'))
  .map((f) => join(repoRoot, 'example/digits', f));

const explain = (out: string, ...args: string[]): string => {
  const r = spawnSync(process.execPath, [cli, 'explain', model, ...digits, '--out', out, ...args], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
};

test('explain --shard: two shards write what one run writes, and a rerun explains only what is missing', () => {
  const work = mkdtempSync(join(tmpdir(), 'lrp-keras-shard-'));
  try {
    explain(join(work, 'whole'));
    explain(join(work, 'split'), '--shard', '0/2');
    explain(join(work, 'split'), '--shard', '1/2');
    const whole = readdirSync(join(work, 'whole'))
      .filter((f) => f !== 'grid.png')
      .sort();
    assert.equal(readdirSync(join(work, 'split')).sort(), whole, 'the shards write every heatmap and no grid');
    for (const f of whole) assert.ok(readFileSync(join(work, 'whole', f)).equals(readFileSync(join(work, 'split', f))), `${f} differs`);

    const kept = join(work, 'split', whole[0]);
    const before = statSync(kept).mtimeMs;
    rmSync(join(work, 'split', whole[1]));
    const again = [explain(join(work, 'split'), '--shard', '0/2'), explain(join(work, 'split'), '--shard', '1/2')].join('');
    assert.match(again, /wrote 1 heatmap \(shard \d\/2; \d+ already there\)/);
    assert.match(again, /wrote 0 heatmaps \(shard \d\/2; \d+ already there\)/);
    assert.ok(readFileSync(join(work, 'whole', whole[1])).equals(readFileSync(join(work, 'split', whole[1]))));
    assert.is(statSync(kept).mtimeMs, before, 'an existing heatmap is not rewritten');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
