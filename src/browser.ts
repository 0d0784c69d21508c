// One file for pages without a bundler (package path dist/browser/lrp-keras.js, e.g. from a CDN): the
// universal entry and lrp-keras/viz, their dependencies included, minified.
export * from './index.js';
export * from './viz/index.js';
