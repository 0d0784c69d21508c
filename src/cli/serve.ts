/// <reference types="node" />
import { basename, extname } from 'node:path';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../server/limits.js';
import { parseInteger, usageError } from './flags.js';
import { loadModelFile } from './inputs.js';

export interface ServeFlags {
  port: string | number;
  host: string;
  maxBody: string | number;
  maxBatch: string | number;
  maxPixels: string | number;
  timeout: string | number;
  concurrency: string | number;
  queue: string | number;
}

/** A model served from a file is named by the file's name without its extension; two files may not share one. */
export function modelNames(paths: readonly string[]): string[] {
  const names = paths.map((p) => basename(p, extname(p)));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw usageError(`two models would both be served as '${twice}'; rename one file`);
  return names;
}

function limitsOf(flags: ServeFlags): ServerLimits {
  return {
    maxBodyBytes: parseInteger('max-body', flags.maxBody, 1),
    maxBatch: parseInteger('max-batch', flags.maxBatch, 1),
    maxImagePixels: parseInteger('max-pixels', flags.maxPixels, 1),
    timeoutMs: parseInteger('timeout', flags.timeout, 1),
    concurrency: parseInteger('concurrency', flags.concurrency, 1),
    queue: parseInteger('queue', flags.queue, 0),
  };
}

/** The serve command's flags with the server's defaults (registered by main.ts). */
export const SERVE_FLAGS: [string, string, number | string][] = [
  ['--port <n>', 'Port (0: any free one)', 8080],
  ['--host <address>', 'Address to listen on (0.0.0.0: every interface)', '127.0.0.1'],
  ['--max-body <bytes>', 'Largest request body', DEFAULT_SERVER_LIMITS.maxBodyBytes],
  ['--max-batch <n>', 'Most samples per request', DEFAULT_SERVER_LIMITS.maxBatch],
  ['--max-pixels <n>', 'Largest image, in pixels', DEFAULT_SERVER_LIMITS.maxImagePixels],
  ['--timeout <ms>', 'Time limit per request, upload included', DEFAULT_SERVER_LIMITS.timeoutMs],
  ['--concurrency <n>', 'Explanations computed at once', DEFAULT_SERVER_LIMITS.concurrency],
  ['--queue <n>', 'Requests waiting beyond that before answering 503', DEFAULT_SERVER_LIMITS.queue],
];

/**
 * `lrp-keras serve`: loads every model once, serves the HTTP API until SIGINT or SIGTERM, then
 * stops accepting connections and lets the requests in flight finish before exiting.
 */
export async function serveCommand(paths: string[], flags: ServeFlags): Promise<void> {
  const names = modelNames(paths);
  const limits = limitsOf(flags);
  const port = parseInteger('port', flags.port, 0);
  const models = Object.fromEntries(await Promise.all(paths.map(async (p, i) => [names[i], await loadModelFile(p)] as const)));
  // Imported here: the HTTP stack is loaded only by the command that needs it.
  const { serveNode } = await import('../server/node.js');
  const server = await serveNode({ models, limits, port, hostname: String(flags.host) });
  console.log(`lrp-keras: serving ${names.join(', ')} on ${server.url}`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log(`lrp-keras: ${signal}: finishing the requests in flight`);
  await server.close();
  console.log('lrp-keras: stopped');
}
