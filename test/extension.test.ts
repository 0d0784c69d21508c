// A new rule is one table entry: `defineRule` adds a toy rule the way src/lrp/rules.ts holds the
// built-in ones, and it works as a method, as a `layerRules` value and in the CLI, with no other edit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze, defineRule, METHODS, type Explanation } from '../src/index.js';
import { makeRule } from '../src/lrp/rules.js';
import { loadModel } from '../src/node.js';
import { repoRoot } from './fixtures.js';

/** ε with every contribution halved: exactly half of what ε gives at each layer it rules. */
const halfEpsilon = {
  description: 'toy rule: LRP-ε with every contribution halved',
  make: (p: Parameters<typeof makeRule>[1]) => {
    const eps = makeRule('epsilon', p);
    return { ...eps, name: 'half-epsilon', groups: eps.groups.map((g) => ({ ...g, coef: g.coef / 2 })) };
  },
};

const model = join(repoRoot, 'test/fixtures/models/mlp.h5');

test('a rule added with defineRule is a method and a layerRules value like the built-in ones', async () => {
  defineRule('half-epsilon', halfEpsilon);
  assert.is(METHODS['half-epsilon'], halfEpsilon.description);
  const m = await loadModel(model);
  const n = m.inputShape[0]!;
  const x = { shape: [2, n], data: Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i)) };
  const depth = m.layers.filter((l) => l.className === 'Dense').length;
  const half = analyze(m, x, { method: 'half-epsilon' }) as Explanation;
  const eps = analyze(m, x, { method: 'epsilon' }) as Explanation;
  // Every Dense layer halves: 2^-depth of ε's relevance, to float32 rounding.
  half.data.forEach((v, i) => assert.ok(Math.abs(v - eps.data[i] / 2 ** depth) <= 1e-6 * Math.abs(eps.data[i]) + 1e-9, `element ${i}`));
  const last = m.layers.filter((l) => l.className === 'Dense').at(-1)!.name;
  const overridden = analyze(m, x, { method: 'epsilon', layerRules: { [last]: 'half-epsilon' } }) as Explanation;
  overridden.data.forEach((v, i) =>
    assert.ok(Math.abs(v - eps.data[i] / 2) <= 1e-6 * Math.abs(eps.data[i]) + 1e-9, `layerRules element ${i}`),
  );
  assert.throws(() => defineRule('half-epsilon', halfEpsilon), /already a method id/);
  assert.throws(() => defineRule('Bad Id', halfEpsilon), /lower-case/);
});

test('the CLI lists and runs a rule defined before it starts', async () => {
  const dist = (path: string): string => pathToFileURL(join(repoRoot, 'build/src', path)).href;
  const script = `
    const { defineRule } = await import(${JSON.stringify(dist('index.js'))});
    const { makeRule } = await import(${JSON.stringify(dist('lrp/rules.js'))});
    defineRule('half-epsilon', { description: 'toy rule', make: (p) => makeRule('epsilon', p) });
    process.argv = [process.argv[0], 'lrp-keras', ...JSON.parse(process.env.ARGS)];
    await import(${JSON.stringify(dist('cli/main.js'))});`;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ARGS: JSON.stringify(args) },
    });
  const methods = run('methods');
  assert.is(methods.status, 0, methods.stderr);
  assert.match(methods.stdout, /^half-epsilon +toy rule/m);
  const n = (await loadModel(model)).inputShape[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-extension-'));
  writeFileSync(join(dir, 'x.json'), JSON.stringify(Array.from({ length: n }, (_, i) => Math.cos(i))));
  const explained = run('explain', model, join(dir, 'x.json'), '--method', 'half-epsilon', '--out', dir, '--json');
  assert.is(explained.status, 0, explained.stderr);
  assert.is(JSON.parse(explained.stdout).method, 'half-epsilon');
});

test.run();
