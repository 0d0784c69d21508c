import { keras3Activation } from './activations-keras3.js';

/** Elementwise activations with their derivatives, as Keras computes them. */
export interface Activation {
  readonly name: string;
  f(x: number): number;
  /** Derivative at x; 0 at the kinks of piecewise-linear units, as autograd does. */
  df(x: number): number;
  /**
   * Set for gating units (CONVENTIONS.md): f(x) = 0 for x below `threshold`, min(x, max) above, so that
   * guided backprop and deconvnet may gate the gradient they send back.
   */
  readonly gate?: { threshold: number; max: number };
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** erf to about 1e-15, since JavaScript has none: a Taylor series near 0, a continued fraction beyond. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up.
  let frac = ax;
  for (let k = 60; k >= 1; k--) frac = ax + k / 2 / frac;
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac);
}

const normalPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const normalCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

/** Keras' ReLU layer: min(x, max) above the threshold, slope·(x − threshold) below. */
export function reluLayer(maxValue: number, negativeSlope: number, threshold: number): Activation {
  const gated = negativeSlope === 0;
  return {
    name: gated && maxValue === Infinity && threshold === 0 ? 'relu' : 'relu_general',
    f: (x) => (x > threshold ? Math.min(x, maxValue) : negativeSlope * (x - threshold)),
    df: (x) => (x > threshold ? (x < maxValue ? 1 : 0) : x < threshold ? negativeSlope : 0),
    gate: gated ? { threshold, max: maxValue } : undefined,
  };
}

export const leakyRelu = (slope: number): Activation => ({
  name: 'leaky_relu',
  f: (x) => (x > 0 ? x : slope * x),
  df: (x) => (x > 0 ? 1 : slope),
});

export const eluActivation = (alpha: number): Activation => ({
  name: 'elu',
  f: (x) => (x > 0 ? x : alpha * Math.expm1(x)),
  df: (x) => (x > 0 ? 1 : alpha * Math.exp(x)),
});

/**
 * The activations a layer's `activation` string may name. `hard_sigmoid` changed in Keras 3
 * (slope 1/6 instead of 0.2), hence the version flag.
 */
export function namedActivation(name: string, keras3: boolean): Activation | undefined {
  const hardSigmoidOf = (slope: number) => ({
    f: (x: number): number => Math.min(1, Math.max(0, slope * x + 0.5)),
    df: (x: number): number => {
      const v = slope * x + 0.5;
      return v > 0 && v < 1 ? slope : 0;
    },
  });
  const { f: hardSigmoid, df: hardSigmoidD } = hardSigmoidOf(keras3 ? 1 / 6 : 0.2);
  // hard_silu / hard_swish exist only in Keras 3 (and MobileNetV3's relu6(x + 3) / 6): always slope 1/6.
  const hardSwish = hardSigmoidOf(1 / 6);
  switch (name) {
    case 'linear':
      return { name, f: (x) => x, df: () => 1 };
    case 'relu':
      return reluLayer(Infinity, 0, 0);
    case 'relu6':
      return { ...reluLayer(6, 0, 0), name };
    case 'leaky_relu':
      return leakyRelu(0.2);
    case 'elu':
      return eluActivation(1);
    case 'selu':
      return {
        name,
        f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
        df: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)),
      };
    case 'sigmoid':
      return { name, f: sigmoid, df: (x) => sigmoid(x) * (1 - sigmoid(x)) };
    case 'tanh':
      return { name, f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 };
    case 'softplus':
      return { name, f: softplus, df: sigmoid };
    case 'softsign':
      return { name, f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 };
    case 'swish':
    case 'silu':
      return { name, f: (x) => x * sigmoid(x), df: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))) };
    case 'gelu':
      return { name, f: (x) => x * normalCdf(x), df: (x) => normalCdf(x) + x * normalPdf(x) };
    case 'exponential':
      return { name, f: Math.exp, df: Math.exp };
    case 'hard_sigmoid':
      return { name, f: hardSigmoid, df: hardSigmoidD };
    case 'hard_silu':
    case 'hard_swish':
      return { name, f: (x) => x * hardSwish.f(x), df: (x) => hardSwish.f(x) + x * hardSwish.df(x) };
    case 'mish':
      return {
        name,
        f: (x) => x * Math.tanh(softplus(x)),
        df: (x) => {
          const t = Math.tanh(softplus(x));
          return t + x * (1 - t * t) * sigmoid(x);
        },
      };
    default:
      return keras3Activation(name);
  }
}

export function activationForward(x: Float32Array, y: Float32Array, count: number, act: Activation): void {
  const gate = act.gate;
  if (gate) {
    // relu, relu6, thresholded relu inline: exactly f(x) = x > t ? min(x, max) : 0·(x − t).
    const { threshold: t, max } = gate;
    for (let i = 0; i < count; i++) {
      const v = x[i];
      y[i] = v > t ? (v < max ? v : max) : 0 * (v - t);
    }
    return;
  }
  const f = act.f;
  for (let i = 0; i < count; i++) y[i] = f(x[i]);
}

/** gx = f'(x)·gy */
export function activationBackward(x: Float32Array, gy: Float32Array, gx: Float32Array, count: number, act: Activation): void {
  const gate = act.gate;
  if (gate) {
    // f'(x) = 1 strictly between the threshold and max, else 0 (the slope is 0 for gating units).
    const { threshold: t, max } = gate;
    for (let i = 0; i < count; i++) {
      const v = x[i];
      gx[i] = (v > t && v < max ? 1 : 0) * gy[i];
    }
    return;
  }
  const df = act.df;
  for (let i = 0; i < count; i++) gx[i] = df(x[i]) * gy[i];
}
