import type { Model } from '../model/model.js';
import { formatShape } from '../tensor.js';
import { loadModelFile } from './inputs.js';
import { formatTable } from './table.js';

export interface SummaryFlags {
  json: boolean;
  config?: string;
}

/** For every layer but the input, what each composite does to it (Model.layers[].rules). */
export function rulesTable(model: Model): string {
  const composites = [...new Set(model.layers.flatMap((l) => Object.keys(l.rules)))];
  const rows = model.layers
    .filter((l) => Object.keys(l.rules).length > 0)
    .map((l) => [`${l.name} (${l.className})`, ...composites.map((c) => l.rules[c] ?? '')]);
  return formatTable(['layer', ...composites], rows);
}

/** `lrp-keras summary`: Keras' summary, input and output shapes, and the LRP rule of every layer per composite. */
export async function summaryCommand(modelPath: string, flags: SummaryFlags): Promise<void> {
  const model = await loadModelFile(modelPath, flags.config);
  if (flags.json) {
    const { name, kerasVersion, inputShape, outputShape, layers } = model;
    console.log(JSON.stringify({ name, kerasVersion, inputShape, outputShape, layers }, null, 2));
    return;
  }
  console.log(model.summary());
  console.log(
    `Keras ${model.kerasVersion ?? 'version unknown'}; input ${formatShape([null, ...model.inputShape])}, output ${formatShape([null, ...model.outputShape])}`,
  );
  console.log('\nLRP rules per composite (`lrp-keras methods` describes them):\n');
  console.log(rulesTable(model));
}
