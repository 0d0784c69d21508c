// Runs in Deno, not Node (server.test.ts starts it): lrp-keras/server's handler under Deno.serve on
// a free loopback port, models read from the fixture directory given as the argument; prints the port.
import { loadModel } from 'lrp-keras';
import { createHandler } from 'lrp-keras/server';
import { SERVED_MODELS, TEST_LIMITS } from '../../server/config.js';

declare const Deno: {
  args: string[];
  readFile(path: string): Promise<Uint8Array>;
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

const models = Object.fromEntries(
  Object.entries(SERVED_MODELS).map(([name, rel]) => [name, Deno.readFile(`${Deno.args[0]}/${rel}`).then((bytes) => loadModel(bytes))]),
);
Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(JSON.stringify({ port })) },
  createHandler({ models, limits: TEST_LIMITS }),
);
