// The WebAssembly kernels against the TypeScript ones (the reference): float64 mode gives the same
// bits, float32 mode (the default) agrees to float32 rounding; on random Dense and Conv shapes with
// edge tiles, padding, strides, dilation, groups, depthwise multipliers, batch 1, sign parts, modifiers.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kernelBackend, prepareKernels, setKernelModule, withPrecision, withTypeScriptKernels } from '../src/kernels/backend.js';
import { conv2dForward, conv2dTranspose } from '../src/kernels/conv2d.js';
import { denseForward, denseTranspose } from '../src/kernels/dense.js';
import { plainWeights, type SignPart, type WeightView } from '../src/kernels/gemm-problem.js';
import { JOB_FIELDS } from '../src/kernels/wasm/job.js';
import { SIMD128 } from '../src/kernels/wasm/kernel-bytes.js';
import { repoRoot } from './fixtures.js';
import { random, randomArray } from './kernel-reference.js';
import { describe, identical, randomConv } from './kernels-wasm-cases.js';

/** max |a − b| / max |b|. */
function deviation(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? err : err / scale;
}

/** `f` on the TypeScript kernels, and on the WebAssembly ones in float64 and float32. */
function threeWays(f: () => Float32Array): { ts: Float32Array; f64: Float32Array; f32: Float32Array } {
  return { ts: withTypeScriptKernels(f), f64: withPrecision('float64', f), f32: withPrecision('float32', f) };
}

function check(label: string, r: ReturnType<typeof threeWays>): void {
  assert.ok(identical(r.f64, r.ts), `${label}: float64 mode differs from the TypeScript kernels (${deviation(r.f64, r.ts)})`);
  const d = deviation(r.f32, r.ts);
  assert.ok(d < 1e-5, `${label}: float32 mode deviates ${d}`);
}

test('the kernels run on WebAssembly SIMD128 here', () => {
  assert.match(kernelBackend().name, /^wasm-simd128/, kernelBackend().reason);
});

test('the job layout is the same on both sides (assembly/job.ts and job.ts)', () => {
  const source = readFileSync(`${repoRoot}/src/kernels/wasm/assembly/job.ts`, 'utf8');
  assert.equal(
    [...source.matchAll(/^\s+(\w+): i32;/gm)].map((m) => m[1]),
    [...JOB_FIELDS],
  );
});

const modifiers = (W: Float32Array): WeightView[] => [
  plainWeights(W),
  { W, transform: (w) => w + 0.25 * Math.max(w, 0), slopes: { pos: 0.25, neg: 0 }, cacheKey: 'gamma:0.25' },
  { W, transform: (w) => w * w, cacheKey: 'square' },
];

test('Dense forward and transpose: every tile edge, batch 1, parts, modifiers, bias', () => {
  const r = random(7);
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 300, 10],
    [2, 17, 9],
    [5, 8, 8],
    [6, 33, 17],
    [11, 64, 31],
    [64, 100, 12],
    [130, 9, 130],
    [3, 3000, 7],
    [41, 1200, 23],
  ];
  shapes.forEach(([n, inF, outF], k) => {
    const x = randomArray(n * inF, k);
    const W = randomArray(inF * outF, 100 + k);
    const b = k % 2 ? randomArray(outF, 200 + k) : null;
    const gy = randomArray(n * outF, 300 + k);
    for (const w of modifiers(W)) {
      const part = (['all', 'positive', 'negative'] as SignPart[])[Math.floor(r() * 3 + 1.5) % 3];
      check(
        `dense ${n}×${inF}→${outF} ${w.cacheKey} ${part}`,
        threeWays(() => {
          const y = new Float32Array(n * outF);
          denseForward(x, w, b, y, n, inF, outF, part);
          return y;
        }),
      );
      check(
        `dense-t ${n}×${inF}→${outF} ${w.cacheKey}`,
        threeWays(() => {
          const gx = new Float32Array(n * inF);
          denseTranspose(gy, w, gx, n, inF, outF);
          return gx;
        }),
      );
    }
  });
});

test('Conv forward and transpose on 120 random geometries (GEMM and depthwise paths)', () => {
  const r = random(11);
  for (let i = 0; i < 120; i++) {
    const c = randomConv(r);
    const { g, n } = c;
    const x = randomArray(n * g.H * g.W * g.C, i);
    const K = randomArray(g.kh * g.kw * (g.C / g.groups) * g.O, 1000 + i);
    const b = i % 3 ? randomArray(g.O, 2000 + i) : null;
    const gy = randomArray(n * g.OH * g.OW * g.O, 3000 + i);
    const w = modifiers(K)[i % 3];
    const part = (['all', 'positive', 'negative'] as SignPart[])[i % 3];
    check(
      `conv ${describe(c)} ${w.cacheKey} ${part}`,
      threeWays(() => {
        const y = new Float32Array(n * g.OH * g.OW * g.O);
        conv2dForward(x, w, b, y, n, g, part);
        return y;
      }),
    );
    check(
      `conv-t ${describe(c)} ${w.cacheKey}`,
      threeWays(() => {
        const gx = new Float32Array(n * g.H * g.W * g.C).fill(NaN);
        conv2dTranspose(gy, w, gx, n, g);
        return gx;
      }),
    );
  }
});

test('sign parts treat −0 as the TypeScript kernels do (both parts of −0 are +0)', () => {
  const [n, inF, outF] = [7, 40, 9];
  const x = randomArray(n * inF, 5).map((v, i) => (i % 3 === 0 ? -0 : v));
  const W = randomArray(inF * outF, 6);
  for (const part of ['positive', 'negative'] as const) {
    check(
      `dense −0 ${part}`,
      threeWays(() => {
        const y = new Float32Array(n * outF);
        denseForward(x, plainWeights(W), null, y, n, inF, outF, part);
        return y;
      }),
    );
  }
});

test('a module from the host (setKernelModule) runs the same kernels; one that is not the kernels gives the TypeScript path and says why', async () => {
  const [n, inF, outF] = [9, 70, 13];
  const x = randomArray(n * inF, 1);
  const W = randomArray(inF * outF, 2);
  const dense = (): Float32Array => {
    const y = new Float32Array(n * outF);
    denseForward(x, plainWeights(W), null, y, n, inF, outF);
    return y;
  };
  const shipped = dense();
  try {
    // The module for ordinary memory (dist/kernels/wasm/kernels-simd128.wasm holds the same bytes).
    setKernelModule(new WebAssembly.Module(Uint8Array.from(atob(SIMD128), (c) => c.charCodeAt(0))));
    assert.match(kernelBackend().name, /^wasm-simd128/);
    assert.ok(identical(dense(), shipped), 'the module on ordinary memory gives the same bits');
    setKernelModule(new WebAssembly.Module(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0])));
    assert.is(kernelBackend().name, 'typescript');
    assert.match(kernelBackend().reason ?? '', /could not start/);
    assert.ok(identical(dense(), withTypeScriptKernels(dense)));
    setKernelModule(null);
    await prepareKernels(); // compiled off the thread, as a page's main thread needs
    assert.ok(identical(dense(), shipped));
  } finally {
    setKernelModule(null);
  }
});

test.run();
