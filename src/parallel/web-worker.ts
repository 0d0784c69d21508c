// A Web Worker of a browser pool (web-pool.ts): its first message is the control block, later ones
// are staging buffers, taken when the loop of pool-core.ts yields for them.
import { workerLoop } from './pool-core.js';

interface WorkerScope { onmessage: ((e: { data: SharedArrayBuffer }) => void) | null }
const scope = globalThis as unknown as WorkerScope;
const received: SharedArrayBuffer[] = [];
let waiting: ((b: SharedArrayBuffer) => void) | null = null;

scope.onmessage = (e) => {
  if (waiting) {
    const take = waiting;
    waiting = null;
    take(e.data);
  } else {
    received.push(e.data);
  }
};

const next = (): Promise<SharedArrayBuffer> => {
  const ready = received.shift();
  return ready ? Promise.resolve(ready) : new Promise((resolve) => (waiting = resolve));
};

void next().then((control) => workerLoop(new Int32Array(control), next));
