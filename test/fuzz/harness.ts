// A fuzz case as data, how it becomes bytes and load options, and the oracle: the model loads (and
// then predicts and explains) or the load throws an LrpKerasError, within a time bound, without
// touching Object.prototype. Used in-process by test/fuzz.test.ts and in workers by the campaign (test/fuzz/campaign.ts, npm run fuzz).
import { fixedShape } from '../../src/tensor.js';
import fc from 'fast-check';
import { LrpKerasError } from '../../src/errors.js';
import type { LoadOptions } from '../../src/load.js';
import type { Model } from '../../src/model/model.js';
import { lrp } from '../../src/analyze/index.js';
import { applyConfigMutations, configMutationArb, describeConfigMutation, type ConfigMutation } from './configs.js';
import type { Seed } from './corpus.js';
import {
  applyMutations,
  describeMutation,
  KERAS_MEMBERS,
  mutationsArb,
  replaceMember,
  strToU8,
  type KerasMember,
  type Mutation,
} from './mutate.js';

export const READERS = ['pure', 'h5wasm'] as const;
export type ReaderName = (typeof READERS)[number];

export type FuzzCase =
  | {
      readonly kind: 'bytes';
      readonly seed: number;
      readonly reader: ReaderName;
      readonly target: 'file' | KerasMember;
      readonly mutations: Mutation[];
    }
  /** `form`: the config passed as an object, as JSON text, or as JSON text cut short (not JSON). */
  | {
      readonly kind: 'config';
      readonly seed: number;
      readonly reader: ReaderName;
      readonly mutations: ConfigMutation[];
      readonly form: 'object' | 'text' | { cut: number };
    };

/** The mutant's bytes and the options to load it with. */
export function materialise(seeds: readonly Seed[], c: FuzzCase): { bytes: Uint8Array; options: LoadOptions } {
  const seed = seeds[c.seed];
  const options: LoadOptions = { reader: c.reader };
  if (seed.sidecar) options.config = seed.sidecar;
  if (c.kind === 'bytes') {
    if (c.target === 'file') return { bytes: applyMutations(seed.bytes, c.mutations), options };
    const member = seed.members?.[c.target];
    if (!member) return { bytes: applyMutations(seed.bytes, c.mutations), options };
    return { bytes: replaceMember(seed.bytes, c.target, applyMutations(member.bytes, c.mutations)), options };
  }
  const config = applyConfigMutations(seed.configText ?? '{}', c.mutations);
  const text = JSON.stringify(config) ?? 'null';
  const value = c.form === 'object' ? config : c.form === 'text' ? text : text.slice(0, c.form.cut % Math.max(1, text.length));
  if (seed.kind === 'zip')
    return { bytes: replaceMember(seed.bytes, 'config.json', strToU8(typeof value === 'string' ? value : text)), options };
  return { bytes: seed.bytes, options: { ...options, config: value as string | object } };
}

export function describeCase(seeds: readonly Seed[], c: FuzzCase): string {
  const seed = seeds[c.seed];
  if (c.kind === 'bytes') {
    const where = c.target === 'file' ? seed.name : `${seed.name}!${c.target}`;
    return `${where} [${c.reader}]: ${c.mutations.map(describeMutation).join('; ')}`;
  }
  const form = typeof c.form === 'string' ? c.form : `text cut at ${c.form.cut}`;
  return `${seed.name} config (${form}) [${c.reader}]: ${c.mutations.map(describeConfigMutation).join('; ') || 'unchanged'}`;
}

// --- Arbitraries -----------------------------------------------------------------------------

/** Byte mutations of any seed (for zips: of the zip itself, or of one member inside a valid zip). */
export function bytesCaseArb(seeds: readonly Seed[], readers: readonly ReaderName[] = READERS): fc.Arbitrary<FuzzCase> {
  return fc.nat({ max: seeds.length - 1 }).chain((index) => {
    const seed = seeds[index];
    const targets: ('file' | KerasMember)[] = ['file', ...KERAS_MEMBERS.filter((m) => seed.members?.[m])];
    return fc.tuple(fc.constantFrom(...readers), fc.constantFrom(...targets)).chain(([reader, target]) => {
      const map = target === 'file' ? seed.map : seed.members![target]!.map;
      return mutationsArb(map).map((mutations): FuzzCase => ({ kind: 'bytes', seed: index, reader, target, mutations }));
    });
  });
}

/** Config mutations of any seed that has a config. */
export function configCaseArb(seeds: readonly Seed[], readers: readonly ReaderName[] = READERS): fc.Arbitrary<FuzzCase> {
  const withConfig = seeds.map((s, i) => [s, i] as const).filter(([s]) => s.configText !== undefined);
  const form = fc.oneof(
    { arbitrary: fc.constant('object' as const), weight: 6 },
    { arbitrary: fc.constant('text' as const), weight: 2 },
    { arbitrary: fc.record({ cut: fc.nat() }), weight: 1 },
  );
  return fc.constantFrom(...withConfig).chain(([seed, index]) =>
    fc.record({
      kind: fc.constant('config' as const),
      seed: fc.constant(index),
      reader: fc.constantFrom(...readers),
      mutations: fc.array(configMutationArb(seed.configText!), { minLength: 1, maxLength: 3 }),
      form,
    }),
  );
}

// --- The oracle ------------------------------------------------------------------------------

export type Status = 'loaded' | 'refused' | 'failed';

export interface Outcome {
  readonly status: Status;
  /** Time to load or refuse, in ms (predict and explain are timed apart). */
  readonly ms: number;
  /** The error message (refused, failed), or what was run on the loaded model. */
  readonly message: string;
  /** For failures: where it happened and a signature to group failures by. */
  readonly phase?: 'load' | 'predict' | 'explain' | 'time' | 'prototype' | 'hang';
  readonly stack?: string;
}

/** Messages of a WebAssembly trap that h5wasm-reader turned into an LrpKerasError. */
export const WASM_TRAP = /Aborted|memory access out of bounds|unreachable|RuntimeError|table index|call stack/;

const prototypeKeys = (): string =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
const PROTOTYPES = prototypeKeys();

/** Largest input (elements per sample) a loaded mutant is run on; more would time the kernels, not the loader. */
const MAX_RUN_ELEMENTS = 1 << 16;

export type LoadModel = (bytes: Uint8Array, options: LoadOptions) => Promise<Model>;

/** Load the mutant; a model that loads must also predict and explain one sample. */
export async function runCase(loadModel: LoadModel, bytes: Uint8Array, options: LoadOptions, boundMs: number): Promise<Outcome> {
  const start = performance.now();
  let model: Model;
  try {
    model = await loadModel(bytes, options);
  } catch (e) {
    const ms = performance.now() - start;
    return checked(ms, boundMs, refusal(e, 'load'));
  }
  const ms = performance.now() - start;
  let message = `loaded ${fixedShape(model.inputShape, 'model.inputShape').join('×')} → ${fixedShape(model.outputShape, 'model.outputShape').join('×')}`;
  const size = fixedShape(model.inputShape, 'model.inputShape').reduce((a, b) => a * b, 1);
  if (size <= MAX_RUN_ELEMENTS) {
    const x = {
      shape: [1, ...fixedShape(model.inputShape, 'model.inputShape')],
      data: Float32Array.from({ length: size }, (_, i) => ((i * 37) % 101) / 101),
    };
    for (const phase of ['predict', 'explain'] as const) {
      const started = performance.now();
      try {
        if (phase === 'predict') model.predict(x);
        else lrp(model, x);
      } catch (e) {
        const outcome = refusal(e, phase);
        if (outcome.status === 'failed') return checked(ms, boundMs, outcome);
        message += `; ${phase} refused: ${outcome.message}`;
      }
      // One sample of a model that loaded from a small file must not take long either.
      const took = performance.now() - started;
      if (took > boundMs)
        return { status: 'failed', ms, message: `${phase} took ${took.toFixed(0)} ms (bound ${boundMs} ms): ${message}`, phase: 'time' };
    }
  }
  return checked(ms, boundMs, { status: 'loaded', ms, message });
}

function refusal(e: unknown, phase: 'load' | 'predict' | 'explain'): Outcome {
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof LrpKerasError && !/internal error/.test(message)) return { status: 'refused', ms: 0, message };
  return { status: 'failed', ms: 0, message: `${(e as Error)?.name ?? typeof e}: ${message}`, phase, stack: (e as Error)?.stack };
}

function checked(ms: number, boundMs: number, outcome: Outcome): Outcome {
  if (prototypeKeys() !== PROTOTYPES)
    return { status: 'failed', ms, message: 'a built-in prototype gained or lost properties', phase: 'prototype' };
  if (outcome.status !== 'failed' && ms > boundMs)
    return { status: 'failed', ms, message: `took ${ms.toFixed(0)} ms (bound ${boundMs} ms): ${outcome.message}`, phase: 'time' };
  return { ...outcome, ms };
}

/** A key to group failures by: phase, error type and message with numbers and names blurred. */
export function signature(reader: string, outcome: Outcome): string {
  const first = outcome.message
    .split('\n')[0]
    .replace(/'[^']*'/g, "'…'")
    .replace(/0x[0-9a-f]+|\d+(\.\d+)?/gi, 'N')
    .replace(/^[^:]*(\.h5|\.keras|\.hdf5|<bytes>)[^:]*: /, '');
  return `${reader}/${outcome.phase}: ${first.slice(0, 160)}`;
}
