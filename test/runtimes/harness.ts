// The Node side of the runtime tests: bundle the edge entry with esbuild, compute Node's own answer
// with the node entry and h5wasm (the HDF5 library itself), compare, and say plainly when a runtime is skipped.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as assert from 'uvu/assert';
import { build } from 'esbuild';
import { fixturePath, repoRoot } from '../fixtures.js';
import { PROBE_MODELS, probeModel, type ProbeLibrary, type ProbeResult } from './probe.js';

/** The published files the runtimes load: the universal entry, the node entry, and the compiled probe. */
export const distIndex = join(repoRoot, 'dist/index.js');
export const distNode = join(repoRoot, 'dist/node.js');
export const probeModule = join(repoRoot, 'build/test/runtimes/probe.js');

export const modelBytes = (rel: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(rel)));

/**
 * Bundle a small entry module (source text; absolute import paths) into one file, as an application
 * would bundle lrp-keras for the edge: esbuild, no Node built-ins (platform neutral or browser).
 */
export async function bundle(
  source: string,
  options: { format: 'esm' | 'iife'; platform?: 'neutral' | 'browser'; minify?: boolean } = { format: 'esm' },
): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: repoRoot, sourcefile: 'runtime-entry.js', loader: 'js' },
    bundle: true,
    write: false,
    format: options.format,
    platform: options.platform ?? 'neutral',
    minify: options.minify ?? false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** An entry module exposing the universal entry as `lib` and the probe, for bundling. */
export const probeEntrySource = (): string =>
  `export * as lib from ${JSON.stringify(distIndex)};\nexport { probeModel } from ${JSON.stringify(probeModule)};\n`;

let reference: Promise<Map<string, ProbeResult>> | undefined;

/** Node's answers for every probe model, through the node entry with h5wasm, the reference reader (the default is the pure one). */
export function nodeReference(): Promise<Map<string, ProbeResult>> {
  reference ??= (async () => {
    const lib = (await import(pathToFileURL(distNode).href)) as ProbeLibrary;
    const results = new Map<string, ProbeResult>();
    for (const rel of PROBE_MODELS) results.set(rel, await probeModel(lib, modelBytes(rel), 'node', 'h5wasm'));
    return results;
  })();
  return reference;
}

/**
 * Assert a runtime's answer equals Node's: same shapes, and every value within 1e-6 of the largest
 * |value| of that output (float32 rounding of different Math.exp/tanh implementations; V8 runtimes
 * agree bit for bit). Returns the largest relative deviation seen (0 when identical).
 */
export function assertSameAsNode(result: ProbeResult, expected: ProbeResult, label: string): number {
  assert.equal(result.inputShape, expected.inputShape, `${label}: input shape`);
  assert.equal(
    result.outputs.map((o) => o.method),
    expected.outputs.map((o) => o.method),
    `${label}: methods`,
  );
  let worst = 0;
  result.outputs.forEach((out, k) => {
    const ref = expected.outputs[k];
    assert.equal(out.shape, ref.shape, `${label} ${out.method}: shape`);
    assert.is(out.data.length, ref.data.length, `${label} ${out.method}: length`);
    let scale = 0;
    for (const v of ref.data) scale = Math.max(scale, Math.abs(v));
    assert.ok(scale > 0, `${label} ${out.method}: Node's answer is all zeros`);
    let err = 0;
    for (let i = 0; i < ref.data.length; i++) {
      const d = Math.abs(out.data[i] - ref.data[i]);
      err = Number.isNaN(d) ? Infinity : Math.max(err, d);
    }
    assert.ok(err <= 1e-6 * scale, `${label} ${out.method}: max|Δ| ${err} vs max|R| ${scale}`);
    worst = Math.max(worst, err / scale);
  });
  return worst;
}

/** How a runtime's agreement with Node is reported in the test output. */
export const agreement = (worst: number): string =>
  worst === 0 ? 'bit-identical to Node' : `within ${worst.toExponential(1)}·max|R| of Node`;

/** A runtime that cannot run here: say which and why, in the test output (the README says it too). */
export function skipNotice(runtime: string, reason: string): void {
  console.log(`  skip: ${runtime}: ${reason}`);
}

/** The first of these files that exists and is a real executable (not an npm placeholder script). */
export function findBinary(candidates: string[]): string | undefined {
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const head = new Uint8Array(4);
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return file; // ELF
  }
  return undefined;
}
