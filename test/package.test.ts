// The published package: `npm pack` → install into an empty folder → plain Node imports it and runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, repoRoot } from './fixtures.js';

test('npm pack installs into an empty folder where plain Node can load a model and explain it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-pack-'));
  try {
    const quiet = { cwd: repoRoot, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
    execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], quiet);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote no tarball');
    const app = join(dir, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', join(dir, tarball!)], { ...quiet, cwd: app });
    writeFileSync(join(app, 'main.js'), `
      import { loadModel, lrp } from 'lrp-keras';
      const model = await loadModel(${JSON.stringify(fixturePath('models/mlp.h5'))});
      const x = { shape: [1, ...model.inputShape], data: new Float32Array(model.inputShape.reduce((a, b) => a * b, 1)).fill(0.5) };
      const R = lrp(model, x);
      console.log(JSON.stringify({ shape: R.shape, finite: R.data.every(Number.isFinite), classes: model.outputShape }));
    `);
    const out = JSON.parse(execFileSync('node', ['main.js'], { ...quiet, cwd: app }).trim());
    assert.equal(out.shape[0], 1);
    assert.ok(out.finite);
    assert.equal(out.classes, [10]);
    const packed = execFileSync('tar', ['-tzf', join(dir, tarball!)], { encoding: 'utf8' });
    assert.match(packed, 'package/dist/index.d.ts');
    assert.not.match(packed, 'package/test/');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
