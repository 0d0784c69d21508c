import { gradientStep } from '../attribution/gradient.js';
import { fail } from '../errors.js';
import { bilinearTaps, interpolateForward } from '../kernels/interpolate.js';
import { propagateBackward } from '../model/backward.js';
import { tensorShape, type Graph } from '../model/graph.js';
import type { Tensor } from '../tensor.js';
import type { Explanation } from './conservation.js';
import { GRADIENT_METHODS } from './gradients.js';
import { channelAxis, layerTensor } from './start.js';
import type { Run } from './run.js';

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A tensor's shape split into its channel axis and its spatial axes. */
function axesOf(graph: Graph, shape: readonly number[]): { axis: number; channels: number; spatial: number[] } {
  const axis = channelAxis(graph, shape);
  return { axis, channels: shape[axis], spatial: shape.filter((_, k) => k !== axis) };
}

/**
 * The layer Grad-CAM weights: `options.layer`, or the last layer in execution order (at or below the
 * target) whose output has the input's spatial axes, i.e. before any global pooling, Flatten or Dense.
 */
function camLayer(run: Run, shape: number[]): { name: string; tensor: number } {
  const { model, start, options } = run;
  const rank = shape.length - 1;
  if (rank < 2 || rank > 3)
    fail(
      `${options.method}: the input ${JSON.stringify(shape.slice(1))} has no spatial axes to map (1 or 2 spatial axes and a channel axis are needed)`,
    );
  const nodes = model.graph.nodes;
  let name = options.layer;
  if (name === undefined) {
    let id = start.tensor;
    while (id >= 1 && (nodes[id - 1].op.kind === 'input' || nodes[id - 1].outShape.length !== rank)) id--;
    if (id < 1) fail(`${options.method}: no layer below the target keeps the input's spatial axes; name one with option layer`);
    name = nodes[id - 1].layer;
  }
  const tensor = layerTensor(model, name, 'option layer', false);
  const out = tensorShape(model.graph, tensor);
  if (out.length !== rank)
    fail(
      `option layer: layer '${name}' outputs shape [${out.join(', ')}], which lacks the input's spatial axes ${JSON.stringify(shape.slice(1))}`,
    );
  if (tensor > start.tensor) fail(`option layer: layer '${name}' comes after the target, so the target does not depend on it`);
  return { name, tensor };
}

/** ∂ score / ∂A at one tensor: nodes at or below it pass nothing further down. */
function gradientAt(run: Run, tensor: number): Float32Array {
  const { model, n, start, values } = run;
  const step = gradientStep(model.graph, n, 'gradient');
  const signals = propagateBackward(model.graph, values, start.tensor, start.mask, (node, index, xs, y, g) => {
    run.between();
    return index + 1 > tensor ? step(node, index, xs, y, g) : node.inputs.map((i) => new Float32Array(values[i].length));
  });
  return signals[tensor] ?? new Float32Array(values[tensor].length);
}

/**
 * The CAM at the layer's resolution, per sample: αₖ = mean over positions of ∂score/∂Aₖ,
 * CAM = ReLU(Σₖ αₖAₖ) (Selvaraju et al. 2017), in float64 sums.
 */
function camAt(run: Run, tensor: number): Tensor {
  const { n, values } = run;
  const graph = run.model.graph;
  const shape = tensorShape(graph, tensor);
  const { axis, channels, spatial } = axesOf(graph, shape);
  const positions = sizeOf(spatial);
  const size = positions * channels;
  // Element (p, k): channels last at p·C + k, channels first at k·P + p.
  const at = axis === 0 ? (p: number, k: number) => k * positions + p : (p: number, k: number) => p * channels + k;
  const A = values[tensor];
  const g = gradientAt(run, tensor);
  const cam = new Float32Array(n * positions);
  const alpha = new Float64Array(channels);
  for (let s = 0; s < n; s++) {
    const base = s * size;
    alpha.fill(0);
    for (let p = 0; p < positions; p++) for (let k = 0; k < channels; k++) alpha[k] += g[base + at(p, k)];
    for (let k = 0; k < channels; k++) alpha[k] /= positions;
    for (let p = 0; p < positions; p++) {
      let acc = 0;
      for (let k = 0; k < channels; k++) acc += alpha[k] * A[base + at(p, k)];
      cam[s * positions + p] = Math.max(acc, 0);
    }
  }
  return { shape: [n, ...spatial], data: cam };
}

/** Each sample's CAM resized to the input's spatial size (bilinear, half-pixel centres, as TF's `resize`). */
function resized(cam: Tensor, to: number[]): Float32Array {
  const n = cam.shape[0];
  const from = cam.shape.slice(1);
  // One spatial axis (Conv1D) is an image one row high.
  const [h, w] = from.length === 1 ? [1, from[0]] : from;
  const [H, W] = to.length === 1 ? [1, to[0]] : to;
  const out = new Float32Array(n * H * W);
  interpolateForward(cam.data, out, bilinearTaps(w, 1, { top: 0, left: 0, height: h, width: w }, H, W), n, h * w);
  return out;
}

/** A map over the input's spatial positions (per sample) spread over its channels: element i gets `each(i, value at its position)`. */
function spread(run: Run, shape: number[], map: Float32Array, each: (i: number, v: number) => number): Float32Array {
  const { n } = run;
  const { axis, channels, spatial } = axesOf(run.model.graph, shape.slice(1));
  const positions = sizeOf(spatial);
  const out = new Float32Array(n * positions * channels);
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < positions; p++) {
      for (let k = 0; k < channels; k++) {
        const i = s * positions * channels + (axis === 0 ? k * positions + p : p * channels + k);
        out[i] = each(i, map[s * positions + p]);
      }
    }
  }
  return out;
}

/** The CAM, resized and in the input's shape, and the raw CAM for `returnLayers`. */
function camExplanation(run: Run, shape: number[], values: (cam: Float32Array) => Float32Array): Explanation {
  const layer = camLayer(run, shape);
  const cam = camAt(run, layer.tensor);
  const { spatial } = axesOf(run.model.graph, shape.slice(1));
  const out: Explanation = { shape: shape.slice(), data: values(resized(cam, spatial)) };
  // The raw CAM at the layer's resolution; Grad-CAM has no conservation report.
  if (run.options.returnLayers) Object.assign(out, { layers: { [layer.name]: cam }, conservation: [] });
  return out;
}

/** Grad-CAM: each input channel holds CAM / channels, so that a heatmap (a sum over channels) shows the CAM. */
export function gradCam(run: Run, shape: number[]): Explanation {
  const channels = axesOf(run.model.graph, shape.slice(1)).channels;
  return camExplanation(run, shape, (cam) => spread(run, shape, cam, (_, v) => v / channels));
}

/** Guided Grad-CAM: guided backprop ⊙ the resized CAM, per channel. */
export function guidedGradCam(run: Run, shape: number[]): Explanation {
  return camExplanation(run, shape, (cam) => {
    const [guided] = GRADIENT_METHODS['guided-backprop'].attribute(run);
    return spread(run, shape, cam, (i, v) => guided[i] * v);
  });
}
