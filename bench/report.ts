// node build/bench/report.js: bench/results.json as the Markdown tables of the README's Benchmarks section.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, type Timing } from './stats.js';

interface Row {
  model: string;
  batch: number;
  threads: number;
  forward: Timing;
  lrp: Timing;
  egb: Timing;
  gxi: Timing;
  forwardGflops: number;
}
interface TfjsRow {
  model: string;
  backend: string;
  batch: number;
  forward: Timing;
  gxi: Timing | null;
}
interface Results {
  machine: { cpu: string; cores: number; node: string; date: string; loadBefore: number; loadAfter: number };
  quick: boolean;
  kernels?: { backend: string; bytes: number; startMs: Timing };
  ceilingSize: number;
  simdCeilingGflops: number;
  gemmCeiling: { size: number; simdGflops: number; simd64Gflops: number; scalarGflops: number; naiveGflops: number }[];
  scalar?: { model: string; batch: number; forward: Timing; lrp: Timing; simdForward: Timing; simdLrp: Timing }[];
  loads: Record<string, Timing>;
  flopsPerSample: Record<string, number>;
  rows: Row[];
  tfjs: TfjsRow[];
  layers: { model: string; batch: number; layer: string; kind: string; gflops: number; ofBest: number }[];
  partial?: boolean;
  peakRss: { model: string; reader: string; peakRssMB: number; baselineRssMB: number; weightsMB: number; activationsMB: number }[];
  coldStart: {
    model: string;
    reader: string;
    importMs: number;
    loadMs: number;
    lrpMs: number;
    stepsMs: Timing;
    sinceStart: Timing;
    wall: Timing;
  }[];
  targets: { target: string; value: string; met: boolean | null }[];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const r = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8')) as Results;
const name = (file: string): string => file.replace(/\.h5$/, '');
const per = (t: Timing, n: number): string => `${fmt(t.median / n)} (${fmt(t.min / n)}–${fmt(t.max / n)})`;
const out: string[] = [];
const table = (head: string[], rows: string[][]): void => {
  if (rows.length === 0) return;
  out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`), '');
};

out.push(
  `${r.machine.date.slice(0, 10)}, ${r.machine.cpu} (${r.machine.cores} vCPU), Node ${r.machine.node}${r.quick ? ', --quick' : ''}; ` +
    `1-minute load average ${r.machine.loadBefore.toFixed(1)} at the start${r.machine.loadAfter ? ` and ${r.machine.loadAfter.toFixed(1)} at the end` : ''} of the run${r.partial ? ' (partial: the models finished so far)' : ''}. ` +
    `Kernels: ${r.kernels?.backend ?? '?'}${r.kernels ? ` (${r.kernels.bytes}-byte module, started in ${fmt(r.kernels.startMs.median)} ms)` : ''}. ` +
    `SIMD ceiling in this run (the f32x4 5×8 kernel alone at ${r.ceilingSize}³, CPU time): ${r.simdCeilingGflops.toFixed(1)} GFLOP/s.`,
  '',
);

table(
  ['GEMM n³', 'SIMD f32x4 GFLOP/s', 'SIMD f64x2 GFLOP/s', 'scalar packed 4×4 GFLOP/s', 'naive GFLOP/s', 'SIMD ÷ scalar'],
  r.gemmCeiling.map((g) => [
    String(g.size),
    g.simdGflops.toFixed(1),
    g.simd64Gflops.toFixed(1),
    g.scalarGflops.toFixed(2),
    g.naiveGflops.toFixed(2),
    (g.simdGflops / g.scalarGflops).toFixed(1),
  ]),
);

table(
  ['scalar path (TypeScript kernels), 1 thread', 'batch', 'forward ms/sample', 'SIMD forward', '×', 'lrp ms/sample', 'SIMD lrp', '×'],
  (r.scalar ?? []).map((x) => [
    name(x.model),
    String(x.batch),
    fmt(x.forward.median / x.batch),
    fmt(x.simdForward.median / x.batch),
    (x.forward.median / x.simdForward.median).toFixed(1),
    fmt(x.lrp.median / x.batch),
    fmt(x.simdLrp.median / x.batch),
    (x.lrp.median / x.simdLrp.median).toFixed(1),
  ]),
);

table(
  [
    'model (GFLOP/sample)',
    'batch',
    'threads',
    'load ms',
    'forward ms/sample',
    'GFLOP/s',
    'lrp ms/sample',
    'lrp CPU ms/sample (1 thread)',
    'lrp ÷ fwd',
    'ε-γ-box ms/sample',
    'grad×input ms/sample',
    'tfjs-cpu ÷ ours (fwd, g×i)',
    'tfjs-wasm ÷ ours (fwd, g×i)',
  ],
  r.rows.map((row) => {
    const cpu = r.tfjs.find((t) => t.model === row.model && t.backend === 'cpu' && t.batch === row.batch);
    const wasm = r.tfjs.find((t) => t.model === row.model && t.backend === 'wasm' && t.batch === row.batch);
    return [
      `${name(row.model)} (${(r.flopsPerSample[row.model] / 1e9).toFixed(3)})`,
      String(row.batch),
      String(row.threads),
      fmt(r.loads[row.model].median),
      per(row.forward, row.batch),
      row.forwardGflops.toFixed(2),
      per(row.lrp, row.batch),
      row.threads === 1 && row.lrp.cpu ? fmt(row.lrp.cpu / row.batch) : '',
      (row.lrp.median / row.forward.median).toFixed(2),
      fmt(row.egb.median / row.batch),
      fmt(row.gxi.median / row.batch),
      cpu
        ? `${(cpu.forward.median / row.forward.median).toFixed(1)}, ${cpu.gxi ? (cpu.gxi.median / row.gxi.median).toFixed(1) : '—'}`
        : '—',
      wasm
        ? `${(wasm.forward.median / row.forward.median).toFixed(2)}, ${wasm.gxi ? (wasm.gxi.median / row.gxi.median).toFixed(2) : '—'}`
        : '—',
    ];
  }),
);

table(
  ['TensorFlow.js 4.22', 'batch', 'forward ms/sample', 'GFLOP/s', 'tf.grad gradient×input ms/sample'],
  r.tfjs.map((t) => [
    `${name(t.model)} ${t.backend}`,
    String(t.batch),
    per(t.forward, t.batch),
    ((r.flopsPerSample[t.model] * t.batch) / t.forward.median / 1e6).toFixed(2),
    t.gxi ? per(t.gxi, t.batch) : 'no kernel',
  ]),
);

table(
  ['layer (1 thread)', 'batch', 'kind', 'GFLOP/s', 'of SIMD ceiling'],
  r.layers.map((l) => [`${name(l.model)} ${l.layer}`, String(l.batch), l.kind, l.gflops.toFixed(2), `${(100 * l.ofBest).toFixed(0)}%`]),
);

table(
  [
    'peak RSS, one lrp (fresh process)',
    'reader',
    'peak MB',
    'Node alone MB',
    'weights MB',
    'activations of one sample MB',
    '(peak − Node) ÷ (weights + activations)',
  ],
  (r.peakRss ?? []).map((p) => [
    name(p.model),
    p.reader,
    p.peakRssMB.toFixed(0),
    p.baselineRssMB.toFixed(0),
    p.weightsMB.toFixed(1),
    p.activationsMB.toFixed(1),
    ((p.peakRssMB - p.baselineRssMB) / (p.weightsMB + p.activationsMB)).toFixed(2),
  ]),
);

table(
  [
    "cold start: fresh node, `import('lrp-keras')`, load, first lrp",
    'reader',
    'import ms',
    'load ms',
    'first lrp ms',
    'import + load + lrp ms',
    'ms since process start',
    'spawn to exit ms',
  ],
  (r.coldStart ?? []).map((c) => [
    name(c.model),
    c.reader,
    fmt(c.importMs),
    fmt(c.loadMs),
    fmt(c.lrpMs),
    per(c.stepsMs, 1),
    fmt(c.sinceStart.median),
    fmt(c.wall.median),
  ]),
);

table(
  ['target', 'measured', 'met'],
  (r.targets ?? []).map((t) => [t.target, t.value, t.met === null ? '—' : t.met ? 'yes' : '**no**']),
);

console.log(out.join('\n'));
