// The core entry points the benchmark scripts time (bundled to dist/bench-core.js).
export { parseTopology } from '../server/src/topology/parse';
export { Walker } from '../server/src/datapath/walk';
