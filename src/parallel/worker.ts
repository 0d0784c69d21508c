// A worker_threads worker of a Node pool (pool.ts): the loop of pool-core.ts; new staging buffers
// and the kernel module arrive on its port and are taken synchronously.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { workerLoop, type WorkerMessage } from './pool-core.js';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
await workerLoop(new Int32Array(control), () => receiveMessageOnPort(port)!.message as WorkerMessage);
port.close();
