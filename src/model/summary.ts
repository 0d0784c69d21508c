import type { Model } from './model.js';

/** A table like Keras' model.summary(): layer (type), output shape, parameters, and the inputs it reads. */
export function formatSummary(model: Model): string {
  const rows = model.layers.map((l) => [
    `${l.name} (${l.className})`,
    `(None, ${l.outputShape.join(', ')}${l.outputShape.length === 1 ? ',' : ''})`,
    String(l.params),
    l.inbound.join(', '),
  ]);
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const total = model.layers.reduce((s, l) => s + l.params, 0);
  return [
    `Model: "${model.name}"`,
    rule('_'),
    line(head),
    rule('='),
    ...rows.flatMap((r, i) => (i ? [rule('_'), line(r)] : [line(r)])),
    rule('='),
    `Total params: ${total.toLocaleString('en-US')}`,
    rule('_'),
  ].join('\n');
}
