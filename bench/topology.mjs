// Parse and walk a generated topology of 1,000 devices and 100 paths: the foundation's
// performance target is under 50 ms. Run after `npm run build`: `node bench/topology.mjs`.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { parseTopology, Walker } = require('../dist/bench-core.js');

/** Nodes joined by wires in a line; each node has a bridge with pods; paths cross nodes. */
function generate(devices, paths) {
  const lines = [];
  const nodes = Math.max(2, Math.round(devices / 50));
  const podsPerNode = Math.floor((devices / nodes - 2) / 2);
  for (let n = 0; n < nodes; n++) {
    lines.push(`netns node${n} forwarding`);
    lines.push(`bridge cni0@node${n} 10.${n}.0.1/16`);
    const ports = [];
    for (let p = 0; p < podsPerNode; p++) {
      lines.push(`netns pod${n}-${p}`);
      lines.push(`veth eth0@pod${n}-${p} 10.${n}.${1 + (p >> 8)}.${(p % 250) + 2}/16 -- veth${p}@node${n}`);
      lines.push(`route @pod${n}-${p} default via 10.${n}.0.1`);
      ports.push(`veth${p}`);
    }
    lines[lines.indexOf(`bridge cni0@node${n} 10.${n}.0.1/16`)] += ` ports ${ports.join(' ')}`;
    lines.push(`nic eth0@node${n} 192.168.${n >> 8}.${(n % 250) + 1}/16`);
  }
  for (let n = 0; n + 1 < nodes; n += 2) lines.push(`wire eth0@node${n} -- eth0@node${n + 1}`);
  for (let n = 0; n < nodes; n++) {
    const other = n % 2 ? n - 1 : n + 1;
    if (other < nodes) lines.push(`route @node${n} 10.${other}.0.0/16 via 192.168.${other >> 8}.${(other % 250) + 1}`);
  }
  for (let i = 0; i < paths; i++) {
    const n = (i * 2) % (nodes - (nodes % 2));
    lines.push(`path pod${n}-${i % podsPerNode} -> pod${n + 1}-${(i * 7) % podsPerNode}`);
  }
  return lines.join('\n');
}

const text = generate(1000, 100);
const runs = [];
let info;
let cold;
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  const { topology, diagnostics } = parseTopology(text, '/bench/big.topo');
  const walker = new Walker(topology);
  const results = topology.paths.map((p) => walker.walk(p));
  const ms = performance.now() - t0;
  if (i === 0) cold = ms;
  else runs.push(ms);
  info = { devices: topology.devices.size, paths: results.length, errors: diagnostics.length, delivered: results.filter((r) => r.verdict === 'delivered').length };
}
runs.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)];
console.log(`topology: ${info.devices} devices, ${info.paths} paths (${info.delivered} delivered, ${info.errors} diagnostics), ${text.split('\n').length} lines`);
console.log(`parse + walk: first (cold) ${cold.toFixed(1)} ms; then over ${runs.length} runs median ${median.toFixed(1)} ms, p95 ${runs[Math.floor(runs.length * 0.95)].toFixed(1)} ms (target < 50 ms)`);
