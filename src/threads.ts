// lrp-keras/threads: worker threads for Node. Importing this module lets `threads: n` options use
// n threads; createThreadPool gives a pool of one's own (close it when done).
import { createThreadPool } from './parallel/pool.js';
import { registerThreadPools } from './parallel/threads.js';

registerThreadPools(createThreadPool);

export { createThreadPool };
export type { ThreadPool } from './parallel/threads.js';
