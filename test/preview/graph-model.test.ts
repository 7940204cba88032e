// The preview's data (GraphModel) and the LSP request that serves it (graph.ts), on the
// teaching examples: one device a node, hops with roles, steps with their queues, sources.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFor } from '../../server/src/lsp/graph';
import { buildGraphModel, exportName } from '../../server/src/preview/graph-model';
import { parseTopology } from '../../server/src/topology/parse';
import { Walker } from '../../server/src/datapath/walk';
import { ctxFor, EXAMPLES, uriOf, workspace } from '../lsp-features/helpers';

const BRIDGE = path.join(EXAMPLES, 'bridge-pods/bridge-pods.topo');
const REDIRECTS = path.join(EXAMPLES, 'ebpf-redirects/ebpf-redirects.topo');
const REDIRECT_C = path.join(EXAMPLES, 'ebpf-redirects/redirect.bpf.c');
const WRONG = path.join(EXAMPLES, 'wrong-direction/wrong-direction.topo');

const lineOf = (file: string, needle: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));

describe('GraphModel', () => {
  it('bridge-pods: namespaces, one device each, links, and the pod-to-pod path hop by hop', async () => {
    const ws = await workspace(BRIDGE);
    const view = graphFor(ctxFor(ws, BRIDGE), lineOf(BRIDGE, 'path pod1 -> pod2'))!;
    expect(view.kind).toBe('topology');
    expect(view.selected).toEqual({ graph: 0, path: 0 });
    const g = view.graphs[0];
    expect(g.title).toBe('bridge-pods');
    expect(g.namespaces.map((n) => n.name).sort()).toEqual(['host', 'pod1', 'pod2']);
    expect(g.devices.map((d) => d.key)).toEqual(['eth0@pod1', 'veth-pod1@host', 'eth0@pod2', 'veth-pod2@host', 'cni0@host', 'eth0@host']);
    expect(new Set(g.devices.map((d) => d.id)).size).toBe(g.devices.length);
    expect(g.devices.every((d) => /^d\d+$/.test(d.id))).toBe(true);
    const kinds = g.links.map((l) => `${l.kind} ${g.devices.find((d) => d.id === l.a)!.key} ${g.devices.find((d) => d.id === l.b)!.key}`);
    expect(kinds).toEqual([
      'veth eth0@pod1 veth-pod1@host', 'bridge-port veth-pod1@host cni0@host',
      'veth eth0@pod2 veth-pod2@host', 'bridge-port veth-pod2@host cni0@host',
    ]);
    const p = g.paths[0];
    expect(p.label).toBe('pod1 -> pod2');
    expect(p.hops.map((h) => `${h.n} ${h.dev} ${h.role} ${h.via}`)).toEqual([
      '1 eth0@pod1 egress stack', '2 veth-pod1@host ingress veth', '3 veth-pod2@host egress bridge', '4 eth0@pod2 ingress veth',
    ]);
    expect(p.steps.map((s) => `${s.from}>${s.to} ${s.via} ${s.queue} ${s.label}`)).toEqual([
      '1>2 veth backlog veth_xmit', '2>3 bridge null cni0 forwards', '3>4 veth backlog veth_xmit',
    ]);
    expect(p.hops[1].roleExplanation).toMatch(/^Ingress: the first device/);
    expect(p.hops[1].did).toBe('Hands it to the bridge cni0@host, which forwards it to port veth-pod2@host.');
    expect(p.hops[3].did).toBe('Delivers it to the local socket (icmp_rcv).');
    expect(p.end).toMatchObject({ verdict: 'delivered', summary: 'delivered', ns: 'pod2' });
    expect(p.startNs).toBe('pod1');
    expect(g.glossary.enqueue_to_backlog).toMatch(/softnet_data.input_pkt_queue/);
    expect(p.exportName).toBe('bridge-pods-pod1-pod2.svg');
    // Sources: the device's name on its line, the path statement.
    const eth0 = g.devices[0];
    expect(eth0.source).toEqual({ uri: uriOf(BRIDGE), range: { start: { line: 5, character: 5 }, end: { line: 5, character: 9 } } });
    expect(p.source.range.start.line).toBe(lineOf(BRIDGE, 'path pod1 -> pod2'));
  });

  it('the cursor picks the path under it; elsewhere the view keeps the choice to the webview', async () => {
    const ws = await workspace(BRIDGE);
    const ctx = ctxFor(ws, BRIDGE);
    expect(graphFor(ctx, lineOf(BRIDGE, 'path pod2 -> 10.244.1.1'))!.selected).toEqual({ graph: 0, path: 1 });
    const none = graphFor(ctx, 0)!;
    expect(none.selected).toBeNull();
    expect(none.graphs[0].selected).toBe(0);
  });

  it('a peer redirect is its own kind of step: no queue, and the device whose Egress it skips', async () => {
    const ws = await workspace(REDIRECTS);
    const g = graphFor(ctxFor(ws, REDIRECTS), lineOf(REDIRECTS, 'path pod-a -> pod-b'))!.graphs[0];
    const p = g.paths[0];
    expect(p.hops.map((h) => `${h.dev} ${h.role}`)).toEqual(['eth0@pod-a egress', 'lxc-a@host ingress', 'eth0@pod-b ingress']);
    const peer = p.steps[1];
    expect(peer).toMatchObject({ via: 'peer-redirect', redirect: true, queue: null });
    expect(g.devices.find((d) => d.id === peer.skips)!.key).toBe('lxc-b@host');
    const hook = p.hops[1].hooks[0];
    expect(hook).toMatchObject({ hook: 'tc-ingress', prog: 'lxc_a_to_pod_b', result: 'TC_ACT_REDIRECT', action: 'redirect' });
    expect(hook.programSource).toEqual({ uri: uriOf(REDIRECT_C), range: expect.objectContaining({ start: { line: lineOf(REDIRECT_C, 'int lxc_a_to_pod_b'), character: 4 } }) });
    expect(hook.source.range.start.line).toBe(lineOf(REDIRECTS, 'attach tc-ingress lxc-a'));
    expect(p.hops[1].did).toMatch(/lxc_a_to_pod_b redirects it with bpf_redirect_peer to eth0@pod-b, which plays Ingress directly/);
    // The classic redirect: lxc-b plays Egress, then its peer through the backlog.
    const classic = g.paths[1];
    expect(classic.steps.map((s) => `${s.via} ${s.redirect} ${s.queue}`)).toEqual(['veth false backlog', 'redirect true null', 'veth false backlog']);
  });

  it('a drop is marked at the hop where it happens, with the reason', async () => {
    const ws = await workspace(WRONG);
    const g = graphFor(ctxFor(ws, WRONG), lineOf(WRONG, 'path pod-c -> pod-b'))!.graphs[0];
    const p = g.paths[1];
    expect(p.verdict).toBe('dropped');
    expect(p.end.summary).toMatch(/^dropped: bpf_redirect_peer from tc-egress/);
    expect(p.hops[p.hops.length - 1].dev).toBe('lxc-b@host');
    expect(p.hops[p.hops.length - 1].did).toMatch(/^Drops it: bpf_redirect_peer from tc-egress/);
  });

  it('a C document: the topologies whose paths run the program under the cursor', async () => {
    const ws = await workspace(REDIRECTS, WRONG);
    const view = graphFor(ctxFor(ws, REDIRECT_C), lineOf(REDIRECT_C, 'return bpf_redirect(LXC_B_IFINDEX'))!;
    expect(view.kind).toBe('c');
    expect(view.focus?.program).toBe('lxc_c_to_pod_b');
    expect(view.graphs.map((g) => g.title)).toEqual(['ebpf-redirects']);
    const g = view.graphs[0];
    expect(g.paths.filter((p) => p.runsFocus).map((p) => p.label)).toEqual(['pod-c -> pod-b']);
    expect(view.selected).toEqual({ graph: 0, path: 1 });
    const runs = g.paths[1].hops.flatMap((h) => h.hooks).filter((k) => k.focus);
    expect(runs.map((k) => k.prog)).toEqual(['lxc_c_to_pod_b']);
    // Outside any program: every program of the file.
    const all = graphFor(ctxFor(ws, REDIRECT_C), 0)!;
    expect(all.focus).toBeUndefined();
    expect(all.graphs[0].paths.filter((p) => p.runsFocus).map((p) => p.label)).toEqual(['pod-a -> pod-b', 'pod-c -> pod-b']);
  });

  it('a C program no topology attaches says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-graph-'));
    const c = path.join(dir, 'lone.bpf.c');
    fs.writeFileSync(c, '#include <linux/bpf.h>\nSEC("tc")\nint lone(struct __sk_buff *skb)\n{\n\treturn 0;\n}\n');
    const ws = await workspace(c);
    const view = graphFor(ctxFor(ws, c), 3)!;
    expect(view.graphs).toEqual([]);
    expect(view.note).toMatch(/No topology file of the workspace attaches program lone/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a topology with a syntax error still gives its model, with the errors', async () => {
    const ws = await workspace(BRIDGE);
    const text = fs.readFileSync(BRIDGE, 'utf8').replace('bridge cni0 10.244.1.1/24', 'bridge cni0 10.244.1.1/99');
    const view = graphFor(ctxFor(ws, BRIDGE, text), undefined)!;
    const g = view.graphs[0];
    expect(g.errors.map((e) => e.code)).toContain('topo-bad-cidr');
    expect(g.errors[0].range.start.line).toBe(lineOf(BRIDGE, 'bridge cni0'));
    expect(g.devices.length).toBeGreaterThan(0);
  });

  it('export names are plain file names', () => {
    expect(exportName(['bridge', 'pod1', 'pod2'])).toBe('bridge-pod1-pod2.svg');
    expect(exportName(['lab', 'pod-a', '10.0.1.20'])).toBe('lab-pod-a-10.0.1.20.svg');
    expect(exportName(['../x', '<a>', ''])).toBe('x-a.svg');
  });

  it('the builder alone: a topology without paths has no selection', () => {
    const { topology, diagnostics } = parseTopology('netns a\nveth eth0@a 10.0.0.1/24 -- v0 10.0.0.2/24\n', '/t/lab.topo');
    const w = new Walker(topology);
    const g = buildGraphModel({ topology, paths: topology.paths.map((p) => w.walk(p)), diagnostics });
    expect(g.selected).toBeNull();
    expect(g.paths).toEqual([]);
    expect(g.uri).toBe('file:///t/lab.topo');
    expect(g.exportName).toBe('lab.svg');
  });
});
