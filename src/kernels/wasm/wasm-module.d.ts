// What a bundler for Workers makes of `import m from './x.wasm'`: the compiled module.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
