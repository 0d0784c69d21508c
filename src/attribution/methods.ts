/** Every method id `analyze` accepts, with a one-line description (for errors, the CLI and the README). */
export const METHODS: Readonly<Record<string, string>> = {
  'gradient': '∂ logit_target / ∂x',
  'gradient-x-input': 'x ⊙ gradient',
  'integrated-gradients': '(x − x̄) ⊙ mean of gradients along the straight path from the baseline x̄ (steps, baseline)',
  'smoothgrad': 'mean gradient over noisy copies of x (samples, noise, seed)',
  'guided-backprop': 'gradient where relu-like units also drop negative upstream gradients',
  'deconvnet': 'gradient where relu-like units pass max(upstream, 0) and ignore their input',
  'lrp-0': 'LRP-0 (ε = 0) on every Dense/Conv',
  'epsilon': 'LRP-ε on every Dense/Conv (epsilon, default 1e-6)',
  'z-plus': 'LRP-z⁺ on every Dense/Conv',
  'alpha-beta': 'LRP-αβ on every Dense/Conv (alpha, beta; α − β = 1)',
  'gamma': 'generalised LRP-γ on every Dense/Conv (gamma, default 0.25)',
  'flat': 'flat rule on every Dense/Conv',
  'w-square': 'w² rule on every Dense/Conv',
  'z-box': 'zB rule on every Dense/Conv (low, high), meant for the first layer',
  'epsilon-plus': 'composite: Dense ε, Conv z⁺ (the lrp() default)',
  'epsilon-plus-flat': 'composite: first Dense/Conv flat, Dense ε, Conv z⁺',
  'epsilon-alpha2-beta1': 'composite: Dense ε, Conv α2β1',
  'epsilon-alpha2-beta1-flat': 'composite: first Dense/Conv flat, Dense ε, Conv α2β1',
  'epsilon-gamma-box': 'composite: Dense ε, first Conv zB (low, high), other Conv γ',
};

/**
 * innvestigate analyzer names mapped to the closest method and the defaults that make them closest;
 * README.md lists what still differs.
 */
export const ALIASES: Readonly<Record<string, { method: string; defaults?: { epsilon?: number; alpha?: number; beta?: number } }>> = {
  'lrp.z': { method: 'epsilon', defaults: { epsilon: 1e-7 } },
  'lrp.epsilon': { method: 'epsilon', defaults: { epsilon: 1e-7 } },
  'lrp.alpha_2_beta_1': { method: 'alpha-beta', defaults: { alpha: 2, beta: 1 } },
  'lrp.alpha_1_beta_0': { method: 'alpha-beta', defaults: { alpha: 1, beta: 0 } },
  'lrp.z_plus': { method: 'z-plus' },
  'lrp.z_plus_fast': { method: 'z-plus' },
  'lrp.flat': { method: 'flat' },
  'lrp.w_square': { method: 'w-square' },
  'lrp.sequential_preset_a': { method: 'epsilon-plus', defaults: { epsilon: 0.1 } },
  'lrp.sequential_preset_b': { method: 'epsilon-alpha2-beta1', defaults: { epsilon: 0.1 } },
  'lrp.sequential_preset_a_flat': { method: 'epsilon-plus-flat', defaults: { epsilon: 0.1 } },
  'lrp.sequential_preset_b_flat': { method: 'epsilon-alpha2-beta1-flat', defaults: { epsilon: 0.1 } },
  'gradient': { method: 'gradient' },
  'input_t_gradient': { method: 'gradient-x-input' },
  'integrated_gradients': { method: 'integrated-gradients' },
  'smoothgrad': { method: 'smoothgrad' },
  'guided_backprop': { method: 'guided-backprop' },
  'deconvnet': { method: 'deconvnet' },
};
