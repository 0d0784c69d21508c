// A Web Worker of a browser pool (web-pool.ts): its first message is the control block, later ones
// are staging buffers or the kernel module, taken when the loop of pool-core.ts yields for them.
import { workerLoop, type WorkerMessage } from './pool-core.js';

interface WorkerScope {
  onmessage: ((e: { data: WorkerMessage }) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;
const received: WorkerMessage[] = [];
let waiting: ((m: WorkerMessage) => void) | null = null;

scope.onmessage = (e) => {
  if (waiting) {
    const take = waiting;
    waiting = null;
    take(e.data);
  } else {
    received.push(e.data);
  }
};

const next = (): Promise<WorkerMessage> => {
  const ready = received.shift();
  return ready ? Promise.resolve(ready) : new Promise((resolve) => (waiting = resolve));
};

void next().then((control) => workerLoop(new Int32Array(control as SharedArrayBuffer), next));
