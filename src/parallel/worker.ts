// A worker_threads worker of a Node pool (pool.ts): the loop of pool-core.ts; new staging buffers
// and the kernel module arrive on its port and are taken synchronously.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { fail } from '../errors.js';
import { workerLoop, type WorkerMessage } from './pool-core.js';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
// The pool posts before it wakes the worker, so a message is always there when the loop asks.
const next = (): WorkerMessage => (receiveMessageOnPort(port)?.message ?? fail('a pool worker woke with no message')) as WorkerMessage;
await workerLoop(new Int32Array(control), next);
port.close();
