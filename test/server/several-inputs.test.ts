// A model with several inputs and outputs (zoo/multi_io: inputs 'image' (8, 8, 3) and 'meta' (5),
// outputs 'label' (4) and 'score' (1)) through the handler: inputs as an object by name or an array in
// input order, the output chosen by name or index, relevance one tensor per input as analyze gives it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze, loadModel, type Model, type Tensor } from '../../src/node.js';
import { createHandler } from '../../src/server/index.js';
import { fixturePath } from '../fixtures.js';
import { multipart, pattern } from './cases.js';

let model: Model;
let handler: (request: Request) => Promise<Response>;

test.before(async () => {
  model = await loadModel(fixturePath('zoo/multi_io.h5'), { reader: 'pure' });
  handler = createHandler({ models: { multi_io: model } });
});

const plain = (t: Tensor): { shape: number[]; data: number[] } => ({ shape: t.shape, data: Array.from(t.data) });
const explain = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> =>
  handler(
    new Request('http://x/v1/models/multi_io/explain', {
      method: 'POST',
      headers,
      body: body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
    }),
  );

const image = pattern([2, 8, 8, 3]);
const meta = pattern([2, 5]);

test('GET /v1/models lists both inputs and both outputs by their Keras names', async () => {
  const r = await handler(new Request('http://x/v1/models'));
  const { models } = (await r.json()) as { models: { inputs: unknown; outputs: unknown }[] };
  assert.equal(models[0].inputs, [
    { name: 'image', shape: [8, 8, 3] },
    { name: 'meta', shape: [5] },
  ]);
  assert.equal(models[0].outputs, [
    { name: 'label', shape: [4] },
    { name: 'score', shape: [1] },
  ]);
});

for (const [form, inputs] of [
  ['an object by input name', { meta: plain(meta), image: plain(image) }],
  ['an array in input order', [plain(image), plain(meta)]],
] as const) {
  for (const output of ['label', 1] as const) {
    test(`inputs as ${form}, output ${JSON.stringify(output)}: relevance per input, bit-identical to analyze()`, async () => {
      const r = await explain({ inputs, method: 'gradient-x-input', output });
      const body = (await r.json()) as { relevance: { shape: number[]; data: number[] }[]; logits: { shape: number[] } };
      assert.is(r.status, 200, JSON.stringify(body));
      const expected = analyze(model, [image, meta], { method: 'gradient-x-input', output }) as unknown as Tensor[];
      assert.is(body.relevance.length, 2);
      body.relevance.forEach((rel, k) => {
        assert.equal(rel.shape, expected[k].shape);
        assert.equal(Array.from(Float32Array.from(rel.data)), Array.from(expected[k].data), `input ${k}`);
      });
      assert.equal(body.logits.shape, [2, output === 'label' ? 4 : 1]);
    });
  }
}

test('wrong input names, a missing input, PNG answers and multipart are refused, naming why', async () => {
  const cases: [Promise<Response>, number, RegExp][] = [
    [
      explain({ inputs: { image: plain(image), extra: plain(meta) } }),
      400,
      /expected the input names 'image', 'meta' as keys, got 'image', 'extra'/,
    ],
    [explain({ inputs: [plain(image)] }), 400, /1 tensors for the model's 2 inputs \('image', 'meta'\)/],
    [explain({ inputs: plain(image) }), 400, /the model has 2 inputs/],
    [explain({ inputs: [plain(image), plain(pattern([3, 5]))] }), 400, /batch sizes differ \(2, 3\)/],
    [
      explain({ inputs: [plain(image), plain(meta)], output: 'nope' }),
      400,
      /field output: "nope" is not one of the model's outputs \(label, score\)/,
    ],
    [
      explain({ inputs: [plain(image), plain(meta)] }, { 'content-type': 'application/json', accept: 'image/png' }),
      406,
      /one-input models/,
    ],
    [
      explain(multipart([{ name: 'image', value: new Uint8Array(4), filename: 'x.png' }]).body, { 'content-type': multipart([]).type }),
      400,
      /one-input models; this one has 2 inputs/,
    ],
  ];
  for (const [response, status, message] of cases) {
    const r = await response;
    const body = (await r.json()) as { message: string };
    assert.is(r.status, status, body.message);
    assert.match(body.message, message);
  }
});

test.run();
