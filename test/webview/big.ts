// A generated topology of K nodes, each a bridge with P pods and an uplink NIC, wired in
// pairs: K * (2 + 2P) devices, and a path across two nodes (as bench/preview.mjs draws).
import { Walker } from '../../server/src/datapath/walk';
import type { GraphView } from '../../server/src/lsp/graph';
import { buildGraphModel, GRAPH_MODEL_VERSION } from '../../server/src/preview/graph-model';
import { parseTopology } from '../../server/src/topology/parse';

export function bigView(K: number, P: number): GraphView {
  const lines: string[] = [];
  for (let n = 0; n < K; n++) {
    lines.push(`netns node${n} forwarding`);
    const ports: string[] = [];
    for (let p = 0; p < P; p++) {
      lines.push(`netns pod${n}-${p}`, `veth eth0@pod${n}-${p} 10.${n}.${1 + (p >> 8)}.${(p % 250) + 2}/16 -- veth${p}@node${n}`, `route @pod${n}-${p} default via 10.${n}.0.1`);
      ports.push(`veth${p}`);
    }
    lines.push(`bridge cni0@node${n} 10.${n}.0.1/16 ports ${ports.join(' ')}`, `nic eth0@node${n} 192.168.0.${n + 1}/24`);
  }
  for (let n = 0; n + 1 < K; n += 2) lines.push(`wire eth0@node${n} -- eth0@node${n + 1}`, `route @node${n} 10.${n + 1}.0.0/16 via 192.168.0.${n + 2}`, `route @node${n + 1} 10.${n}.0.0/16 via 192.168.0.${n + 1}`);
  lines.push(`path pod0-0 -> pod1-${P - 1}`);
  const { topology, diagnostics } = parseTopology(lines.join('\n'), '/lab/big.topo');
  const w = new Walker(topology);
  const model = buildGraphModel({ topology, paths: topology.paths.map((p) => w.walk(p)), diagnostics, selected: 0 });
  return { version: GRAPH_MODEL_VERSION, kind: 'topology', uri: model.uri, graphs: [model], selected: { graph: 0, path: 0 } };
}
