/// <reference types="node" />
// lrp-keras/server/node: the app on Node's HTTP server through Hono's Node adapter, with limits on
// slow uploads and a graceful close (requests in flight finish, new connections are refused).
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp, type ServerOptions } from './app.js';
import { DEFAULT_SERVER_LIMITS } from './limits.js';

export interface NodeServerOptions extends ServerOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 to listen on every interface (containers). */
  hostname?: string;
  /** How long `close()` lets requests in flight finish before cutting their connections; default 10 s. */
  graceMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections, lets requests in flight finish (up to graceMs), then resolves. */
  close(): Promise<void>;
}

function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Starts serving; resolves once listening. */
export function serveNode(options: NodeServerOptions): Promise<RunningServer> {
  const app = createApp(options);
  const hostname = options.hostname ?? '127.0.0.1';
  const timeoutMs = options.limits?.timeoutMs ?? DEFAULT_SERVER_LIMITS.timeoutMs;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname }, (info) => {
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      resolve({ url: `http://${host}:${info.port}`, port: info.port, close: () => closeGracefully(server, options.graceMs ?? 10_000) });
    }) as Server;
    server.once('error', reject);
    // The handler answers a slow upload with 408 at its deadline; these cut what never reaches it
    // (headers trickled in, chunked bodies the body limit is still reading).
    server.headersTimeout = Math.min(timeoutMs, 60_000);
    server.requestTimeout = timeoutMs + 1000;
  });
}
