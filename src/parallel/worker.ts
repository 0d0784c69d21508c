// A worker of a thread pool: parks in Atomics.wait, runs the rows it claims of each GEMM
// the main thread posts, reports done. New staging buffers arrive on its port between jobs.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { gemmRows, GemmScratch } from '../kernels/gemm.js';
import { backRun, claimRows, Command, readJob, Slot } from './protocol.js';

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
    const { p, threads } = readJob(ctrl, staging);
    for (let rows = claimRows(ctrl, p.M, threads); rows > 0; rows = claimRows(ctrl, p.M, threads)) {
      const m0 = backRun(ctrl, p.M, rows);
      gemmRows(p, m0, m0 + rows, scratch);
    }
  } catch {
    Atomics.store(ctrl, Slot.failed, 1);
  }
  Atomics.add(ctrl, Slot.done, 1);
  Atomics.notify(ctrl, Slot.done);
}
port.close();
