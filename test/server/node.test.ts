// The server in Node: the request cases over HTTP against lrp-keras/server/node (Hono's Node
// adapter), answers bit-identical to analyze(); plus what only a real server shows (a slow upload, a
// full queue, the time limit).
import { connect } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { modelNames } from '../../src/cli/serve.js';
import { serveNode, type RunningServer } from '../../src/server/node.js';
import { assertCases, nodeModels, pattern, sendHttp } from './cases.js';
import { TEST_LIMITS } from './config.js';

let server: RunningServer;

test.before(async () => {
  server = await serveNode({ models: await nodeModels(), limits: TEST_LIMITS, port: 0 });
});

test.after(async () => {
  await server?.close();
});

test('node: every request case, answers bit-identical to analyze()', async () => {
  await assertCases((r) => sendHttp(server.url, r), 0);
});

/** Raw HTTP over a socket: headers announcing `length` bytes, then only `sent` of them. */
function slowUpload(port: number, length: number, sent: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /v1/models/cnn/explain HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${'{'.repeat(sent)}`,
      );
    });
    let reply = '';
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('end', () => resolve(reply));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}

test('node: a body that stops arriving is a 408 at the time limit; the server keeps serving', async () => {
  const quick = await serveNode({ models: await nodeModels(), limits: { ...TEST_LIMITS, timeoutMs: 300 }, port: 0 });
  try {
    const started = Date.now();
    const reply = await slowUpload(quick.port, 1000, 10);
    assert.match(reply, /^HTTP\/1.1 408/);
    assert.match(reply, /"error":"request_timeout"/);
    assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
    const ok = await fetch(`${quick.url}/healthz`);
    assert.is(ok.status, 200);
  } finally {
    await quick.close();
  }
});

test('node: a full queue answers 503 with Retry-After; a request past the time limit stops with 503', async () => {
  const busy = await serveNode({ models: await nodeModels(), limits: { ...TEST_LIMITS, concurrency: 1, queue: 1, maxBatch: 16 }, port: 0 });
  try {
    // integrated-gradients on 16 samples holds the one turn for eight chunks, yielding between them.
    const slow = JSON.stringify({
      inputs: { shape: [16, 16, 16, 3], data: Array.from(pattern([16, 16, 16, 3]).data) },
      method: 'integrated-gradients',
      options: { steps: 600 },
    });
    const send = (): Promise<Response> =>
      fetch(`${busy.url}/v1/models/cnn/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: slow });
    const first = send();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = [await first, ...(await Promise.all([send(), send(), send()]))];
    // The first holds the turn, one more may wait; how many of the others arrive while the queue is full depends on timing.
    const statuses = answers.map((r) => r.status);
    assert.is(statuses[0], 200);
    assert.ok(statuses.every((s) => s === 200 || s === 503) && statuses.includes(503), statuses.join(' '));
    const refused = answers.find((r) => r.status === 503)!;
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.is(((await refused.json()) as { error: string }).error, 'overloaded');
  } finally {
    await busy.close();
  }
  const strict = await serveNode({ models: await nodeModels(), limits: { ...TEST_LIMITS, timeoutMs: 50 }, port: 0 });
  try {
    const body = JSON.stringify({
      inputs: { shape: [4, 16, 16, 3], data: Array.from(pattern([4, 16, 16, 3]).data) },
      method: 'integrated-gradients',
      options: { steps: 1000 },
    });
    const started = Date.now();
    const r = await fetch(`${strict.url}/v1/models/cnn/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.is(r.status, 503);
    assert.is(((await r.json()) as { error: string }).error, 'timeout');
    assert.ok(Date.now() - started < 2000, `stopped after ${Date.now() - started} ms`);
  } finally {
    await strict.close();
  }
});

test('node: a request whose client hangs up stops computing and frees its turn', async () => {
  const one = await serveNode({ models: await nodeModels(), limits: { ...TEST_LIMITS, concurrency: 1, maxBatch: 16 }, port: 0 });
  const ig = (n: number): string =>
    JSON.stringify({
      inputs: { shape: [n, 16, 16, 3], data: Array.from(pattern([n, 16, 16, 3]).data) },
      method: 'integrated-gradients',
      options: { steps: 1000 },
    });
  const send = (body: string, signal?: AbortSignal): Promise<Response> =>
    fetch(`${one.url}/v1/models/cnn/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
  try {
    // One chunk (2 samples) takes C ms; 16 samples would hold the turn for about 8C.
    const chunkMs = ((await (await send(ig(2))).json()) as { timing: { computeMs: number } }).timing.computeMs;
    const gone = new AbortController();
    const started = Date.now();
    const abandoned = send(ig(16), gone.signal).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    gone.abort();
    await abandoned;
    const next = await send(ig(1).replace('"steps":1000', '"steps":1'));
    assert.is(next.status, 200);
    const waited = Date.now() - started;
    assert.ok(
      waited < 300 + 4 * chunkMs,
      `the next request was answered after ${waited} ms; one chunk takes ${chunkMs} ms, the abandoned request about ${8 * chunkMs}`,
    );
  } finally {
    await one.close();
  }
});

test('lrp-keras serve names models by their file names without extension, and refuses two of one name', () => {
  assert.equal(modelNames(['models/mnist.h5', '/srv/cnn.v2.keras']), ['mnist', 'cnn.v2']);
  assert.throws(() => modelNames(['a/mnist.h5', 'b/mnist.keras']), /two models would both be served as 'mnist'; rename one file/);
});

test.run();
