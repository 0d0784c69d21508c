// lrp-keras/h5wasm: the h5wasm reader for runtimes that allow WebAssembly but are not Node (browsers):
// `loadModel(bytes, { reader: h5wasmReader })`.
export { h5wasmReader } from './io/h5wasm-reader.js';
