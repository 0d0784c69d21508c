// lrp-keras/web-threads: a thread pool of Web Workers for browsers (cross-origin isolated pages),
// used from a Web Worker: `lrp(model, x, { threads: await createWebThreadPool(2) })`.
export { createWebThreadPool } from './parallel/web-pool.js';
export type { ThreadPool } from './parallel/threads.js';
