// The core entry points the benchmark scripts time (bundled to dist/bench-core.js).
export { parseTopology } from '../server/src/topology/parse';
export { Walker } from '../server/src/datapath/walk';
export { createCParser } from '../server/src/ebpf/parser';
export { CDocument } from '../server/src/ebpf/analyze';
export { Workspace } from '../server/src/inference/workspace';
export { loadFolder } from '../server/src/inference/load-folder';
export { buildGraphModel } from '../server/src/preview/graph-model';
export { COMPACT_ABOVE, toMermaid } from '../server/src/preview/mermaid';
export { makeNonce, previewHtml } from '../client/src/preview-html';
