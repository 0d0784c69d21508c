import { namedActivation, type Activation } from '../../kernels/activations.js';
import { gateBlocks, recurrentOutputSize, stateCount, type CellKind, type RecurrentSpec } from '../../kernels/recurrent.js';
import type { WeightTensor } from '../../io/keras-h5.js';
import { formatShape } from '../../tensor.js';
import { boolField, field, intField, layerFail, stringField, takeWeights, type LayerBuilder, type LayerContext } from './context.js';

/**
 * SimpleRNN, LSTM, GRU (and CuDNNLSTM / CuDNNGRU), alone or in a Bidirectional wrapper, in every Keras
 * generation's config and weight layout (CONVENTIONS-RECURRENT.md §1). Each direction is one
 * `recurrent` node reading [x, mask?, initial states?]; its output packs the layer's output and, with
 * `return_state`, the final states, which gather nodes then hand out as separate tensors.
 */

interface CellClass {
  cell: CellKind;
  cudnn: boolean;
}

const CELL_CLASSES: Record<string, CellClass> = {
  SimpleRNN: { cell: 'simple', cudnn: false },
  LSTM: { cell: 'lstm', cudnn: false },
  GRU: { cell: 'gru', cudnn: false },
  CuDNNLSTM: { cell: 'lstm', cudnn: true },
  CuDNNGRU: { cell: 'gru', cudnn: true },
};

/** The cells of the generic `RNN(cell)` layer. */
const CELLS: Record<string, CellKind> = { LSTMCell: 'lstm', GRUCell: 'gru', SimpleRNNCell: 'simple' };

/**
 * A recurrent layer's cell kind and the config its options come from: the layer's own, or for a generic
 * `RNN(cell)` the cell's config with the RNN's (return_sequences, go_backwards, …) over it.
 */
function cellOf(
  ctx: LayerContext,
  className: string,
  config: Record<string, unknown>,
): { kind: CellClass; config: Record<string, unknown> } {
  if (Object.hasOwn(CELL_CLASSES, className)) return { kind: CELL_CLASSES[className], config };
  if (className !== 'RNN') return layerFail(ctx, `the wrapped layer class '${className}' is not a recurrent layer`);
  const cell = config.cell as { class_name?: unknown; config?: unknown } | undefined;
  const cellClass = typeof cell?.class_name === 'string' ? cell.class_name : undefined;
  if (!cellClass || !Object.hasOwn(CELLS, cellClass) || typeof cell?.config !== 'object' || cell.config === null) {
    return layerFail(ctx, `RNN with cell ${JSON.stringify(cellClass ?? cell)} is not supported (one LSTMCell, GRUCell or SimpleRNNCell)`);
  }
  const outer = Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'cell'));
  return { kind: { cell: CELLS[cellClass], cudnn: false }, config: { ...(cell.config as Record<string, unknown>), ...outer } };
}

/** Keras 1 per-gate arrays, in the order Keras 1 stores them, and where each gate goes in Keras 2's blocks. */
const KERAS1_GATES: Record<CellKind, { stored: string[]; order: string[] }> = {
  lstm: { stored: ['i', 'c', 'f', 'o'], order: ['i', 'f', 'c', 'o'] },
  gru: { stored: ['z', 'r', 'h'], order: ['z', 'r', 'h'] },
  simple: { stored: [''], order: [''] },
};

function activationOf(ctx: LayerContext, value: unknown, what: string): Activation {
  let name = value;
  if (typeof name === 'object' && name !== null && 'config' in name) name = (name as { config: { name?: unknown } }).config?.name ?? name;
  if (typeof name !== 'string') return layerFail(ctx, `${what} ${JSON.stringify(value)} is not supported`);
  return (
    namedActivation(name.replace(/^keras\.activations\./, ''), ctx.keras.major >= 3) ?? layerFail(ctx, `${what} '${name}' is not supported`)
  );
}

/** The columns of (rows, u) blocks side by side: (rows, k·u). */
function sideBySide(blocks: Float32Array[], rows: number, u: number): Float32Array {
  const out = new Float32Array(rows * blocks.length * u);
  for (let r = 0; r < rows; r++) {
    blocks.forEach((b, k) => {
      out.set(b.subarray(r * u, (r + 1) * u), (r * blocks.length + k) * u);
    });
  }
  return out;
}

interface CellWeights {
  W: Float32Array;
  U: Float32Array;
  bIn: Float32Array | null;
  bRec: Float32Array | null;
  resetAfter: boolean;
}

/** The kernels of one cell from its stored weights, whichever generation wrote them. */
function cellWeights(ctx: LayerContext, kind: CellClass, features: number, u: number, config: Record<string, unknown>): CellWeights {
  const k = gateBlocks(kind.cell);
  const ku = k * u;
  const stored = ctx.weights;
  if (kind.cudnn) {
    const [W, U, b] = takeWeights(ctx, [
      { name: 'kernel', shape: [features, ku] },
      { name: 'recurrent_kernel', shape: [u, ku] },
      { name: 'bias', shape: [2 * ku] },
    ]);
    // cuDNN keeps separate input and recurrent biases: an LSTM adds them, a GRU keeps them apart (reset_after).
    if (kind.cell === 'lstm')
      return { W, U, bIn: Float32Array.from(b.subarray(0, ku), (v, i) => v + b[ku + i]), bRec: null, resetAfter: false };
    return { W, U, bIn: b.subarray(0, ku), bRec: b.subarray(ku), resetAfter: true };
  }
  const gates = KERAS1_GATES[kind.cell];
  if (kind.cell !== 'simple' && stored.length === 3 * gates.stored.length) {
    // Keras 1: W_g, U_g, b_g per gate.
    const expected = gates.stored.flatMap((g) => [
      { name: `W_${g}`, shape: [features, u] },
      { name: `U_${g}`, shape: [u, u] },
      { name: `b_${g}`, shape: [u] },
    ]);
    const arrays = takeWeights(ctx, expected);
    const at = (g: string, part: number): Float32Array => arrays[gates.stored.indexOf(g) * 3 + part];
    return {
      W: sideBySide(
        gates.order.map((g) => at(g, 0)),
        features,
        u,
      ),
      U: sideBySide(
        gates.order.map((g) => at(g, 1)),
        u,
        u,
      ),
      bIn: sideBySide(
        gates.order.map((g) => at(g, 2)),
        1,
        u,
      ),
      bRec: null,
      resetAfter: false,
    };
  }
  const useBias = typeof config.use_bias === 'boolean' ? config.use_bias : stored.length !== 2;
  let resetAfter = false;
  if (kind.cell === 'gru') {
    // Decided by the stored bias (2-D: reset_after), else by the config key (Keras ≤ 2.3 default False).
    const bias = useBias ? stored[2] : undefined;
    resetAfter = bias ? bias.shape.length === 2 : config.reset_after === true;
  }
  const biasShape = resetAfter ? [2, ku] : [ku];
  const [W, U, b] = takeWeights(ctx, [
    { name: 'kernel', shape: [features, ku] },
    { name: 'recurrent_kernel', shape: [u, ku] },
    ...(useBias ? [{ name: 'bias', shape: biasShape }] : []),
  ]);
  if (!b) return { W, U, bIn: null, bRec: null, resetAfter };
  return resetAfter ? { W, U, bIn: b.subarray(0, ku), bRec: b.subarray(ku), resetAfter } : { W, U, bIn: b, bRec: null, resetAfter };
}

/** Everything of a cell's config the kernel needs (weights aside); `config` is the (possibly wrapped) layer's own. */
function cellOptions(ctx: LayerContext, kind: CellClass, config: Record<string, unknown>) {
  const sub: LayerContext = { ...ctx, spec: { ...ctx.spec, config } };
  const units = intField(sub, ['units', 'output_dim']);
  const act = kind.cudnn ? activationOf(ctx, 'tanh', 'activation') : activationOf(ctx, field(sub, ['activation']) ?? 'tanh', 'activation');
  // Keras 1 and standalone Keras 2.0–2.2 defaulted to hard_sigmoid; Keras ≥ 2.3, tf.keras and Keras 3 to sigmoid.
  const minor = Number.parseInt(ctx.keras.version?.split('.')[1] ?? '0', 10);
  const recDefault = ctx.keras.major <= 1 || (ctx.keras.major === 2 && minor < 3) ? 'hard_sigmoid' : 'sigmoid';
  const recAct =
    kind.cudnn || kind.cell === 'simple'
      ? activationOf(ctx, 'sigmoid', 'recurrent_activation')
      : activationOf(ctx, field(sub, ['recurrent_activation', 'inner_activation']) ?? recDefault, 'recurrent_activation');
  return {
    units,
    act,
    recAct,
    returnSequences: boolField(sub, ['return_sequences'], false),
    returnState: boolField(sub, ['return_state'], false),
    goBackwards: boolField(sub, ['go_backwards'], false),
    zeroOutputForMask: boolField(sub, ['zero_output_for_mask'], false),
  };
}

/** The (T, features) input of a recurrent layer. */
function sequenceShape(ctx: LayerContext): [number, number] {
  const shape = ctx.inShapes[0];
  if (shape.length !== 2) layerFail(ctx, `expects a sequence (time steps, features), got input shape ${formatShape(shape)}`);
  return [shape[0], shape[1]];
}

/** Initial states: Keras 2 lists them after the input, Keras 3 passes them as the `initial_state` keyword. */
function initialStates(ctx: LayerContext): number[] {
  return [...ctx.inputs.slice(1), ...(ctx.kwargTensors.initial_state ?? [])];
}

/** The mask of the input: carried with it, or passed as the `mask` keyword (a (T) tensor). */
function inputMask(ctx: LayerContext, steps: number): number | undefined {
  const carried = ctx.maskOf(ctx.inputs[0]);
  if (carried !== undefined) return carried;
  const given = ctx.kwargTensors.mask?.[0];
  if (given === undefined) return undefined;
  const shape = ctx.shapeOf(given);
  return shape.length === 1 && shape[0] === steps
    ? given
    : layerFail(ctx, `the mask passed to the layer has shape ${formatShape(shape)}, expected (${steps})`);
}

/** One direction: its node, then the tensors Keras returns (output, then final states with return_state). */
function emitDirection(
  ctx: LayerContext,
  spec: RecurrentSpec,
  steps: number,
  mask: number | undefined,
  states: number[],
  suffix: string,
): { node: number; outputs: number[] } {
  const u = spec.units;
  const n = stateCount(spec.cell);
  if (states.length !== 0 && states.length !== n) layerFail(ctx, `expects ${n} initial state tensor(s), got ${states.length}`);
  for (const s of states) {
    const shape = ctx.shapeOf(s);
    if (shape.length !== 1 || shape[0] !== u) layerFail(ctx, `an initial state has shape ${formatShape(shape)}, expected (${u})`);
  }
  const full: RecurrentSpec = { ...spec, hasMask: mask !== undefined, hasInitialState: states.length > 0 };
  const outShape = spec.returnSequences ? [steps, u] : [u];
  const inputs = [ctx.inputs[0], ...(mask !== undefined ? [mask] : []), ...states];
  if (!spec.returnState) {
    const node = ctx.emit({ kind: 'recurrent', spec: full, steps }, outShape, inputs, suffix);
    return { node, outputs: [node] };
  }
  const size = recurrentOutputSize(full, steps);
  const node = ctx.emit({ kind: 'recurrent', spec: full, steps }, [size], inputs, suffix);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const slice = (from: number, count: number, shape: number[], name: string): number =>
    ctx.emit({ kind: 'gather', map: Int32Array.from({ length: count }, (_, i) => from + i) }, shape, [node], `${suffix}:${name}`);
  const outputs = [slice(0, outSize, outShape, 'output'), slice(outSize, u, [u], 'h')];
  if (spec.cell === 'lstm') outputs.push(slice(outSize + u, u, [u], 'c'));
  return { node, outputs };
}

function directionSpec(
  ctx: LayerContext,
  kind: CellClass,
  config: Record<string, unknown>,
  features: number,
): Omit<RecurrentSpec, 'hasMask' | 'hasInitialState'> {
  const o = cellOptions(ctx, kind, config);
  const w = cellWeights(ctx, kind, features, o.units, config);
  return { cell: kind.cell, features, reverseOutput: false, ...o, ...w } as RecurrentSpec;
}

/** SimpleRNN, LSTM, GRU, CuDNNLSTM, CuDNNGRU, and RNN with one of their cells. */
export const recurrentLayer =
  (className: string): LayerBuilder =>
  (ctx) => {
    const { kind, config } = cellOf(ctx, className, ctx.spec.config);
    const [steps, features] = sequenceShape(ctx);
    const spec = directionSpec(ctx, kind, config, features) as RecurrentSpec;
    const mask = inputMask(ctx, steps);
    const { outputs } = emitDirection(ctx, spec, steps, mask, initialStates(ctx), '');
    if (spec.returnSequences && mask !== undefined) ctx.setMask(outputs[0], mask);
    return spec.returnState ? outputs : outputs[0];
  };

const MERGES = ['concat', 'sum', 'ave', 'mul', 'None'] as const;

/** Weights of each direction: told apart by their paths where they say (`forward_…`, `backward_…`), else forward first. */
function directionWeights(ctx: LayerContext): [WeightTensor[], WeightTensor[]] {
  const all = ctx.weights;
  const fw = all.filter((w) => /(^|\/)forward_/.test(w.name));
  const bw = all.filter((w) => /(^|\/)backward_/.test(w.name));
  if (fw.length > 0 && fw.length + bw.length === all.length && fw.length === bw.length) return [fw, bw];
  if (all.length % 2 !== 0) layerFail(ctx, `expects the same weights for both directions, the file has ${all.length}`);
  return [all.slice(0, all.length / 2), all.slice(all.length / 2)];
}

/** Bidirectional(layer, merge_mode, backward_layer): two directions over the same input, merged. */
export const bidirectionalLayer: LayerBuilder = (ctx) => {
  const wrapped = (key: string): { class_name: string; config: Record<string, unknown> } | undefined => {
    const v = ctx.spec.config[key] as { class_name?: unknown; config?: unknown } | undefined;
    if (v === undefined || v === null) return undefined;
    if (typeof v.class_name !== 'string' || typeof v.config !== 'object' || v.config === null)
      return layerFail(ctx, `needs ${key} as {class_name, config}, got ${JSON.stringify(v)}`);
    return v as { class_name: string; config: Record<string, unknown> };
  };
  const forward = wrapped('layer') ?? layerFail(ctx, 'has no wrapped layer');
  const backward = wrapped('backward_layer') ?? {
    class_name: forward.class_name,
    config: { ...forward.config, go_backwards: !(forward.config.go_backwards === true) },
  };
  const cells = [forward, backward].map((l) => cellOf(ctx, l.class_name, l.config));
  const mergeMode = ctx.spec.config.merge_mode === null ? 'None' : stringField(ctx, ['merge_mode'], MERGES, 'concat');
  const [steps, features] = sequenceShape(ctx);
  const [fw, bw] = directionWeights(ctx);
  const specs = [forward, backward].map((l, k) =>
    directionSpec(
      { ...ctx, weights: k === 0 ? fw : bw, where: `${ctx.where} (${k === 0 ? 'forward' : 'backward'} ${l.class_name})` },
      cells[k].kind,
      cells[k].config,
      features,
    ),
  );
  const returnSequences = specs[0].returnSequences;
  const returnState = specs[0].returnState;
  if (specs[1].returnSequences !== returnSequences || specs[1].returnState !== returnState)
    layerFail(ctx, "the backward layer must have the forward layer's return_sequences and return_state");
  // Keras flips the backward sequence back to input order and zeroes masked steps' outputs of both directions.
  specs[1].reverseOutput = returnSequences;
  for (const s of specs) s.zeroOutputForMask = returnSequences;
  const mask = inputMask(ctx, steps);
  const states = initialStates(ctx);
  const perDirection = states.length / 2;
  // The forward node carries the layer's name (its rule in Model.layers), the backward one and the merge suffixes.
  const [f, b] = specs.map((s, k) =>
    emitDirection(ctx, s as RecurrentSpec, steps, mask, states.slice(k * perDirection, (k + 1) * perDirection), k === 0 ? '' : ':backward'),
  );
  const yf = f.outputs[0];
  const yb = b.outputs[0];
  const shape = ctx.shapeOf(yf);
  if (ctx.shapeOf(yb).join() !== shape.join())
    layerFail(ctx, `the two directions' outputs differ in shape (${formatShape(shape)}, ${formatShape(ctx.shapeOf(yb))})`);
  let merged: number[];
  if (mergeMode === 'None') merged = [yf, yb];
  else if (mergeMode === 'concat') {
    const u = shape[shape.length - 1];
    merged = [
      ctx.emit({ kind: 'concat', outer: returnSequences ? steps : 1, blocks: [u, u] }, [...shape.slice(0, -1), 2 * u], [yf, yb], ':merge'),
    ];
  } else {
    merged = [ctx.emit({ kind: 'merge-directions', mode: mergeMode }, shape, [yf, yb], ':merge')];
  }
  if (returnSequences && mask !== undefined) for (const m of merged) ctx.setMask(m, mask);
  const outputs = [...merged, ...(returnState ? [...f.outputs.slice(1), ...b.outputs.slice(1)] : [])];
  return outputs.length === 1 ? outputs[0] : outputs;
};
