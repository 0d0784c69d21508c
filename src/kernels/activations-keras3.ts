/**
 * Element-wise activations Keras 3 added (keras.activations, by name with their default parameters).
 * Same shape as `Activation` in activations.ts, which looks these up for names it does not define
 * itself. Derivatives at kinks take the branch TensorFlow's `where` takes there.
 */
export interface NamedActivation {
  readonly name: string;
  f(x: number): number;
  df(x: number): number;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const SHRINK = 0.5;

const KERAS3: Record<string, Omit<NamedActivation, 'name'>> = {
  /** alpha = 1: max(x, 0) + min(0, exp(x) − 1). */
  celu: { f: (x) => (x > 0 ? x : Math.expm1(x)), df: (x) => (x > 0 ? 1 : Math.exp(x)) },
  /** b = 4: (x + √(x² + 4)) / 2. */
  squareplus: { f: (x) => (x + Math.sqrt(x * x + 4)) / 2, df: (x) => (1 + x / Math.sqrt(x * x + 4)) / 2 },
  soft_shrink: { f: (x) => (x > SHRINK ? x - SHRINK : x < -SHRINK ? x + SHRINK : 0), df: (x) => (x > SHRINK || x < -SHRINK ? 1 : 0) },
  hard_shrink: { f: (x) => (Math.abs(x) > SHRINK ? x : 0), df: (x) => (Math.abs(x) > SHRINK ? 1 : 0) },
  tanh_shrink: { f: (x) => x - Math.tanh(x), df: (x) => Math.tanh(x) ** 2 },
  sparse_plus: { f: (x) => (x <= -1 ? 0 : x >= 1 ? x : (x + 1) ** 2 / 4), df: (x) => (x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2) },
  sparse_sigmoid: { f: (x) => (x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2), df: (x) => (x <= -1 || x >= 1 ? 0 : 0.5) },
  hard_tanh: { f: (x) => Math.min(1, Math.max(-1, x)), df: (x) => (x > -1 && x < 1 ? 1 : 0) },
  log_sigmoid: { f: (x) => -softplus(-x), df: (x) => sigmoid(-x) },
};

export function keras3Activation(name: string): NamedActivation | undefined {
  const found = Object.hasOwn(KERAS3, name) ? KERAS3[name] : undefined;
  return found && { name, ...found };
}
