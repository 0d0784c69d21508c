// fflate's unzip alone, for keras-zip.ts to import on first use: most models are .h5, and loading
// fflate added 10–25 ms to every Node start-up. A module of its own (rather than import('fflate'))
// keeps bundlers' tree-shaking: edge bundles carry unzipSync, not all of fflate.
export { unzipSync } from 'fflate';
