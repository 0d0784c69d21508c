// bench/tune: which micro-kernel tile (MR×NR) is fastest on this engine. Compiles the kernels with
// each candidate shape (src/kernels/wasm/build.mjs, the build's own compiler step), runs the kernel
// alone on GEMM shapes from real layers in alternating rounds, and prints GFLOP/s and the ratio to
// the shipped shape. Every float32 shape must give the same bits (each output is one sum in k order),
// and so must every float64 shape: checked on each problem. Run after `npm run bench` (or a build and
// `tsc -p tsconfig.test.json`): `node build/bench/tune/index.js [--quick]`; `bun build/bench/tune/index.js` runs it in Bun.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plainWeights, type GemmCall } from '../../src/kernels/gemm-problem.js';
import { instantiate } from '../../src/kernels/wasm/engine.js';
import { stagedGemm, wasmGemm, type Precision } from '../../src/kernels/wasm/gemm.js';
import { timing } from '../stats.js';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const quick = process.argv.includes('--quick');

interface Compiler {
  compileKernels(out: string, shapes: { float32?: number[]; float64?: number[] }): Uint8Array;
}
const build = (await import(join(root, 'src/kernels/wasm/build.mjs'))) as Compiler;
const tiles = (await import(join(root, 'src/kernels/wasm/tiles.mjs'))) as { SHIPPED: { float32: number[]; float64: number[] } };

/** Candidate shapes: MR rows × NR columns (NR a multiple of 4). The accumulators (MR·NR/4 vectors in float32, MR·NR/2 in float64), B's vectors and one of A must fit 16 registers to run without spilling. */
const CANDIDATES: Record<Precision, number[][]> = {
  float32: [
    [5, 8],
    [4, 8],
    [6, 8],
    [3, 8],
    [2, 16],
    [3, 12],
    [4, 12],
    [4, 4],
    [8, 4],
  ],
  float64: [
    [4, 4],
    [2, 4],
    [3, 4],
    [5, 4],
    [2, 8],
    [6, 4],
  ],
};

/** GEMM shapes (M·K·N) from the benchmark models' layers. */
const PROBLEMS: [string, number, number, number][] = [
  ['1024³', 1024, 1024, 1024],
  ['VGG16 conv3 (im2col 3136·2304·256)', 3136, 2304, 256],
  ['VGG-CIFAR conv 16·32²·576·128', 16 * 256, 576, 128],
  ['MobileNetV2 1×1 expand 3136·24·144', 3136, 24, 144],
  ['Dense batch 16, 4096→1000', 16, 4096, 1000],
];

function call(M: number, K: number, N: number): GemmCall {
  const a = Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const w = Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const layout = { K, N, inner: K, base: 0, outerStride: 0, innerStride: N, nStride: 1 };
  return {
    M,
    N,
    K,
    left: { kind: 'rows', lda: K },
    a,
    part: 'all',
    weights: plainWeights(w),
    layout,
    layoutKey: 'tune',
    bias: null,
    biasOffset: 0,
    c: new Float32Array(M * N),
    ldc: N,
    cOffset: 0,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'lrp-keras-tune-'));
try {
  for (const precision of ['float32', 'float64'] as const) {
    const shipped = tiles.SHIPPED[precision].join('×');
    const variants = CANDIDATES[precision].map((shape) => {
      const bytes = build.compileKernels(join(dir, `${precision}-${shape.join('x')}.wasm`), { [precision]: shape });
      const e = instantiate(
        new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
        new WebAssembly.Memory({ initial: 1, maximum: 65536 }),
      );
      return { shape: shape.join('×'), e };
    });
    console.log(
      `\n${precision}: tiles MR×NR, GFLOP/s of the kernel alone (median of ${quick ? 3 : 7} alternating rounds), ÷ shipped ${shipped}`,
    );
    const rows: Record<string, string>[] = variants.map((v) => ({ tile: v.shape }));
    for (const [label, M, K, N] of PROBLEMS) {
      const problem = call(M, K, N);
      // Same bits from every shape: the whole product once per variant.
      const results = variants.map((v) => {
        const c = new Float32Array(M * N);
        wasmGemm(v.e, { ...problem, c }, precision, null);
        return c;
      });
      const same = results.every((c) => c.every((x, i) => Object.is(x, results[0][i])));
      if (!same) throw new Error(`${precision} ${label}: tile shapes disagree; every shape must sum each output in the same order`);
      const times: number[][] = variants.map(() => []);
      for (let r = 0; r <= (quick ? 3 : 7); r++) {
        const order = variants.map((_, i) => i);
        if (r % 2) order.reverse();
        for (const i of order) {
          const k = stagedGemm(variants[i].e, problem, precision);
          const t0 = performance.now();
          k.run();
          if (r > 0) times[i].push(performance.now() - t0);
          k.release();
        }
      }
      const gflops = times.map((t) => (2 * M * K * N) / timing(t).median / 1e6);
      const base = gflops[variants.findIndex((v) => v.shape === shipped)];
      variants.forEach((_, i) => (rows[i][label] = `${gflops[i].toFixed(1)} (${(gflops[i] / base).toFixed(2)})`));
    }
    console.table(rows);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
