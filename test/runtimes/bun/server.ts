// Runs in Bun, not Node (server.test.ts starts it): lrp-keras/server's handler under Bun.serve on a
// free loopback port, models read from the fixture directory given as the argument; prints the port.
import { loadModel } from 'lrp-keras';
import { createHandler } from 'lrp-keras/server';
import { SERVED_MODELS, TEST_LIMITS } from '../../server/config.js';

declare const Bun: {
  argv: string[];
  file(path: string): { arrayBuffer(): Promise<ArrayBuffer> };
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { port: number };
};

const load = async (rel: string): Promise<Uint8Array> => new Uint8Array(await Bun.file(`${Bun.argv[2]}/${rel}`).arrayBuffer());
const models = Object.fromEntries(Object.entries(SERVED_MODELS).map(([name, rel]) => [name, load(rel).then((bytes) => loadModel(bytes))]));
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: createHandler({ models, limits: TEST_LIMITS }) });
console.log(JSON.stringify({ port: server.port }));
