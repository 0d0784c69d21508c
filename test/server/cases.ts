// The request tests every runtime's server must pass: the same requests, sent to the same handler
// running in Node, workerd, Deno, Bun and behind the Lambda adapter. Expected relevance is Node's
// own analyze() on the same input.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import * as assert from 'uvu/assert';
import { analyze, loadModel, type Model, type Tensor } from '../../src/node.js';
import { fixturePath } from '../fixtures.js';
import { SERVED_MODELS, TEST_LIMITS } from './config.js';

/** A request as the test describes it; each runtime's test turns it into what its server receives. */
export interface TestRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

export interface ServerCase {
  name: string;
  request: TestRequest;
  check(response: TestResponse): void;
}

/** Runs every case through `send` (one runtime's way to reach the handler); a failure names the case. */
export async function assertCases(send: (r: TestRequest) => Promise<TestResponse>, tolerance: number): Promise<void> {
  for (const c of await serverCases(tolerance)) {
    try {
      c.check(await send(c.request));
    } catch (e) {
      throw new Error(`${c.name}: ${(e as Error).message}`);
    }
  }
}

/** Sends a TestRequest with fetch to a server listening at `base`. */
export async function sendHttp(base: string, r: TestRequest): Promise<TestResponse> {
  const response = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body as BodyInit | undefined });
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

export const modelFileBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(SERVED_MODELS[name])));

/** A fixed pattern in [0, 1] from integers only (same in every engine). */
export function pattern(shape: number[]): Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 101) / 100;
  return { shape, data };
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const post = (path: string, body: Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }): TestRequest => ({
  method: 'POST',
  path,
  headers,
  body,
});
const text = (r: TestResponse): string => new TextDecoder().decode(r.body);
const plain = (t: Tensor): { shape: number[]; data: number[] } => ({ shape: t.shape, data: Array.from(t.data) });

/** A multipart/form-data body with files and text fields (built by hand: the test controls every byte). */
export function multipart(parts: { name: string; value: string | Uint8Array; filename?: string; type?: string }[]): {
  body: Uint8Array;
  type: string;
} {
  const boundary = 'lrpkerasboundary7MA4YWxk';
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(enc.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(typeof p.value === 'string' ? enc.encode(p.value) : p.value);
    chunks.push(enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** An RGB PNG of the pattern's bytes, and the model input it stands for (bytes / 255). */
export function patternPng(width: number, height: number): { png: Uint8Array; x: Tensor } {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
  const x = { shape: [1, height, width, 3], data: Float32Array.from(pixels, (v) => v * (1 / 255)) };
  return { png: encodePng({ width, height, data: pixels, channels: 3, depth: 8 }), x };
}

/** A valid PNG header (IHDR of a small image) followed by IDAT data that inflates to far more: a zlib bomb. */
export function pngBomb(): Uint8Array {
  const small = encodePng({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 3), channels: 3, depth: 8 });
  const idat = deflateSync(new Uint8Array(64 * 2 ** 20));
  const chunk = new Uint8Array(12 + idat.length);
  new DataView(chunk.buffer).setUint32(0, idat.length);
  chunk.set(new TextEncoder().encode('IDAT'), 4);
  chunk.set(idat, 8); // the CRC stays zero: the size check comes before any decoder reads it
  const out = new Uint8Array(33 + chunk.length + 12);
  out.set(small.subarray(0, 33)); // signature and IHDR
  out.set(chunk, 33);
  out.set(small.subarray(small.length - 12), 33 + chunk.length); // IEND
  return out;
}

/** Relevance in a JSON answer equals `expected` within `tolerance`·max|expected| (0: bit for bit). */
export function assertRelevance(body: Uint8Array, expected: Tensor, tolerance: number, label: string): void {
  const answer = JSON.parse(new TextDecoder().decode(body)) as { relevance: { shape: number[]; data: number[] } };
  assert.equal(answer.relevance.shape, expected.shape, `${label}: shape`);
  const got = Float32Array.from(answer.relevance.data);
  let scale = 0;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 0, `${label}: expected relevance is all zeros`);
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - expected.data[i]);
    if (!(d <= tolerance * scale)) assert.unreachable(`${label}: relevance[${i}] = ${got[i]}, expected ${expected.data[i]}`);
  }
}

const expectError =
  (status: number, code: string, message: RegExp) =>
  (r: TestResponse): void => {
    assert.is(r.status, status, text(r));
    const body = JSON.parse(text(r)) as { error: string; message: string };
    assert.is(body.error, code);
    assert.match(body.message, message);
  };

let models: Promise<Record<string, Model>> | undefined;
/** The served models, loaded in Node with the pure reader (what the edge runtimes use). */
export function nodeModels(): Promise<Record<string, Model>> {
  models ??= (async () =>
    Object.fromEntries(
      await Promise.all(
        Object.keys(SERVED_MODELS).map(async (name) => [name, await loadModel(modelFileBytes(name), { reader: 'pure' })] as const),
      ),
    ))();
  return models;
}

/**
 * The cases, with Node's expected answers. `tolerance` is how far another engine's floats may be
 * from Node's (0 for V8 runtimes; Bun is JavaScriptCore, whose Math.exp may round differently).
 */
export async function serverCases(tolerance: number): Promise<ServerCase[]> {
  const { cnn, mlp } = await nodeModels();
  const x = pattern([2, 16, 16, 3]);
  const image = patternPng(16, 16);
  const digit = pattern([1, 784]);
  const form = multipart([
    { name: 'image', value: image.png, filename: 'a.png', type: 'image/png' },
    { name: 'method', value: 'epsilon-gamma-box' },
  ]);
  const bigImage = multipart([
    {
      name: 'image',
      value: encodePng({ width: 1100, height: 1000, data: new Uint8Array(1100 * 1000), channels: 1, depth: 8 }),
      filename: 'big.png',
    },
  ]);
  const bomb = multipart([{ name: 'image', value: pngBomb(), filename: 'bomb.png' }]);
  const explain = '/v1/models/cnn/explain';
  return [
    {
      name: 'GET /healthz answers ok once the models are loaded',
      request: { method: 'GET', path: '/healthz', headers: {} },
      check: (r) => assert.equal(JSON.parse(text(r)), { status: 'ok', models: ['cnn', 'mlp'] }),
    },
    {
      name: 'GET /v1/models lists names, input and output shapes and method ids',
      request: { method: 'GET', path: '/v1/models', headers: {} },
      check: (r) => {
        const { models: list } = JSON.parse(text(r)) as {
          models: { name: string; inputs: { shape: number[] }[]; outputs: { shape: number[] }[]; methods: string[] }[];
        };
        assert.equal(
          list.map((m) => [m.name, m.inputs[0].shape, m.outputs[0].shape]),
          [
            ['cnn', [16, 16, 3], [10]],
            ['mlp', [784], [10]],
          ],
        );
        assert.ok(list[0].methods.includes('epsilon-plus') && list[0].methods.includes('integrated-gradients'));
      },
    },
    {
      name: 'GET /v1/openapi.json publishes the request schemas',
      request: { method: 'GET', path: '/v1/openapi.json', headers: {} },
      check: (r) => {
        const doc = JSON.parse(text(r)) as {
          openapi: string;
          paths: Record<string, unknown>;
          components: { schemas: Record<string, { required?: string[] }> };
        };
        assert.is(doc.openapi, '3.1.0');
        assert.ok(doc.paths['/v1/models/{name}/explain']);
        assert.equal(doc.components.schemas.ExplainRequest.required, ['inputs']);
      },
    },
    {
      name: 'POST explain, JSON {shape, data}: epsilon-plus relevance as analyze gives it, logits and targets',
      request: post(explain, json({ inputs: plain(x) })),
      check: (r) => {
        assert.is(r.status, 200, text(r));
        assertRelevance(r.body, analyze(cnn, x, { method: 'epsilon-plus' }), tolerance, 'cnn epsilon-plus');
        const answer = JSON.parse(text(r)) as { logits: { shape: number[] }; target: number[]; method: string };
        assert.equal(answer.logits.shape, [2, 10]);
        assert.is(answer.target.length, 2);
        assert.is(answer.method, 'epsilon-plus');
      },
    },
    {
      name: 'POST explain, JSON nested arrays with a method, a target and options',
      request: post(
        '/v1/models/mlp/explain',
        json({ inputs: [Array.from(digit.data)], method: 'epsilon', target: 3, options: { epsilon: 0.25 } }),
      ),
      check: (r) => {
        assert.is(r.status, 200, text(r));
        assertRelevance(r.body, analyze(mlp, digit, { method: 'epsilon', target: 3, epsilon: 0.25 }), tolerance, 'mlp epsilon');
        assert.equal((JSON.parse(text(r)) as { target: number[] }).target, [3]);
      },
    },
    {
      name: 'POST explain, multipart PNG: the image becomes the input (bytes / 255)',
      request: post(explain, form.body, { 'content-type': form.type }),
      check: (r) => {
        assert.is(r.status, 200, text(r));
        assertRelevance(r.body, analyze(cnn, image.x, { method: 'epsilon-gamma-box' }), tolerance, 'cnn multipart');
      },
    },
    {
      name: 'POST explain with Accept: image/png answers a heatmap PNG',
      request: post(explain, json({ inputs: plain(pattern([1, 16, 16, 3])), picture: { colormap: 'coldnhot', overlay: true } }), {
        'content-type': 'application/json',
        accept: 'image/png',
      }),
      check: (r) => {
        assert.is(r.status, 200, text(r));
        assert.is(r.headers.get('content-type'), 'image/png');
        assert.equal(Array.from(r.body.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
      },
    },
    {
      name: 'an unknown model is a 404',
      request: post('/v1/models/nope/explain', json({ inputs: [] })),
      check: expectError(404, 'not_found', /no model named 'nope'; served: cnn, mlp/),
    },
    {
      name: 'an unknown route is a 404',
      request: { method: 'GET', path: '/v2/everything', headers: {} },
      check: expectError(404, 'not_found', /no route GET \/v2\/everything/),
    },
    {
      name: 'a wrong content type is a 415',
      request: post(explain, json({}), { 'content-type': 'text/plain' }),
      check: expectError(415, 'unsupported_media_type', /Content-Type text\/plain/),
    },
    {
      name: 'an Accept of neither JSON nor PNG is a 406',
      request: post(explain, json({ inputs: plain(x) }), { 'content-type': 'application/json', accept: 'text/html' }),
      check: expectError(406, 'not_acceptable', /application\/json or image\/png/),
    },
    {
      name: 'a body that is not JSON is a 400',
      request: post(explain, new TextEncoder().encode('{"inputs": {"shape": [1,')),
      check: expectError(400, 'invalid_request', /not JSON/),
    },
    {
      name: 'a bad option is a 400 naming the field',
      request: post(explain, json({ inputs: plain(x), options: { epsilon: -1 } })),
      check: expectError(400, 'invalid_request', /^field options\.epsilon: expected a number ≥ 0, got -1$/),
    },
    {
      name: 'an unknown method is a 400',
      request: post(explain, json({ inputs: plain(x), method: 'magic' })),
      check: expectError(400, 'invalid_request', /^field method: expected a method id/),
    },
    {
      name: 'a wrong shape is a 400 naming both shapes',
      request: post(explain, json({ inputs: plain(pattern([1, 28, 28, 1])) })),
      check: expectError(400, 'invalid_request', /field inputs has shape \(1, 28, 28, 1\); the model's input '\w+' is \(None, 16, 16, 3\)/),
    },
    {
      name: 'a non-finite value is a 400',
      request: post(explain, new TextEncoder().encode(`{"inputs": {"shape": [1, 16, 16, 3], "data": [1e999${',0'.repeat(767)}]}}`)),
      check: expectError(400, 'invalid_request', /^field inputs\.data\[0\]: expected a number, got Infinity$/),
    },
    {
      name: 'strings for numbers are a 400',
      request: post(explain, json({ inputs: { shape: [1, 2], data: ['1', 2] } })),
      check: expectError(400, 'invalid_request', /^field inputs\.data\[0\]: expected a number, got "1"$/),
    },
    {
      name: 'a huge shape is a 400 without allocating it',
      request: post(explain, json({ inputs: { shape: [1e9, 16, 16, 3], data: [1] } })),
      check: expectError(400, 'invalid_request', /holds 768000000000 values, data has 1/),
    },
    {
      name: 'a target outside the classes is a 400',
      request: post(explain, json({ inputs: plain(x), target: 12 })),
      check: expectError(400, 'invalid_request', /target: 12 for sample 0 is not a class index in \[0, 9\]/),
    },
    {
      name: 'a layer rule the model cannot take is a 422',
      request: post(explain, json({ inputs: plain(x), options: { layerRules: { no_such_layer: 'flat' } } })),
      check: expectError(422, 'unprocessable', /layerRules: 'no_such_layer'/),
    },
    {
      name: 'a batch above the limit is a 413',
      request: post(explain, json({ inputs: plain(pattern([TEST_LIMITS.maxBatch + 1, 16, 16, 3])) })),
      check: expectError(413, 'payload_too_large', /a batch of 5 samples; the limit is 4/),
    },
    {
      name: 'a body above the limit is a 413',
      request: post(explain, new Uint8Array(TEST_LIMITS.maxBodyBytes + 1).fill(32)),
      check: expectError(413, 'payload_too_large', /larger than the limit of 1048576 bytes/),
    },
    {
      name: 'an image above the pixel limit is a 413, from its header',
      request: post(explain, bigImage.body, { 'content-type': bigImage.type }),
      check: expectError(
        413,
        'payload_too_large',
        /field image \(big\.png\): the image is 1100×1000 \(1100000 pixels\), more than the limit of 1048576$/,
      ),
    },
    {
      name: 'a PNG zlib bomb is a 413 before it is inflated',
      request: post(explain, bomb.body, { 'content-type': bomb.type }),
      check: expectError(413, 'payload_too_large', /inflates to more than/),
    },
    {
      name: 'a multipart body without a file is a 400',
      request: post(explain, multipart([{ name: 'method', value: 'gradient' }]).body, { 'content-type': multipart([]).type }),
      check: expectError(400, 'invalid_request', /field image is required/),
    },
  ];
}
