// lrp-keras/ndarray: explanations out as scijs ndarrays (sharing their data), ndarrays and their
// views in, and ndarray-ops working on what comes out. Node/browser only, like ndarray itself.
import { fixedShape } from '../src/tensor.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import { analyze, loadModel, lrp, LrpKerasError } from '../src/index.js';
import { fromNdarray, toNdarray } from '../src/ndarray.js';
import { fixturePath } from './fixtures.js';

const model = await loadModel(new Uint8Array(readFileSync(fixturePath('models/cnn_keras3.h5'))));
const [H, W, C] = fixedShape(model.inputShape, 'model.inputShape');
const pixels = (n: number): Float32Array => Float32Array.from({ length: n * H * W * C }, (_, i) => ((i * 37) % 101) / 100);

test('toNdarray: the relevance as an ndarray over the same data, indexed like the tensor', () => {
  const x = { shape: [2, H, W, C], data: pixels(2) };
  const R = lrp(model, x);
  const nd = toNdarray(R);
  assert.equal(nd.shape, R.shape);
  assert.is(nd.data, R.data, 'no copy');
  assert.is(nd.dtype, 'float32');
  assert.is(nd.get(1, 3, 5, 2), R.data[((1 * H + 3) * W + 5) * C + 2]);
  nd.set(0, 0, 0, 0, 42);
  assert.is(R.data[0], 42, 'writes go through to the tensor');
});

test('ndarray-ops works on what toNdarray returns (sum, max over one sample)', () => {
  const x = { shape: [2, H, W, C], data: pixels(2) };
  const R = lrp(model, x);
  const sample = toNdarray(R).pick(1, null, null, null);
  let sum = 0;
  let max = -Infinity;
  for (let i = H * W * C; i < 2 * H * W * C; i++) {
    sum += R.data[i];
    max = Math.max(max, R.data[i]);
  }
  assert.ok(Math.abs(ops.sum(sample) - sum) <= 1e-9 * Math.max(1, Math.abs(sum)));
  assert.is(ops.sup(sample), max);
});

test('analyze takes ndarrays, transposed views included, and explains what they look like', () => {
  const packed = { shape: [1, H, W, C], data: pixels(1) };
  // The same pixels stored channels-first and viewed channels-last: strides, no copy.
  const chw = new Float32Array(H * W * C);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) chw[(c * H + y) * W + x] = packed.data[(y * W + x) * C + c];
  const view = ndarray(chw, [1, C, H, W]).transpose(0, 2, 3, 1);
  const expected = analyze(model, packed, { method: 'epsilon-gamma-box' });
  assert.equal(Array.from(analyze(model, view, { method: 'epsilon-gamma-box' }).data), Array.from(expected.data));
  assert.equal(Array.from(model.logits(view).data), Array.from(model.logits(packed).data));
  const tensor = fromNdarray(view);
  assert.equal(tensor.shape, [1, H, W, C]);
  assert.equal(Array.from(tensor.data), Array.from(packed.data));
});

test('fromNdarray reads offsets, steps and other dtypes; packed float32 stays shared', () => {
  const base = ndarray(new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), [3, 4]);
  const view = base.lo(1, 1).step(1, 2); // rows 1-2, columns 1 and 3
  assert.equal(fromNdarray(view), { shape: [2, 2], data: new Float32Array([5, 7, 9, 11]) });
  const packed = ndarray(new Float32Array([1, 2, 3, 4]), [2, 2]);
  assert.is(fromNdarray(packed).data, packed.data);
});

test('mistakes are LrpKerasErrors naming what was expected', () => {
  assert.throws(
    () => toNdarray({ shape: [2, 3], data: new Float32Array(5) }),
    (e: Error) => e instanceof LrpKerasError && /\(2, 3\) needs 6 values, data has 5/.test(e.message),
  );
  assert.throws(
    () => toNdarray({ shape: [2], data: [1, 2] } as never),
    (e: Error) => e instanceof LrpKerasError && /Float32Array/.test(e.message),
  );
  assert.throws(
    () => fromNdarray({ shape: [2] } as never),
    (e: Error) => e instanceof LrpKerasError && /expected an ndarray/.test(e.message),
  );
});

test.run();
