// A pool worker (see pool-failure.test.ts) whose first staging handover fails, as a worker that
// cannot take a buffer would.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { workerLoop } from '../src/parallel/pool-core.js';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
let first = true;
await workerLoop(new Int32Array(control), () => {
  const message = receiveMessageOnPort(port)!.message as SharedArrayBuffer;
  if (first) {
    first = false;
    throw new Error('simulated: staging buffer not taken');
  }
  return message;
});
