import { formatShape } from '../tensor.js';
import type { LayerInfo } from './build.js';

/** A model's inputs or outputs: name and shape each, in order (what `output` and array inputs refer to). */
export interface Endpoint {
  name: string;
  shape: (number | null)[];
}

/**
 * A table like Keras' model.summary(): layer (type), output shape, parameters, and the inputs it reads;
 * then the inputs and outputs by index and name when there are several.
 */
export function formatSummary(
  name: string,
  layers: readonly LayerInfo[],
  inputs: readonly Endpoint[] = [],
  outputs: readonly Endpoint[] = [],
): string {
  const rows = layers.map((l) => [
    `${l.name} (${l.className})`,
    formatShape([null, ...l.outputShape]),
    String(l.params),
    l.inbound.join(', '),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('')
      .trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const total = layers.reduce((s, l) => s + l.params, 0);
  return [
    `Model: "${name}"`,
    rule('_'),
    line(head),
    rule('='),
    ...rows.flatMap((r, i) => (i ? [rule('_'), line(r)] : [line(r)])),
    rule('='),
    `Total params: ${total.toLocaleString('en-US')}`,
    rule('_'),
    ...endpoints('Inputs', inputs),
    ...endpoints('Outputs', outputs),
  ].join('\n');
}

const endpoints = (title: string, list: readonly Endpoint[]): string[] =>
  list.length > 1 ? [`${title}: ${list.map((e, i) => `${i} '${e.name}' ${formatShape([null, ...e.shape])}`).join(', ')}`] : [];
