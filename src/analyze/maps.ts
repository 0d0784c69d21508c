import { fail } from '../errors.js';
import type { Explanation } from './conservation.js';
import { gradCam, guidedGradCam } from './grad-cam.js';
import { occlusion } from './occlusion.js';
import type { Run } from './run.js';

/** A method that maps the score over the input from the real forward pass, not from one backward seed per element. */
export interface MapMethod {
  family: 'map';
  description: string;
  explain(run: Run): Explanation;
}

/** The one input's shape (with the batch axis): these methods map over one input. */
const oneInput = (id: string, run: Run): number[] =>
  run.shapes.length === 1 ? run.shapes[0] : fail(`${id}: the model has ${run.shapes.length} inputs; ${id} explains models with one input`);

export const MAP_METHODS: Record<string, MapMethod> = {
  'grad-cam': {
    family: 'map',
    description: 'ReLU(Σₖ αₖAₖ) at a layer (layer; αₖ = mean ∂ logit_target / ∂Aₖ), resized to the input, / channels',
    explain: (run) => gradCam(run, oneInput('grad-cam', run)),
  },
  'guided-grad-cam': {
    family: 'map',
    description: 'guided-backprop ⊙ the resized Grad-CAM (layer)',
    explain: (run) => guidedGradCam(run, oneInput('guided-grad-cam', run)),
  },
  occlusion: {
    family: 'map',
    description:
      'mean over covering windows of logit_target(x) − logit_target(x with the window set to the baseline) (window, stride, baseline)',
    explain: (run) => ({ shape: oneInput('occlusion', run).slice(), data: occlusion(run) }),
  },
};
