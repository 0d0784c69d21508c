// A worker of a thread pool: parks in Atomics.wait, runs the blocks of rows it claims of each GEMM
// the main thread posts, reports done. New staging buffers arrive on its port between jobs.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { gemmRows, GemmScratch } from '../kernels/gemm.js';
import { claimBack, Command, readJob, Slot } from './protocol.js';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
const ctrl = new Int32Array(control);
const scratch = new GemmScratch();
let staging: Float32Array = new Float32Array(0);
let generation = Atomics.load(ctrl, Slot.generation);
Atomics.add(ctrl, Slot.ready, 1);
Atomics.notify(ctrl, Slot.ready);

for (;;) {
  Atomics.wait(ctrl, Slot.generation, generation);
  generation = Atomics.load(ctrl, Slot.generation);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) staging = new Float32Array(m.message as SharedArrayBuffer);
  if (Atomics.load(ctrl, Slot.command) === Command.exit) break;
  try {
    const { p, blockRows } = readJob(ctrl, staging);
    const blocks = Math.ceil(p.M / blockRows);
    for (let b = claimBack(ctrl, blocks); b >= 0; b = claimBack(ctrl, blocks)) gemmRows(p, b * blockRows, Math.min(p.M, (b + 1) * blockRows), scratch);
  } catch {
    Atomics.store(ctrl, Slot.failed, 1);
  }
  Atomics.add(ctrl, Slot.done, 1);
  Atomics.notify(ctrl, Slot.done);
}
port.close();
