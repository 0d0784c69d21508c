// npm run fuzz -- --runs N [--seed S] [--workers W] [--bound MS] [--timeout MS] [--only REGEX] [--config-share F]
//
// The long fuzz run: N mutants of every fixture and permissively licensed corpus file in
// test/fixtures (bit flips, truncation at structural boundaries, zeroed, randomised and swapped
// regions, inflated length and address fields, bytes inserted and deleted, members of .keras zips
// mutated inside a valid zip, and hostile configs), each loaded with both readers in worker threads.
// Each case must load (and then predict and explain a sample) or throw an LrpKerasError within
// --bound ms (default 2000); a case still running after --timeout ms (default 30000) is a hang:
// its worker is terminated and replaced. Failures are grouped by signature, the first case of each
// is minimised (mutations dropped, changed bytes reverted) and written to test/fixtures/fuzz/ with
// a .json describing it. Prints cases run, outcomes, failures, the slowest case and memory peaks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { h5wasmHeapBytes } from '../../src/io/h5wasm-reader.js';
import type { LoadOptions } from '../../src/load.js';
import { loadModel } from '../../src/node.js';
import { loadSeeds, type Seed } from './corpus.js';
import {
  bytesCaseArb,
  configCaseArb,
  describeCase,
  materialise,
  runCase,
  signature,
  WASM_TRAP,
  type FuzzCase,
  type Outcome,
  type ReaderName,
} from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

interface Args {
  runs: number;
  seed: number;
  workers: number;
  bound: number;
  timeout: number;
  only?: string;
  configShare: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const num = (name: string, fallback: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${v}`);
    return n;
  };
  return {
    runs: num('runs', 2000),
    seed: num('seed', Date.now() % 1e9),
    workers: Math.max(1, num('workers', Math.min(4, availableParallelism()))),
    bound: num('bound', 2000),
    timeout: num('timeout', 30000),
    only: value('only'),
    configShare: num('config-share', 0.25),
    out: value('out') ?? join(root, 'test/fixtures/fuzz'),
  };
}

// --- Worker side --------------------------------------------------------------------------------

type Request =
  | { id: number; case: FuzzCase }
  | { id: number; raw: { bytes: Uint8Array; options: LoadOptions } }
  | { id: number; health: true };
interface Reply {
  id: number;
  outcome: Outcome;
  heap: number;
  rss: number;
  description?: string;
}

const HEALTH = ['keras3/conv1d_net.h5', 'keras3/conv1d_net.keras'];

async function workerMain(): Promise<void> {
  const { only, bound } = workerData as { only?: string; bound: number };
  const seeds = await loadSeeds(seedFilter(only));
  const healthSeeds = await loadSeeds((n) => HEALTH.includes(n));
  const x = { shape: [1, 32, 3], data: Float32Array.from({ length: 96 }, (_, i) => Math.sin(i)) };
  const expected = await healthLogits(healthSeeds, x);
  parentPort!.on('message', async (request: Request) => {
    let outcome: Outcome;
    let description: string | undefined;
    if ('health' in request) {
      const got = await healthLogits(healthSeeds, x).catch((e: Error) => e.message);
      outcome =
        got === expected
          ? { status: 'loaded', ms: 0, message: 'healthy' }
          : { status: 'failed', ms: 0, message: `a normal model no longer loads the same: ${got}`, phase: 'load' };
    } else {
      const { bytes, options } = 'raw' in request ? request.raw : materialise(seeds, request.case);
      if ('case' in request) description = describeCase(seeds, request.case);
      outcome = await runCase((b, o) => loadModel(b, o), bytes, options, bound);
    }
    const reply: Reply = { id: request.id, outcome, heap: h5wasmHeapBytes() ?? 0, rss: process.memoryUsage.rss(), description };
    parentPort!.postMessage(reply);
  });
  parentPort!.postMessage({ ready: seeds.length });
}

async function healthLogits(seeds: Seed[], x: { shape: number[]; data: Float32Array }): Promise<string> {
  const out: string[] = [];
  for (const seed of seeds) {
    for (const reader of ['pure', 'h5wasm']) {
      const model = await loadModel(seed.bytes, { reader });
      out.push(Array.from(model.logits(x).data, (v) => v.toPrecision(7)).join(','));
    }
  }
  return out.join(' | ');
}

const seedFilter =
  (only: string | undefined) =>
  (name: string): boolean =>
    !only || new RegExp(only).test(name);

// --- Main side: a pool of workers with a watchdog ----------------------------------------------

interface Slot {
  worker: Worker;
  busy?: { id: number; timer: NodeJS.Timeout; resolve: (r: Reply) => void };
}

class Pool {
  private slots: Slot[] = [];
  /** Every worker started and not yet gone, ready or not, so that close() ends them all. */
  private readonly workers = new Set<Worker>();
  private idle: Slot[] = [];
  private waiting: (() => void)[] = [];
  private nextId = 0;
  restarts = 0;
  constructor(private readonly args: Args) {}

  async start(): Promise<number> {
    const counts = await Promise.all(Array.from({ length: this.args.workers }, () => this.spawn()));
    return counts[0];
  }

  private spawn(): Promise<number> {
    return new Promise((ready, failed) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { only: this.args.only, bound: this.args.bound },
        // A case that allocates far beyond its file fails its worker, not the run.
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      const slot: Slot = { worker };
      this.workers.add(worker);
      worker.on('exit', () => this.workers.delete(worker));
      worker.on('message', (m: Reply | { ready: number }) => {
        if ('ready' in m) {
          this.slots.push(slot);
          this.release(slot);
          ready(m.ready);
          return;
        }
        const busy = slot.busy;
        if (!busy || busy.id !== m.id) return;
        clearTimeout(busy.timer);
        slot.busy = undefined;
        this.release(slot);
        busy.resolve(m);
      });
      worker.on('error', (e) => this.lost(slot, `worker error: ${e.message}`, failed));
      worker.on('exit', (code) => this.lost(slot, `worker exited with code ${code}`, failed));
    });
  }

  /** A worker died (out of memory, or terminated after a hang): fail its case and replace it. */
  private lost(slot: Slot, message: string, failed: (e: Error) => void): void {
    if (!this.slots.includes(slot)) {
      failed(new Error(message));
      return;
    }
    this.slots = this.slots.filter((s) => s !== slot);
    this.idle = this.idle.filter((s) => s !== slot);
    const busy = slot.busy;
    slot.busy = undefined;
    if (this.closing) return;
    this.restarts++;
    void this.spawn();
    if (busy) {
      clearTimeout(busy.timer);
      busy.resolve({ id: busy.id, outcome: { status: 'failed', ms: this.args.timeout, message, phase: 'hang' }, heap: 0, rss: 0 });
    }
  }

  private release(slot: Slot): void {
    this.idle.push(slot);
    this.waiting.shift()?.();
  }

  private closing = false;

  async run(request: Omit<Request, 'id'>): Promise<Reply> {
    while (this.idle.length === 0) await new Promise<void>((r) => this.waiting.push(r));
    const slot = this.idle.shift()!;
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Synchronous code (a WebAssembly loop) cannot be interrupted: end the thread.
        const busy = slot.busy;
        if (!busy) return;
        void slot.worker.terminate();
        this.lost(slot, `hang: no answer after ${this.args.timeout} ms`, () => undefined);
      }, this.args.timeout);
      slot.busy = { id, timer, resolve };
      slot.worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }
}

// --- Minimising a failure ---------------------------------------------------------------------

async function minimise(
  pool: Pool,
  seeds: Seed[],
  failing: FuzzCase,
  sig: string,
): Promise<{ case: FuzzCase; bytes: Uint8Array; options: LoadOptions }> {
  // Bounded effort: a hang costs a whole timeout per attempt.
  const deadline = performance.now() + 10 * 60_000;
  let attempts = 0;
  const still = async (bytes: Uint8Array, options: LoadOptions): Promise<boolean> => {
    if (++attempts > 400 || performance.now() > deadline) return false;
    const reply = await pool.run({ raw: { bytes, options } });
    return reply.outcome.status === 'failed' && signature(String(options.reader), reply.outcome) === sig;
  };
  // 1. Drop mutations one at a time while the same failure remains.
  let current = failing;
  for (let i = current.mutations.length - 1; i >= 0 && current.mutations.length > 1; i--) {
    const fewer = { ...current, mutations: current.mutations.filter((_, j) => j !== i) } as FuzzCase;
    const { bytes, options } = materialise(seeds, fewer);
    if (await still(bytes, options)) current = fewer;
  }
  let { bytes, options } = materialise(seeds, current);
  // 2. Same length as the file it came from: revert changed bytes, halving the ranges, while it still fails.
  const original = current.kind === 'bytes' && current.target === 'file' ? seeds[current.seed].bytes : undefined;
  if (original && original.length === bytes.length) {
    let ranges = changedRanges(original, bytes);
    for (let pass = 0; pass < 8 && ranges.length; pass++) {
      const kept: [number, number][] = [];
      for (const [start, end] of ranges) {
        const candidate = bytes.slice();
        candidate.set(original.subarray(start, end), start);
        if (await still(candidate, options)) bytes = candidate;
        else kept.push([start, end]);
      }
      // Split what had to stay into halves and try again.
      ranges = kept.flatMap(([s, e]) =>
        e - s > 1
          ? [
              [s, s + ((e - s) >> 1)],
              [s + ((e - s) >> 1), e],
            ]
          : [],
      ) as [number, number][];
      ranges = ranges.filter(([s, e]) => changedRanges(original.subarray(s, e), bytes.subarray(s, e)).length > 0);
    }
  }
  return { case: current, bytes, options };
}

function changedRanges(a: Uint8Array, b: Uint8Array): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    let j = i;
    while (j < a.length && (a[j] !== b[j] || (j + 1 < a.length && a[j + 1] !== b[j + 1]))) j++;
    ranges.push([i, j]);
    i = j;
  }
  return ranges;
}

// --- Main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const seeds = await loadSeeds(seedFilter(args.only));
  if (seeds.length === 0) throw new Error(`no seed files match --only ${args.only}`);
  const pool = new Pool(args);
  await pool.start();
  const configRuns = Math.round(args.runs * args.configShare);
  const cases = [
    ...fc.sample(bytesCaseArb(seeds), { seed: args.seed, numRuns: args.runs - configRuns }),
    ...fc.sample(configCaseArb(seeds), { seed: args.seed + 1, numRuns: configRuns }),
  ];
  console.log(
    `fuzz: ${cases.length} cases (${configRuns} config mutations) over ${seeds.length} seed files, both readers, ${args.workers} workers, seed ${args.seed}, bound ${args.bound} ms`,
  );

  const counts = { loaded: 0, refused: 0, failed: 0 };
  const byReader: Record<string, { loaded: number; refused: number; failed: number }> = {};
  const failures = new Map<string, { case: FuzzCase; outcome: Outcome; count: number; description: string }>();
  let slowest = { ms: 0, description: '' };
  let peakHeap = 0;
  let peakRss = 0;
  let traps = 0;
  let done = 0;
  const started = performance.now();
  let lastReport = started;
  const record = (c: FuzzCase, reply: Reply): void => {
    const { outcome } = reply;
    const description = reply.description ?? describeCase(seeds, c);
    counts[outcome.status]++;
    byReader[c.reader] ??= { loaded: 0, refused: 0, failed: 0 };
    byReader[c.reader][outcome.status]++;
    if (outcome.ms > slowest.ms && outcome.phase !== 'hang')
      slowest = { ms: outcome.ms, description: `${description} → ${outcome.status}: ${outcome.message.slice(0, 160)}` };
    if (outcome.status === 'refused' && WASM_TRAP.test(outcome.message)) {
      // Not a failure (the instance is replaced), but the structure check let this file through.
      traps++;
      console.log(`  TRAP ${description}\n    ${outcome.message.slice(0, 300)}`);
    }
    peakHeap = Math.max(peakHeap, reply.heap);
    peakRss = Math.max(peakRss, reply.rss);
    if (outcome.status === 'failed') {
      const sig = signature(c.reader, outcome);
      const seen = failures.get(sig);
      if (seen) seen.count++;
      else {
        failures.set(sig, { case: c, outcome, count: 1, description });
        console.log(`  FAILURE ${sig}\n    ${description}\n    ${outcome.message.slice(0, 300)}`);
      }
    }
    done++;
    if (performance.now() - lastReport > 30000) {
      lastReport = performance.now();
      console.log(
        `  ${done}/${cases.length} cases, ${((lastReport - started) / 1000).toFixed(0)} s: ${counts.loaded} loaded, ${counts.refused} refused, ${counts.failed} failed`,
      );
    }
  };
  let next = 0;
  let healthChecks = 0;
  let unhealthy = 0;
  const runner = async (): Promise<void> => {
    for (let i = next++; i < cases.length; i = next++) {
      const reply = await pool.run({ case: cases[i] });
      record(cases[i], reply);
      // After a WebAssembly trap, and now and then, a normal model must still load the same way.
      if ((reply.outcome.status === 'refused' && WASM_TRAP.test(reply.outcome.message)) || i % 250 === 0) {
        healthChecks++;
        const health = await pool.run({ health: true });
        if (health.outcome.status !== 'loaded') {
          unhealthy++;
          console.log(`  UNHEALTHY after ${reply.description}: ${health.outcome.message.slice(0, 300)}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: args.workers }, runner));
  const seconds = (performance.now() - started) / 1000;

  console.log(`\ncases run: ${done} in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(1)} per s)`);
  console.log(`outcomes: ${counts.loaded} loaded, ${counts.refused} refused with LrpKerasError, ${counts.failed} failed`);
  for (const [reader, c] of Object.entries(byReader))
    console.log(`  ${reader}: ${c.loaded} loaded, ${c.refused} refused, ${c.failed} failed`);
  console.log(
    `WebAssembly traps turned into LrpKerasErrors: ${traps}; health checks: ${healthChecks}, unhealthy: ${unhealthy}; workers restarted: ${pool.restarts}`,
  );
  console.log(`slowest case: ${slowest.ms.toFixed(1)} ms — ${slowest.description}`);
  console.log(`peak h5wasm heap: ${(peakHeap / 2 ** 20).toFixed(1)} MiB; peak worker RSS: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`distinct failures: ${failures.size}`);
  if (failures.size) mkdirSync(args.out, { recursive: true });
  for (const [sig, failure] of failures) {
    const small = await minimise(pool, seeds, failure.case, sig);
    const name = `fuzz-${args.seed}-${hash(sig)}`;
    const ext = small.bytes[0] === 0x50 ? 'keras' : 'h5';
    writeFileSync(join(args.out, `${name}.${ext}`), small.bytes);
    // The format test/fuzz.test.ts replays; once the defect is fixed, set `expect` to (part of) the new refusal.
    const record = {
      file: `${name}.${ext}`,
      what: `${describeCase(seeds, small.case)} (npm run fuzz, seed ${args.seed}): ${failure.outcome.message.split('\n')[0]}`,
      readers: [small.case.reader],
      expect: '',
      signature: sig,
      count: failure.count,
      config: small.options.config,
    };
    writeFileSync(join(args.out, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    console.log(
      `  ${failure.count}× ${sig}\n    minimised: ${describeCase(seeds, small.case)}\n    written: ${join(args.out, `${name}.${ext}`)}`,
    );
  }
  await pool.close();
  process.exit(failures.size || unhealthy ? 1 : 0);
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
} else {
  void workerMain();
}

export type { ReaderName };
