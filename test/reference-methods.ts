import type { AnalyzeOptions } from '../src/index.js';

/** Reference keys (CONVENTIONS.md / API.md) and the analyze options that reproduce each. */
export const REFERENCE_METHODS: Record<string, AnalyzeOptions> = {
  gradient: { method: 'gradient' },
  gradient_x_input: { method: 'gradient-x-input' },
  lrp_0: { method: 'lrp-0' },
  'lrp_epsilon_1e-7': { method: 'epsilon', epsilon: 1e-7 },
  'lrp_epsilon_0.25': { method: 'epsilon', epsilon: 0.25 },
  /** Recurrent references (CONVENTIONS-RECURRENT.md): the authors' ε = 1e-3, and the epsilon method's default. */
  lrp_epsilon: { method: 'epsilon', epsilon: 1e-3 },
  'lrp_epsilon_1e-6': { method: 'epsilon', epsilon: 1e-6 },
  lrp_zplus: { method: 'z-plus' },
  lrp_alpha1_beta0: { method: 'alpha-beta', alpha: 1, beta: 0 },
  lrp_alpha2_beta1: { method: 'alpha-beta', alpha: 2, beta: 1 },
  'lrp_gamma_0.25': { method: 'gamma', gamma: 0.25 },
  lrp_flat: { method: 'flat' },
  lrp_wsquare: { method: 'w-square' },
  composite_epsilon_plus: { method: 'epsilon-plus' },
  composite_epsilon_plus_flat: { method: 'epsilon-plus-flat' },
  composite_epsilon_alpha2_beta1: { method: 'epsilon-alpha2-beta1' },
  composite_epsilon_gamma_box: { method: 'epsilon-gamma-box' },
  integrated_gradients: { method: 'integrated-gradients', steps: 20 },
  guided_backprop: { method: 'guided-backprop' },
  deconvnet: { method: 'deconvnet' },
  attnlrp: { method: 'attnlrp' },
  cp_lrp: { method: 'cp-lrp' },
};

/** CONVENTIONS.md: max(1e-5, 10·float32_deviation), and 1e-4 for the small-denominator rules. */
export const toleranceFor = (key: string, deviation: number): number =>
  Math.max(key === 'lrp_0' || key === 'lrp_epsilon_1e-7' ? 1e-4 : 1e-5, 10 * deviation);
