// AWS Lambda: lrp-keras/server/lambda's handler (Hono's Lambda adapter) invoked with API Gateway v2
// and function URL events built from recorded ones (test/fixtures/lambda), each request case's
// method, path, headers and body put in; the answer read back as Lambda returns it (base64 for PNG).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import { createLambdaHandler } from '../../src/server/lambda.js';
import { fixturePath } from '../fixtures.js';
import { assertCases, nodeModels, type TestRequest, type TestResponse } from './cases.js';
import { TEST_LIMITS } from './config.js';

interface LambdaResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

/** A recorded event with the request put in: binary bodies base64-encoded, as Lambda delivers them. */
function eventFor(recorded: string, r: TestRequest): unknown {
  const event = JSON.parse(readFileSync(fixturePath(`lambda/${recorded}`), 'utf8'));
  event.rawPath = r.path;
  event.requestContext.http.method = r.method;
  event.requestContext.http.path = r.path;
  event.headers = { ...event.headers, ...r.headers, 'content-length': String(r.body?.length ?? 0) };
  if (r.body) {
    event.body = Buffer.from(r.body).toString('base64');
    event.isBase64Encoded = true;
  }
  return event;
}

for (const recorded of ['api-gateway-v2.json', 'function-url.json']) {
  test(`lambda: the handler answers every request case from ${recorded} events, bit-identical to analyze()`, async () => {
    const handler = createLambdaHandler({ models: await nodeModels(), limits: TEST_LIMITS }) as unknown as (
      event: unknown,
      context: unknown,
    ) => Promise<LambdaResult>;
    await assertCases(async (r): Promise<TestResponse> => {
      const result = await handler(eventFor(recorded, r), {});
      const body = result.isBase64Encoded ? new Uint8Array(Buffer.from(result.body, 'base64')) : new TextEncoder().encode(result.body);
      return { status: result.statusCode, headers: new Headers(result.headers ?? {}), body };
    }, 0);
  });
}

test.run();
