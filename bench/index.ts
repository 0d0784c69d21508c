// npm run bench [-- --quick] [-- --no-tfjs]: load, forward and explanation times of the MNIST MLP and
// the real Keras files in ../shared/bench-models at batch 1 and a larger batch, on 1 and 2 threads,
// on the WebAssembly SIMD kernels (float32, the default), with the scalar TypeScript path alongside;
// TensorFlow.js (cpu and wasm backends) on the same weights; the SIMD GEMM ceiling (the kernel alone
// at 1024³) and each layer's share of it, measured in the same run; the kernels' start-up; peak RSS
// and cold start in fresh processes. Medians over repeated runs after a warm-up run, with min–max,
// alternating what is compared. Writes bench/results.json.
import { fixedShape } from '../src/tensor.js';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, loadModel, lrp, type Model } from '../src/index.js';
import { kernelBackend, withTypeScriptKernels } from '../src/kernels/backend.js';
import { withExecutor } from '../src/kernels/gemm.js';
import { tensorShape, type Graph } from '../src/model/graph.js';
import { modelInternals } from '../src/model/model.js';
import { forwardAll, nodeForward } from '../src/model/ops.js';
import { executorFor } from '../src/parallel/threads.js';
import '../src/threads.js';
import { gemmCeiling, simdKernel } from './gemm-ceiling.js';
import { kernelStart } from './kernel-start.js';
import { workerdPerRequest } from './workerd.js';
import { cpuMs, fmt, timing, type Timing } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const shared = resolve(root, '../shared');
const quick = process.argv.includes('--quick');
const withTfjs = !process.argv.includes('--no-tfjs');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

interface ModelSpec {
  file: string;
  path: string;
  batches: number[];
  flops?: number;
  tfjsCpu: boolean;
  tfjsBatches: number[];
  budgetMs: number;
  minRepeats?: number;
  warmup?: boolean;
  layers?: boolean;
  scalar?: boolean;
}
const benchIndex = existsSync(join(shared, 'bench-models/index.json'))
  ? (JSON.parse(readFileSync(join(shared, 'bench-models/index.json'), 'utf8')) as { files: { file: string; flops: number }[] }).files
  : [];
const flopsOf = (file: string): number | undefined => benchIndex.find((f) => f.file === file)?.flops;

const specs: ModelSpec[] = [
  {
    file: 'kotlindl_mnist_mlp.h5',
    path: join(shared, 'examples/kotlindl_mnist_mlp.h5'),
    batches: [1, 64],
    tfjsCpu: true,
    tfjsBatches: [1, 64],
    budgetMs: 1500,
  },
  {
    file: 'cnn_mnist.h5',
    path: join(shared, 'bench-models/cnn_mnist.h5'),
    batches: [1, 16],
    tfjsCpu: true,
    tfjsBatches: quick ? [1] : [1, 16],
    budgetMs: 2000,
  },
  {
    file: 'vgg_cifar.h5',
    path: join(shared, 'bench-models/vgg_cifar.h5'),
    batches: quick ? [1, 4] : [1, 16],
    tfjsCpu: true,
    tfjsBatches: quick ? [1] : [1, 16],
    budgetMs: 6000,
  },
  ...(quick
    ? []
    : [
        {
          file: 'mobilenet_v2_224.h5',
          path: join(shared, 'bench-models/mobilenet_v2_224.h5'),
          batches: [1, 4],
          tfjsCpu: false,
          tfjsBatches: [1],
          budgetMs: 4000,
          layers: false,
        },
        {
          file: 'vgg16_gap_224.h5',
          path: join(shared, 'bench-models/vgg16_gap_224.h5'),
          batches: [1],
          tfjsCpu: false,
          tfjsBatches: [1],
          budgetMs: 1,
          minRepeats: 3,
          warmup: true,
          layers: false,
          scalar: false,
        },
      ]),
].filter((s) => existsSync(s.path) && (!only || s.file.includes(only)));

/**
 * Several runs timed in alternating order (a, b, b, a, …) so that a machine whose speed drifts
 * (other tenants, clock boost) skews them alike: warm-up once each, then repeat until the budget is
 * spent (at least `min`, at most `max` rounds). One timing per run, with the CPU time this process
 * spent in it (on a shared machine, what a one-thread run costs whatever else runs; threads add theirs).
 */
function timedAlternating(runs: (() => unknown)[], budgetMs: number, minRepeats = 3, warmup = true): Timing[] {
  const min = quick ? 1 : minRepeats;
  const max = quick ? 3 : 7;
  let rounds = min;
  if (warmup) {
    const t0 = performance.now();
    for (const run of runs) run();
    const once = (performance.now() - t0) / runs.length;
    rounds = Math.max(min, Math.min(max, Math.floor(budgetMs / Math.max(once, 1e-3))));
  }
  const times: number[][] = runs.map(() => []);
  const cpu: number[][] = runs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = runs.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const c0 = cpuMs();
      const t0 = performance.now();
      runs[i]();
      times[i].push(performance.now() - t0);
      cpu[i].push(cpuMs() - c0);
    }
  }
  return times.map((t, i) => timing(t, cpu[i]));
}

/** `run(threads)` for every thread count, alternating. */
const timedAcross = (
  counts: number[],
  run: (threads: number) => unknown,
  budgetMs: number,
  minRepeats?: number,
  warmup?: boolean,
): Timing[] =>
  timedAlternating(
    counts.map((threads) => () => run(threads)),
    budgetMs,
    minRepeats,
    warmup,
  );

/** One run, timed as `timedAlternating` times several. */
const timed = (run: () => unknown, budgetMs: number, minRepeats?: number, warmup?: boolean): Timing =>
  timedAlternating([run], budgetMs, minRepeats, warmup)[0];

const threadCounts = [1, 2];
const withThreads = <T>(threads: number, f: () => T): T => withExecutor(executorFor(threads), f);

function inputFor(model: Model, batch: number): { shape: number[]; data: Float32Array } {
  const size = fixedShape(model.inputShape, 'model.inputShape').reduce((a, b) => a * b, 1);
  return {
    shape: [batch, ...fixedShape(model.inputShape, 'model.inputShape')],
    data: Float32Array.from({ length: batch * size }, (_, i) => ((i * 2654435761) % 1000) / 1000),
  };
}

/** Multiply-accumulates of the Dense/Conv nodes for one sample, and of each such node. */
function macsOf(graph: Graph): { total: number; byNode: Map<number, number> } {
  const byNode = new Map<number, number>();
  graph.nodes.forEach((node, k) => {
    const op = node.op;
    if (op.kind === 'dense') byNode.set(k, op.rows * op.inF * op.outF);
    if (op.kind === 'conv') byNode.set(k, op.geom.OH * op.geom.OW * op.geom.O * op.geom.kh * op.geom.kw * (op.geom.C / op.geom.groups));
  });
  return { total: [...byNode.values()].reduce((a, b) => a + b, 0), byNode };
}

const span = (t: Timing, per: number): string => `${fmt(t.min / per)}–${fmt(t.max / per)}`;

// ---------------------------------------------------------------------------------------------

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  /** Other processes on the machine skew timings, two threads most: the 1-minute load average before and after. */
  loadBefore: loadavg()[0],
  loadAfter: 0,
};
console.log(`lrp-keras bench${quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);

console.log(`kernels: ${kernelBackend().name}${kernelBackend().reason ? ` (${kernelBackend().reason})` : ''}`);
const kernels = kernelStart(quick ? 5 : 15);
console.log(
  `kernel module: ${kernels.bytes} bytes, decoded, validated, compiled and instantiated in ${fmt(kernels.start.median)} ms (median of ${kernels.runs})`,
);

const ceilingSize = quick ? 512 : 1024;
const ceiling = gemmCeiling(quick ? [256, 512] : [256, 512, 1024], quick ? 2 : 5);
/** The SIMD ceiling: the float32 kernel alone at 1024³ (512³ with --quick). */
const bestGemm = ceiling.find((r) => r.size === ceilingSize)!.simdGflops;
console.table(
  ceiling.map((r) => ({
    'GEMM n³': r.size,
    'SIMD f32x4 GFLOP/s': r.simdGflops.toFixed(1),
    'SIMD f64x2 GFLOP/s': r.simd64Gflops.toFixed(1),
    'scalar packed 4×4 GFLOP/s': r.scalarGflops.toFixed(2),
    'naive GFLOP/s': r.naiveGflops.toFixed(2),
    'SIMD ÷ scalar': (r.simdGflops / r.scalarGflops).toFixed(1),
  })),
);

import type * as TFNS from '@tensorflow/tfjs';
type TF = typeof TFNS;
let tf: TF | null = null;
if (withTfjs) {
  try {
    tf = (await import('@tensorflow/tfjs')) as unknown as TF;
    await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
    await tf.ready();
  } catch (e) {
    console.log(`TensorFlow.js not available (${String(e)}); its columns stay empty`);
  }
}

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
interface LayerRow {
  model: string;
  batch: number;
  layer: string;
  kind: string;
  macs: number;
  gflops: number;
  ofBest: number;
}
/** The same model on the scalar TypeScript kernels, one thread, timed alternately with the SIMD kernels. */
interface ScalarRow {
  model: string;
  batch: number;
  forward: Timing;
  lrp: Timing;
  simdForward: Timing;
  simdLrp: Timing;
}

const rows: Row[] = [];
const scalarRows: ScalarRow[] = [];
const tfRows: TfjsRow[] = [];
const layerRows: LayerRow[] = [];
const loads: Record<string, Timing> = {};
const flopsByModel: Record<string, number> = {};

for (const spec of specs) {
  const bytes = new Uint8Array(readFileSync(spec.path));
  const loadRuns: number[] = [];
  let model!: Model;
  for (let i = 0; i < (quick ? 2 : 4); i++) {
    const t0 = performance.now();
    model = await loadModel(bytes);
    loadRuns.push(performance.now() - t0);
  }
  loadRuns.shift();
  loads[spec.file] = timing(loadRuns);
  const inner = modelInternals(model);
  const macs = macsOf(inner.graph);
  const flops = spec.flops ?? flopsOf(spec.file) ?? 2 * macs.total;
  flopsByModel[spec.file] = flops;
  console.log(`\n${spec.file}: ${(flops / 1e6).toFixed(1)} MFLOP per sample, loaded in ${fmt(loads[spec.file].median)} ms`);

  for (const batch of spec.batches) {
    const x = inputFor(model, batch);
    const across = (run: (threads: number) => unknown): Timing[] =>
      timedAcross(threadCounts, run, spec.budgetMs, spec.minRepeats, spec.warmup);
    const forward = across((threads) => withThreads(threads, () => model.logits(x)));
    const explain = across((threads) => lrp(model, x, { threads }));
    const egb = across((threads) => analyze(model, x, { method: 'epsilon-gamma-box', low: 0, high: 1, threads }));
    const gxi = across((threads) => analyze(model, x, { method: 'gradient-x-input', threads }));
    threadCounts.forEach((threads, i) => {
      const row: Row = {
        model: spec.file,
        batch,
        threads,
        forward: forward[i],
        lrp: explain[i],
        egb: egb[i],
        gxi: gxi[i],
        forwardGflops: (flops * batch) / forward[i].median / 1e6,
      };
      rows.push(row);
      const cpu = threads === 1 ? ` (CPU: forward ${fmt(row.forward.cpu! / batch)}, lrp ${fmt(row.lrp.cpu! / batch)})` : '';
      console.log(
        `  batch ${batch}, ${threads} thread${threads > 1 ? 's' : ''}: forward ${fmt(row.forward.median / batch)} ms/sample (${row.forwardGflops.toFixed(2)} GFLOP/s), lrp ${fmt(row.lrp.median / batch)}, epsilon-gamma-box ${fmt(row.egb.median / batch)}, gradient×input ${fmt(row.gxi.median / batch)}${cpu}`,
      );
    });

    const last = batch === spec.batches[spec.batches.length - 1];
    // The scalar path (the TypeScript kernels), one thread, alternating with the SIMD kernels.
    if (last && spec.scalar !== false) {
      const [simdForward, scalarForward, simdLrp, scalarLrp] = timedAlternating(
        [
          () => model.logits(x),
          () => withTypeScriptKernels(() => model.logits(x)),
          () => lrp(model, x),
          () => withTypeScriptKernels(() => lrp(model, x)),
        ],
        spec.budgetMs,
        spec.minRepeats,
        spec.warmup,
      );
      scalarRows.push({ model: spec.file, batch, forward: scalarForward, lrp: scalarLrp, simdForward, simdLrp });
      console.log(
        `  batch ${batch}, 1 thread, scalar TypeScript kernels: forward ${fmt(scalarForward.median / batch)} ms/sample, lrp ${fmt(scalarLrp.median / batch)} (SIMD ${(scalarLrp.median / simdLrp.median).toFixed(1)}× faster)`,
      );
    }

    // Per-layer efficiency, one thread: every Dense/Conv node on its real input (staging and copies included).
    if (last && spec.layers !== false) {
      const graph = inner.graph;
      const values = forwardAll(graph, [x.data], batch);
      // Each layer alternates with the SIMD kernel alone at the ceiling's size, so both see the same machine.
      // CPU time for both (one thread each): on a shared machine, what the work costs whatever else runs.
      const kernelTimes: number[] = [];
      const ceilingRun = (): void => {
        const k = simdKernel(ceilingSize, 'float32'); // staged afresh: the layer's call reuses the staging area
        const t0 = cpuMs();
        k.run();
        kernelTimes.push(cpuMs() - t0);
        k.release();
      };
      for (const [k, m] of macs.byNode) {
        const node = graph.nodes[k];
        const depthwise = node.op.kind === 'conv' && node.op.geom.groups > 1 && node.op.geom.groups === node.op.geom.C;
        kernelTimes.length = 0;
        const [t] = timedAlternating(
          [
            () =>
              nodeForward(
                graph,
                node,
                node.inputs.map((id) => values[id]),
                batch,
              ),
            ceilingRun,
          ],
          0,
          5,
        );
        const ceilingGflops = (2 * ceilingSize ** 3) / timing(kernelTimes.slice(1)).median / 1e6;
        const gflops = (2 * m * batch) / t.cpu! / 1e6;
        const shape = tensorShape(graph, node.inputs[0]);
        layerRows.push({
          model: spec.file,
          batch,
          layer: `${node.name} ${shape.join('×')}→${node.outShape.join('×')}`,
          kind: depthwise ? 'depthwise' : node.op.kind,
          macs: m * batch,
          gflops,
          ofBest: gflops / ceilingGflops,
        });
      }
    }
  }

  if (tf) {
    const net = (await import('./tfjs-model.js')).tfjsNetwork(tf, inner.graph, inner.logitsTensor);
    for (const backend of spec.tfjsCpu ? ['cpu', 'wasm'] : ['wasm']) {
      await tf.setBackend(backend);
      await tf.ready();
      for (const batch of spec.tfjsBatches) {
        const x = inputFor(model, batch);
        const classes = fixedShape(model.outputShape, 'model.outputShape')[fixedShape(model.outputShape, 'model.outputShape').length - 1];
        const xt = tf.tensor(x.data, x.shape);
        // Check that it is the same network: tfjs logits against ours.
        const ours = model.logits(x).data;
        const theirs = tf.tidy(() => net.logits(xt).dataSync());
        let err = 0;
        let scale = 0;
        for (let i = 0; i < ours.length; i++) {
          err = Math.max(err, Math.abs(ours[i] - theirs[i]));
          scale = Math.max(scale, Math.abs(ours[i]));
        }
        if (err > 1e-3 * Math.max(scale, 1))
          throw new Error(`${spec.file}: tfjs ${backend} logits differ from ours by ${err} (scale ${scale})`);
        const target = tf.oneHot(
          tf.tensor1d(
            Array.from({ length: batch }, (_, s) => s % classes),
            'int32',
          ),
          classes,
        );
        const forward = timed(() => tf!.tidy(() => net.logits(xt).dataSync()), spec.budgetMs, spec.minRepeats, spec.warmup);
        const grad = tf.grad((input: TFNS.Tensor) => tf!.sum(tf!.mul(net.logits(input), target)));
        let gxi: Timing | null = null;
        try {
          gxi = timed(() => tf!.tidy(() => tf!.mul(grad(xt), xt).dataSync()), spec.budgetMs, spec.minRepeats, spec.warmup);
        } catch (e) {
          // tfjs-backend-wasm 4.22 has no DepthwiseConv2dNativeBackpropInput kernel, for one.
          console.log(`  tfjs-${backend} has no gradient for ${spec.file}: ${String(e).split('\n')[0]}`);
        }
        tfRows.push({ model: spec.file, backend, batch, forward, gxi });
        console.log(
          `  tfjs-${backend} batch ${batch}: forward ${fmt(forward.median / batch)} ms/sample (${((flops * batch) / forward.median / 1e6).toFixed(2)} GFLOP/s), gradient×input ${gxi ? fmt(gxi.median / batch) : '—'} ms/sample`,
        );
        xt.dispose();
        target.dispose();
      }
    }
    net.dispose();
  }
  writeFileSync(
    join(root, 'bench/results.json'),
    `${JSON.stringify({ machine, quick, partial: true, simdCeilingGflops: bestGemm, gemmCeiling: ceiling, loads, flopsPerSample: flopsByModel, rows, scalar: scalarRows, tfjs: tfRows, layers: layerRows }, null, 1)}\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Fresh processes: peak RSS per model, cold start per reader.

const node = process.execPath;
const readers = ['pure', 'h5wasm'];
const rss = specs.map((spec) => {
  const out = JSON.parse(
    execFileSync(node, [join(here, 'peak-rss.js'), spec.path, '1', readers[0]], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!,
  );
  return { model: spec.file, reader: readers[0], ...out } as {
    model: string;
    reader: string;
    peakRssMB: number;
    baselineRssMB: number;
    weightsMB: number;
    activationsMB: number;
  };
});
// Cold start: the MNIST MLP of ../shared/examples and the example's MNIST CNN (example/, 2.7 MB).
const coldModels = [join(shared, 'examples/kotlindl_mnist_mlp.h5'), join(root, 'example/jhas_mnist_cnn_keras3.h5')].filter((p) =>
  existsSync(p),
);
const coldStart = coldModels.flatMap((path) =>
  readers.map((reader) => {
    const runs = Array.from({ length: quick ? 3 : 9 }, () => {
      const t0 = performance.now();
      const out = JSON.parse(
        execFileSync(node, [join(here, 'cold-start.js'), reader, path], { cwd: root, encoding: 'utf8' })
          .trim()
          .split('\n')
          .pop()!,
      );
      return { ...out, wall: performance.now() - t0 } as { ms: number; importMs: number; loadMs: number; lrpMs: number; wall: number };
    });
    const steps = (key: 'importMs' | 'loadMs' | 'lrpMs'): number => timing(runs.map((r) => r[key])).median;
    return {
      model: path.split('/').pop()!,
      reader,
      sinceStart: timing(runs.map((r) => r.ms)),
      wall: timing(runs.map((r) => r.wall)),
      importMs: steps('importMs'),
      loadMs: steps('loadMs'),
      lrpMs: steps('lrpMs'),
      stepsMs: timing(runs.map((r) => r.importMs + r.loadMs + r.lrpMs)),
    };
  }),
);

// workerd: the example MNIST CNN per request, the workerd entry (SIMD) against the universal one (scalar).
const exampleCnn = join(root, 'example/jhas_mnist_cnn_keras3.h5');
const workerd = existsSync(exampleCnn) ? await workerdPerRequest(root, exampleCnn, quick ? 5 : 25) : null;
if (workerd)
  console.log(
    `workerd, MNIST CNN lrp per request: SIMD ${fmt(workerd.simd.median)} ms, scalar ${fmt(workerd.scalar.median)} ms (${(workerd.scalar.median / workerd.simd.median).toFixed(1)}×)`,
  );

// ---------------------------------------------------------------------------------------------
// Tables and targets.

const find = (model: string, batch: number, threads: number): Row | undefined =>
  rows.find((r) => r.model === model && r.batch === batch && r.threads === threads);
const tfFind = (model: string, backend: string, batch: number): TfjsRow | undefined =>
  tfRows.find((r) => r.model === model && r.backend === backend && r.batch === batch);

const table = rows.map((r) => {
  const one = find(r.model, r.batch, 1)!;
  const cpu = tfFind(r.model, 'cpu', r.batch);
  const wasm = tfFind(r.model, 'wasm', r.batch);
  return {
    model: r.model.replace(/\.h5$/, ''),
    batch: r.batch,
    threads: r.threads,
    'load ms': fmt(loads[r.model].median),
    'forward ms/sample': `${fmt(r.forward.median / r.batch)} (${span(r.forward, r.batch)})`,
    'GFLOP/s': r.forwardGflops.toFixed(2),
    'lrp ms/sample': `${fmt(r.lrp.median / r.batch)} (${span(r.lrp, r.batch)})`,
    'lrp CPU ms/sample': r.threads === 1 ? fmt(r.lrp.cpu! / r.batch) : '',
    'lrp/fwd': (r.lrp.median / r.forward.median).toFixed(2),
    'ε-γ-box ms/sample': fmt(r.egb.median / r.batch),
    'grad×input ms/sample': fmt(r.gxi.median / r.batch),
    'speed-up': r.threads > 1 ? (one.lrp.median / r.lrp.median).toFixed(2) : '',
    'tfjs-cpu fwd, g×i ÷ ours': cpu
      ? `${(cpu.forward.median / r.forward.median).toFixed(1)}, ${cpu.gxi ? (cpu.gxi.median / r.gxi.median).toFixed(1) : '—'}`
      : '',
    'tfjs-wasm fwd, g×i ÷ ours': wasm
      ? `${(wasm.forward.median / r.forward.median).toFixed(2)}, ${wasm.gxi ? (wasm.gxi.median / r.gxi.median).toFixed(2) : '—'}`
      : '',
  };
});
console.log();
console.table(table);
console.table(
  tfRows.map((r) => ({
    model: r.model,
    backend: r.backend,
    batch: r.batch,
    'forward ms/sample': `${fmt(r.forward.median / r.batch)} (${span(r.forward, r.batch)})`,
    'GFLOP/s': ((flopsByModel[r.model] * r.batch) / r.forward.median / 1e6).toFixed(2),
    'grad×input ms/sample': r.gxi ? `${fmt(r.gxi.median / r.batch)} (${span(r.gxi, r.batch)})` : '—',
  })),
);
console.table(
  scalarRows.map((r) => ({
    model: r.model,
    batch: r.batch,
    'scalar forward ms/sample': fmt(r.forward.median / r.batch),
    'SIMD forward ms/sample': fmt(r.simdForward.median / r.batch),
    'forward ×': (r.forward.median / r.simdForward.median).toFixed(1),
    'scalar lrp ms/sample': fmt(r.lrp.median / r.batch),
    'SIMD lrp ms/sample': fmt(r.simdLrp.median / r.batch),
    'lrp ×': (r.lrp.median / r.simdLrp.median).toFixed(1),
  })),
);
console.table(
  layerRows.map((r) => ({
    model: r.model,
    batch: r.batch,
    layer: r.layer,
    kind: r.kind,
    'GFLOP/s': r.gflops.toFixed(2),
    'of SIMD ceiling': `${(100 * r.ofBest).toFixed(0)}%`,
  })),
);
const netRss = (r: (typeof rss)[number]): number => (r.peakRssMB - r.baselineRssMB) / (r.weightsMB + r.activationsMB);
console.table(
  rss.map((r) => ({
    model: r.model,
    reader: r.reader,
    'peak RSS MB': r.peakRssMB.toFixed(0),
    'Node baseline MB': r.baselineRssMB.toFixed(0),
    'weights MB': r.weightsMB.toFixed(1),
    'activations/sample MB': r.activationsMB.toFixed(1),
    '(peak − baseline) ÷ (weights + activations)': netRss(r).toFixed(2),
  })),
);
console.table(
  coldStart.map((c) => ({
    model: c.model,
    reader: c.reader,
    import: fmt(c.importMs),
    load: fmt(c.loadMs),
    'first lrp': fmt(c.lrpMs),
    'import + load + lrp ms': `${fmt(c.stepsMs.median)} (${span(c.stepsMs, 1)})`,
    'ms from process start': fmt(c.sinceStart.median),
    'spawn to exit ms': fmt(c.wall.median),
  })),
);

interface Target {
  target: string;
  value: string;
  met: boolean | null;
}
const targets: Target[] = [];
const check = (target: string, value: number | undefined, ok: (v: number) => boolean, show: (v: number) => string): void => {
  targets.push(
    value === undefined || !Number.isFinite(value)
      ? { target, value: 'not measured', met: null }
      : { target, value: show(value), met: ok(value) },
  );
};
// Issue 21's bars, each against what this run measured.
/** Large conv layers: 50 M multiply-adds or more in one call (the first layers of a net, with K = 9·3 or 9·1, are not). */
const largeConv = layerRows.filter((r) => r.kind === 'conv' && r.macs >= 5e7);
const medianLayer = largeConv.length ? largeConv.map((r) => r.ofBest).sort((a, b) => a - b)[largeConv.length >> 1] : undefined;
const worstLayer = largeConv.length ? Math.min(...largeConv.map((r) => r.ofBest)) : undefined;
check(
  'large conv layers, forward, ≥ 80% of the SIMD ceiling (median, 1 thread)',
  medianLayer,
  (v) => v >= 0.8,
  (v) => `${(100 * v).toFixed(0)}% (worst ${(100 * worstLayer!).toFixed(0)}%; ceiling ${bestGemm.toFixed(1)} GFLOP/s at ${ceilingSize}³)`,
);
const vgg = 'vgg_cifar.h5';
const vggOne = find(vgg, 16, 1);
check(
  'VGG-CIFAR batch 16, lrp epsilon-plus, 1 thread ≤ 420 ms',
  vggOne?.lrp.median,
  (v) => v <= 420,
  (v) => `${fmt(v)} ms (CPU ${fmt(vggOne!.lrp.cpu!)} ms)`,
);
check(
  'VGG-CIFAR batch 16, lrp ÷ forward, 1 thread ≤ 3.3×',
  vggOne ? vggOne.lrp.median / vggOne.forward.median : undefined,
  (v) => v <= 3.3,
  (v) => `${v.toFixed(2)}× (CPU ${(vggOne!.lrp.cpu! / vggOne!.forward.cpu!).toFixed(2)}×)`,
);
const mobile = find('mobilenet_v2_224.h5', 1, 2);
check(
  'MobileNetV2 224 lrp, batch 1, 2 threads ≤ 150 ms',
  mobile?.lrp.median,
  (v) => v <= 150,
  (v) => `${fmt(v)} ms`,
);
const vgg16 = find('vgg16_gap_224.h5', 1, 2);
check(
  'VGG16-GAP 224 lrp, batch 1, 2 threads ≤ 2 s',
  vgg16?.lrp.median,
  (v) => v <= 2000,
  (v) => `${(v / 1000).toFixed(2)} s`,
);
for (const batch of [1, 16]) {
  const one = find(vgg, batch, 1);
  const two = find(vgg, batch, 2);
  check(
    `2 threads ≥ 1.8× one thread, VGG-CIFAR, lrp, batch ${batch}`,
    one && two ? one.lrp.median / two.lrp.median : undefined,
    (v) => v >= 1.8,
    (v) => `${v.toFixed(2)}×`,
  );
  const wasm = tfFind(vgg, 'wasm', batch);
  check(
    `faster than tfjs-wasm gradient×input, VGG-CIFAR, batch ${batch}, 2 threads`,
    wasm?.gxi && two ? wasm.gxi.median / two.gxi.median : undefined,
    (v) => v > 1,
    (v) => `${v.toFixed(2)}×`,
  );
}
const big = rss.filter((r) => r.weightsMB + r.activationsMB >= 20);
const worstRss = big.length ? Math.max(...big.map(netRss)) : undefined;
check(
  "peak RSS above Node's baseline < 3× (weights + activations of one sample), models ≥ 20 MB",
  worstRss,
  (v) => v < 3,
  (v) =>
    `worst ${v.toFixed(2)}× (${big.map((r) => `${r.model.replace(/\.h5$/, '')} ${(r.peakRssMB - r.baselineRssMB).toFixed(0)} MB for ${(r.weightsMB + r.activationsMB).toFixed(0)} MB`).join(', ')})`,
);
check(
  'workerd, MNIST CNN lrp per request on the SIMD kernels, in a wrangler-style bundle',
  workerd?.simd.median,
  () => true,
  (v) => `${fmt(v)} ms per request (universal entry, scalar: ${fmt(workerd!.scalar.median)} ms)`,
);
for (const c of coldStart.filter((r) => r.reader === 'pure')) {
  check(
    `cold start (import + load + first lrp) < 100 ms, pure reader, ${c.model}`,
    c.stepsMs.median,
    (v) => v < 100,
    (v) =>
      `${fmt(v)} ms (import ${fmt(c.importMs)}, load ${fmt(c.loadMs)}, lrp ${fmt(c.lrpMs)}; ${fmt(c.sinceStart.median)} ms from process start)`,
  );
}
console.table(targets.map((t) => ({ target: t.target, value: t.value, met: t.met === null ? '—' : t.met ? 'yes' : 'NO' })));

machine.loadAfter = loadavg()[0];
console.log(
  `load average (1 min) before ${machine.loadBefore.toFixed(2)}, after ${machine.loadAfter.toFixed(2)} on ${machine.cores} cores`,
);
writeFileSync(
  join(root, 'bench/results.json'),
  `${JSON.stringify(
    {
      machine,
      quick,
      kernels: { backend: kernelBackend().name, bytes: kernels.bytes, startMs: kernels.start },
      ceilingSize,
      simdCeilingGflops: bestGemm,
      gemmCeiling: ceiling,
      loads,
      flopsPerSample: flopsByModel,
      rows,
      scalar: scalarRows,
      tfjs: tfRows,
      layers: layerRows,
      peakRss: rss,
      coldStart,
      workerd,
      targets,
    },
    null,
    1,
  )}\n`,
);
console.log(`wrote bench/results.json`);
process.exit(0);
