// GraphModel → mermaid text: generated ids only, every label escaped, path steps and queues,
// limits raised for big topologies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFor } from '../../server/src/lsp/graph';
import type { GraphModel } from '../../server/src/preview/graph-model';
import { buildGraphModel } from '../../server/src/preview/graph-model';
import { hopNumber, label, toMermaid } from '../../server/src/preview/mermaid';
import { Walker } from '../../server/src/datapath/walk';
import { parseTopology } from '../../server/src/topology/parse';
import { ctxFor, EXAMPLES, workspace } from '../lsp-features/helpers';
import { hostile } from './hostile';

const BRIDGE = path.join(EXAMPLES, 'bridge-pods/bridge-pods.topo');
const REDIRECTS = path.join(EXAMPLES, 'ebpf-redirects/ebpf-redirects.topo');

async function modelOf(file: string): Promise<GraphModel> {
  const ws = await workspace(file);
  return graphFor(ctxFor(ws, file), undefined)!.graphs[0];
}

describe('mermaid text', () => {
  it('label(): only letters, digits and a few marks stay; the rest becomes entity codes', () => {
    expect(label('eth0@pod1 · 10.0.0.1/24')).toBe('eth0@pod1 · 10.0.0.1/24');
    expect(label('<script>"x";{a}[b](c)#%|`:')).toBe('#60;script#62;#34;x#34;#59;#123;a#125;#91;b#93;#40;c#41;#35;#37;#124;#96;#58;');
    expect(label('a\nb\u2028c')).toBe('a b c');
    expect(hopNumber(3)).toBe('③');
    expect(hopNumber(21)).toBe('(21)');
  });

  it('bridge-pods, pod1 -> pod2: one node per device, namespaces as subgraphs, roles on the hops', async () => {
    const g = await modelOf(BRIDGE);
    const d = toMermaid(g, { path: 0 });
    expect(d.text.startsWith('flowchart TB\n')).toBe(true);
    const devices = Object.entries(d.nodes).filter(([, n]) => n.kind === 'device');
    expect(devices.map(([id]) => id)).toEqual(g.devices.map((x) => x.id));
    for (const dev of g.devices) expect(d.text.match(new RegExp(`^\\s+${dev.id}\\["`, 'gm'))).toHaveLength(1);
    expect(d.text).toMatch(/subgraph ns1\["netns pod1"\]/);
    expect(d.text).toMatch(/subgraph ns0\["netns host · forwarding"\]/);
    // hop 1: eth0@pod1 Egress; hop 4: eth0@pod2 Ingress
    expect(d.text).toContain(`d0["<span class='dl-badge dl-badge-egress'>① EGRESS</span><br><b>eth0</b><br><span class='dl-meta'>veth · 10.244.1.2/24</span>"]`);
    expect(d.text).toContain('class d2 dl_ingress');
    expect(d.text).toContain('class d4 dl_offpath');
    // Steps: veth crossings through a backlog queue node, the bridge's forwarding straight.
    expect(d.text).toContain('d0 s1@==>|"veth_xmit"| q2');
    expect(d.text).toContain('q2 s1b@==> d1');
    expect(d.text).toMatch(/q2@\{ shape: das, label: "per-CPU backlog queue → process_backlog" \}/);
    expect(d.text).toContain('d1 s2@==>|"cni0 forwards"| d3');
    // Bridge ports stay; veth links the path draws do not appear twice.
    expect(d.text).toContain('d1 l1@-.-|"port"| d4');
    expect(d.text).not.toMatch(/d0 l0@/);
    expect(d.edges.s1).toEqual({ kind: 'step', step: 's1', classes: ['dl_step', 'dl_via_veth'] });
    expect(d.text).toMatch(/p0\(\["● socket in pod1 · icmp"\]\)/);
    expect(d.text).toMatch(/p1\(\["✔ delivered"\]\)/);
    expect(d.maxEdges).toBe(500);
  });

  it('a peer redirect skips the backlog queue of the device it jumps over', async () => {
    const g = await modelOf(REDIRECTS);
    const d = toMermaid(g, { path: 0 });
    const lxcB = g.devices.find((x) => x.key === 'lxc-b@host')!.id;
    const podB = g.devices.find((x) => x.key === 'eth0@pod-b')!.id;
    const lxcA = g.devices.find((x) => x.key === 'lxc-a@host')!.id;
    expect(d.text).toContain(`${lxcA} s2@-.->|"bpf_redirect_peer · no backlog"| ${podB}`);
    expect(d.edges.s2.classes).toEqual(['dl_step', 'dl_via_peer-redirect', 'dl_redirect']);
    expect(d.nodes.g3).toEqual({ kind: 'skipped-queue', step: 's2' });
    expect(d.text).toMatch(new RegExp(`${lxcB} l\\d+@-\\.- g3`));
    expect(d.text).toContain('label: "backlog queue · skipped"');
    expect(d.text).toContain(`tc ingress ▸ lxc_a_to_pod_b → TC_ACT_REDIRECT`);
  });

  it('no path: the topology alone; hostile names never reach an id or the text unescaped', async () => {
    const g = hostile(await modelOf(REDIRECTS));
    const d = toMermaid(g, { path: 1 });
    expect(d.text).not.toMatch(/<script|<img|onerror="|__pwned=1<|"'/);
    // Every id is generated; user text only inside quoted labels.
    for (const line of d.text.split('\n').slice(1)) {
      const outside = line.replace(/"[^"]*"/g, '""');
      expect(outside, line).not.toMatch(/script|pwned|img/);
    }
    expect(d.text).toContain('#60;script#62;window.__pwned=1#60;/script#62;#34;#39;#59;#123;#125;#91;#93;#40;#41;#35;#59;#37;#37;#124;#96;#60;img src=x onerror=#34;window.__pwned=2#34;#62;#38;amp#59;');
    const alone = toMermaid(g, { path: null });
    expect(alone.path).toBeNull();
    expect(alone.text).not.toContain('p0');
  });

  it('a big topology folds the pods off the path; drawn whole, it gets compact labels and raised limits', () => {
    const lines = ['netns node forwarding', 'bridge br0@node 10.0.0.1/16 ports ' + Array.from({ length: 200 }, (_, i) => `v${i}`).join(' ')];
    for (let i = 0; i < 200; i++) lines.splice(1, 0, `netns p${i}`, `veth eth0@p${i} 10.0.${1 + (i >> 8)}.${(i % 250) + 2}/16 -- v${i}@node`, `route @p${i} default via 10.0.0.1`);
    lines.push('path p0 -> p1');
    const { topology, diagnostics } = parseTopology(lines.join('\n'), '/t/big.topo');
    expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const w = new Walker(topology);
    const g = buildGraphModel({ topology, paths: topology.paths.map((p) => w.walk(p)) });
    expect(g.devices).toHaveLength(401);
    // Folded: the path's four devices, the bridge, one node for the 198 other pairs.
    const folded = toMermaid(g);
    const drawn = Object.values(folded.nodes).filter((n) => n.kind === 'device');
    expect(drawn).toHaveLength(5);
    expect(folded.folded).toBe(396);
    expect(Object.values(folded.nodes).filter((n) => n.kind === 'fold').map((n) => n.kind === 'fold' && n.pairs.length)).toEqual([198]);
    expect(folded.text).toContain('+198 veth pairs to their own namespaces on br0');
    expect(folded.compact).toBe(false);
    // Whole: one node per device, one-line labels, clusters only where they group several.
    const whole = toMermaid(g, { fold: false });
    expect(Object.values(whole.nodes).filter((n) => n.kind === 'device')).toHaveLength(401);
    expect(whole.folded).toBe(0);
    expect(whole.compact).toBe(true);
    expect(whole.text).not.toContain('dl-meta');
    expect(whole.text).toContain('<b>eth0@p7</b>');
    expect((whole.text.match(/subgraph /g) ?? []).length).toBe(3);
    expect(whole.maxEdges).toBeGreaterThan(400);
    expect(whole.maxTextSize).toBeGreaterThanOrEqual(whole.text.length);
  });

  it('the generated text is stable (same model, same text)', async () => {
    const g = await modelOf(BRIDGE);
    expect(toMermaid(g).text).toBe(toMermaid(JSON.parse(JSON.stringify(g))).text);
    expect(fs.existsSync(BRIDGE)).toBe(true);
  });
});
