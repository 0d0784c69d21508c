// lrp-keras/server: the HTTP API as a Web-standard fetch handler. Edge-safe like the universal entry
// (no `node:` modules): Workers, Deno and Bun take the handler as it is; Node and Lambda have their
// adapters in lrp-keras/server/node and lrp-keras/server/lambda.
export { createApp, createHandler, type ServerOptions } from './app.js';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';
export { openApiDocument } from './openapi.js';
