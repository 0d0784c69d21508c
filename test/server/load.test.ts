// Under load and attack: `lrp-keras serve` on loopback takes 2,000 requests from autocannon at
// concurrency 32, a mix of valid requests and hostile ones (truncated, oversized, wrong types,
// mutated inputs, NaN and Infinity, huge shapes, deep nesting, a PNG bomb), while raw sockets stall
// or drop their uploads. No crash, no 5xx, every valid answer bit-identical to analyze(), resident
// memory within RSS_BOUND_MIB of what it was after warming up. Then SIGTERM with a request in flight:
// the request is answered and the process exits 0. 12 s on a quiet 2-core machine, 30-35 s when
// other test suites share its cores.
import { connect } from 'node:net';
import autocannon from 'autocannon';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyze } from '../../src/node.js';
import { fixturePath } from '../fixtures.js';
import { assertRelevance, multipart, nodeModels, pattern, patternPng, pngBomb } from './cases.js';
import { startServe } from './serve-process.js';

const REQUESTS = 2000;
const CONNECTIONS = 32;
/** How far the server's resident memory may grow from after warm-up to after the run. */
const RSS_BOUND_MIB = 96;
const MAX_BODY = 256 * 1024;
/** Long enough that no valid request reaches it on a busy CI machine (the load test then fails with a 503); stalled uploads get their 408 at it. */
const TIMEOUT_MS = 10_000;

/** One kind of request in the mix and the status it must get. */
interface Kind {
  name: string;
  status: number;
  method?: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** For valid requests: checks the answer's body. */
  verify?: (body: string) => void;
}

const json = { 'content-type': 'application/json' };

async function mix(): Promise<Kind[]> {
  const { cnn, mlp } = await nodeModels();
  const x = pattern([2, 16, 16, 3]);
  const digit = pattern([1, 784]);
  const image = patternPng(16, 16);
  const form = multipart([
    { name: 'image', value: image.png, filename: 'x.png' },
    { name: 'method', value: 'gradient-x-input' },
  ]);
  const bomb = multipart([{ name: 'image', value: pngBomb(), filename: 'bomb.png' }]);
  const expectedCnn = analyze(cnn, x, { method: 'epsilon-plus' });
  const expectedMlp = analyze(mlp, digit, { method: 'epsilon', target: 3 });
  const expectedForm = analyze(cnn, image.x, { method: 'gradient-x-input' });
  const bits =
    (expected: typeof expectedCnn, label: string) =>
    (body: string): void =>
      assertRelevance(new TextEncoder().encode(body), expected, 0, label);
  const valid = JSON.stringify({ inputs: { shape: x.shape, data: Array.from(x.data) } });
  const cnnPath = '/v1/models/cnn_keras3/explain';
  return [
    { name: 'valid JSON {shape, data}', status: 200, path: cnnPath, headers: json, body: valid, verify: bits(expectedCnn, 'cnn') },
    { name: 'truncated JSON', status: 400, path: cnnPath, headers: json, body: valid.slice(0, valid.length / 2) },
    {
      name: 'valid nested arrays',
      status: 200,
      path: '/v1/models/mlp/explain',
      headers: json,
      body: JSON.stringify({ inputs: [Array.from(digit.data)], method: 'epsilon', target: 3 }),
      verify: bits(expectedMlp, 'mlp'),
    },
    {
      name: 'valid multipart PNG',
      status: 200,
      path: cnnPath,
      headers: { 'content-type': form.type },
      body: Buffer.from(form.body),
      verify: bits(expectedForm, 'multipart'),
    },
    { name: 'wrong content type', status: 415, path: cnnPath, headers: { 'content-type': 'text/csv' }, body: valid },
    { name: 'mutated shape', status: 400, path: cnnPath, headers: json, body: valid.replace('[2,16,16,3]', '[2,16,16,4]') },
    { name: 'NaN literal', status: 400, path: cnnPath, headers: json, body: valid.replace(/(\[[^\]]*\],"data":\[)[^,]+/, '$1NaN') },
    {
      name: 'valid PNG answer',
      status: 200,
      path: cnnPath,
      headers: { ...json, accept: 'image/png' },
      body: valid,
      verify: (body) => assert.ok(body.startsWith('\uFFFDPNG')),
    },
    { name: 'Infinity', status: 400, path: cnnPath, headers: json, body: valid.replace(/(\[[^\]]*\],"data":\[)[^,]+/, '$11e999') },
    {
      name: 'huge shape',
      status: 400,
      path: cnnPath,
      headers: json,
      body: JSON.stringify({ inputs: { shape: [2 ** 40, 16, 16, 3], data: [0] } }),
    },
    { name: 'deep nesting', status: 400, path: cnnPath, headers: json, body: `{"inputs": ${'['.repeat(100_000)}${']'.repeat(100_000)}}` },
    {
      name: 'strings for numbers',
      status: 400,
      path: cnnPath,
      headers: json,
      body: valid.replace(/(\[[^\]]*\],"data":\[)[^,]+/, '$1"0.5"'),
    },
    { name: 'PNG bomb', status: 413, path: cnnPath, headers: { 'content-type': bomb.type }, body: Buffer.from(bomb.body) },
    {
      name: 'broken multipart',
      status: 400,
      path: cnnPath,
      headers: { 'content-type': 'multipart/form-data; boundary=nope' },
      body: Buffer.from(form.body),
    },
    { name: 'unknown model', status: 404, path: '/v1/models/gpt/explain', headers: json, body: valid },
  ];
}

/** A body over the limit: answered 413 before it is read, on a connection then closed (outside autocannon, whose answers would no longer line up with its requests). */
async function oversized(url: string): Promise<number> {
  const r = await fetch(`${url}/v1/models/cnn_keras3/explain`, { method: 'POST', headers: json, body: Buffer.alloc(MAX_BODY + 1, 32) });
  return r.status;
}

/** Sends headers announcing 4,000 bytes and 100 of them; then stalls (slow client) or hangs up (truncated). */
function badUpload(url: string, hangUp: boolean): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /v1/models/cnn_keras3/explain HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"inputs": ${' '.repeat(88)}`,
      );
      if (hangUp) socket.destroy();
    });
    let reply = '';
    socket.on('data', (d) => (reply += d));
    socket.on('close', () => resolve(reply));
    socket.on('error', () => resolve(reply));
  });
}

test('serve: 2,000 requests at concurrency 32, valid and hostile: no crash, no 5xx, valid answers bit-identical, RSS bounded; SIGTERM finishes the request in flight', async () => {
  const server = await startServe([
    fixturePath('models/cnn_keras3.h5'),
    fixturePath('models/mlp.h5'),
    '--max-body',
    String(MAX_BODY),
    '--max-batch',
    '4',
    '--timeout',
    String(TIMEOUT_MS),
    '--max-pixels',
    String(2 ** 20),
  ]);
  try {
    const kinds = await mix();
    const seen = new Map<string, Map<number, number>>(kinds.map((k) => [k.name, new Map()]));
    const failures: string[] = [];
    const requests = kinds.map((k) => ({
      method: 'POST',
      path: k.path,
      headers: k.headers,
      body: k.body,
      onResponse: (status: number, body: string) => {
        const counts = seen.get(k.name)!;
        counts.set(status, (counts.get(status) ?? 0) + 1);
        if (status !== k.status) failures.push(`${k.name}: ${status} ${body.slice(0, 200)}`);
        else if (k.verify) {
          try {
            k.verify(body);
          } catch (e) {
            failures.push(`${k.name}: ${(e as Error).message}`);
          }
        }
      },
    }));
    await autocannon({ url: server.url, connections: 4, amount: 100, requests }); // warm-up
    const rssBefore = server.rssMiB();
    const attackers = [
      ...Array.from({ length: 8 }, () => badUpload(server.url, false)),
      ...Array.from({ length: 50 }, () => badUpload(server.url, true)),
    ];
    const tooLarge = Promise.all(Array.from({ length: 20 }, () => oversized(server.url)));
    const result = await autocannon({ url: server.url, connections: CONNECTIONS, amount: REQUESTS, timeout: 20, requests });
    const stalled = await Promise.all(attackers);
    assert.equal(await tooLarge, new Array(20).fill(413), 'oversized bodies');
    const rssAfter = server.rssMiB();

    console.log(
      `  ${result.requests.total} requests in ${result.duration.toFixed(1)} s: ${result.requests.average.toFixed(0)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(
      `  by kind: ${[...seen].map(([name, counts]) => `${name} ${[...counts].map(([s, c]) => `${c}×${s}`).join('+')}`).join('; ')}`,
    );
    console.log(
      `  RSS ${rssBefore?.toFixed(0)} MiB after warm-up, ${rssAfter?.toFixed(0)} MiB after the run (bound +${RSS_BOUND_MIB} MiB)`,
    );
    assert.equal(failures.slice(0, 5), [], `${failures.length} unexpected answers`);
    assert.is(result['5xx'], 0, '5xx answers');
    assert.is(result.timeouts, 0, 'timeouts');
    assert.ok(result.requests.total >= REQUESTS, `${result.requests.total} requests`);
    for (const reply of stalled.slice(0, 8)) assert.match(reply, /^HTTP\/1.1 408/, 'a stalled upload is answered 408');
    if (rssBefore !== undefined && rssAfter !== undefined)
      assert.ok(rssAfter - rssBefore < RSS_BOUND_MIB, `RSS grew ${(rssAfter - rssBefore).toFixed(0)} MiB`);
    assert.is(server.child.exitCode, null, 'the server is still running');
    // A 500 for a client that hung up reaches no client: the server's log shows it.
    assert.not.match(server.output(), /internal error/);
    assert.is((await fetch(`${server.url}/healthz`)).status, 200);

    // Graceful shutdown: a slow request in flight when SIGTERM arrives is still answered.
    const slow = fetch(`${server.url}/v1/models/cnn_keras3/explain`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        inputs: { shape: [4, 16, 16, 3], data: Array.from(pattern([4, 16, 16, 3]).data) },
        method: 'integrated-gradients',
        options: { steps: 300 },
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.child.kill('SIGTERM');
    assert.is((await slow).status, 200);
    assert.is(await server.exited, 0);
    assert.match(server.output(), /SIGTERM: finishing the requests in flight\n.*stopped/);
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
});

test.run();
