// Property: whatever JSON a client sends in an explain request's fields, the handler answers 200 or a
// 4xx with {error, message}, never a 5xx. Valid requests are mutated field by field with arbitrary
// JSON (fast-check), so that most get past the schema into the model and analyze. About 2 s.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { METHODS } from '../../src/node.js';
import { createHandler } from '../../src/server/index.js';
import { nodeModels, pattern } from './cases.js';

const OPTION_KEYS = [
  'epsilon',
  'gamma',
  'alpha',
  'beta',
  'low',
  'high',
  'layerRules',
  'steps',
  'baseline',
  'samples',
  'noise',
  'seed',
  'unknown',
];

test('explain: arbitrary JSON in any field is a 200 or a 4xx with {error, message}, never a 5xx', async () => {
  const models = await nodeModels();
  const { mlp } = models;
  const handler = createHandler({ models, limits: { maxBatch: 4 } });
  const digit = pattern([2, 784]);
  // Each field is mostly well formed (so that requests reach the model and analyze), sometimes anything.
  const mostly = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 });
  const tensor = fc.oneof(
    { arbitrary: fc.constant({ shape: digit.shape, data: Array.from(digit.data) }), weight: 4 },
    { arbitrary: fc.constant([Array.from(digit.data.subarray(0, 784))]), weight: 2 },
    fc.record({ shape: fc.array(fc.integer({ min: -2, max: 2 ** 31 }), { maxLength: 4 }), data: fc.array(fc.double(), { maxLength: 8 }) }),
    fc.jsonValue(),
  );
  const number = fc.oneof(fc.double({ min: -2, max: 4, noNaN: true }), fc.integer({ min: -1, max: 1001 }));
  const option = fc.oneof(
    fc.record({ epsilon: number, gamma: number }, { requiredKeys: [] }),
    fc.record({ alpha: number, beta: number }, { requiredKeys: [] }),
    fc.record({ low: fc.oneof(number, fc.array(number, { maxLength: 2 })), high: number }, { requiredKeys: [] }),
    fc.record({
      layerRules: fc.dictionary(fc.constantFrom('dense_1', 'Dense', 'nope'), fc.constantFrom('flat', 'epsilon', 'z-box', 'magic')),
    }),
    fc.dictionary(fc.constantFrom(...OPTION_KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  );
  const body = fc.record(
    {
      inputs: tensor,
      method: mostly(fc.constantFrom(...Object.keys(METHODS).filter((m) => m !== 'integrated-gradients' && m !== 'smoothgrad'))),
      target: mostly(
        fc.oneof(
          fc.constant('max'),
          fc.integer({ min: 0, max: 9 }),
          fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 2 }),
        ),
      ),
      output: mostly(fc.constantFrom(0, mlp.outputNames[0])),
      options: mostly(option),
      picture: mostly(fc.record({ colormap: fc.constantFrom('bwr', 'nope'), overlay: fc.boolean() })),
    },
    { requiredKeys: ['inputs'] },
  );
  const accept = fc.constantFrom('application/json', 'application/json', 'application/json', 'image/png', 'text/plain');
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(body, accept, async (value, type) => {
      const r = await handler(
        new Request('http://x/v1/models/mlp/explain', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: type },
          body: JSON.stringify(value),
        }),
      );
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 200) return;
      const answer = (await r.json()) as { error?: unknown; message?: unknown };
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${JSON.stringify(answer)} for ${JSON.stringify(value).slice(0, 300)}`);
      assert.type(answer.error, 'string');
      assert.type(answer.message, 'string');
    }),
    { numRuns: 300, seed: 18 },
  );
  console.log(
    `  statuses: ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${n}×${s}`)
      .join(', ')}`,
  );
  assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(422) ?? 0) > 0, 'some requests must reach analyze');
});

test.run();
