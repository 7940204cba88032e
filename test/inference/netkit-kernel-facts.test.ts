// What the kernel lab showed about netkit (kernel 6.12 in the VM, test/kernel-vm), held here
// without a kernel: the fixture test/lab/netkit walked through the real C analysis.
//   - a netkit program runs after skb->dev became the receiving end (netkit_xmit), so its
//     redirect finds the ifindex in that end's namespace: a netkit/peer program of a pod's
//     pair redirects to host devices;
//   - netkit_xmit acts on NETKIT_NEXT/PASS/DROP/REDIRECT only and drops every other code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathResult } from '../../server/src/datapath/path';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { readIfExists } from '../../server/src/inference/load-folder';
import { Workspace } from '../../server/src/inference/workspace';
import { parseTopology } from '../../server/src/topology/parse';
import { resolveTarget } from '../../server/src/inference/targets';

const DIR = path.resolve(__dirname, '../lab/netkit');
const TOPO = path.join(DIR, 'netkit-pods.topo');
const C = path.join(DIR, 'netkit.bpf.c');
let parser: CParser;
let ws: Workspace;
let paths: PathResult[];
beforeAll(async () => {
  parser = await createCParser();
  ws = new Workspace(parser, readIfExists);
  ws.setCFile(C, fs.readFileSync(C, 'utf8'));
  ws.setTopology(TOPO, fs.readFileSync(TOPO, 'utf8'));
  paths = ws.paths(TOPO);
});
afterAll(() => ws.dispose());
const find = (from: string, to: string) => paths.find((p) => p.spec.from.text === from && p.spec.to.text === to)!;
const hops = (p: PathResult) => p.hops.map((h) => `${h.dev}:${h.role}`);

describe('netkit, as the kernel showed it', () => {
  it('a netkit/peer redirect resolves in the primary\'s namespace: out of nk-b at once, nk-a never plays Ingress', () => {
    const p = find('pod-a', 'pod-b');
    expect(p.verdict).toBe('delivered');
    expect(hops(p)).toEqual(['eth0@pod-a:egress', 'nk-b@host:egress', 'eth0@pod-b:ingress']);
    // The redirect happens inside netkit_xmit, after the pair's programs ran.
    expect(p.hops[0].stages.slice(p.hops[0].stages.indexOf('netkit_xmit'))).toEqual(['netkit_xmit', 'netkit_run', 'skb_do_redirect', '__bpf_redirect', '__bpf_tx_skb']);
    expect(p.hops[0].stages.indexOf('netkit_run')).toBeLessThan(p.hops[0].stages.indexOf('skb_do_redirect'));
    expect(p.hops[0].hooks.map((h) => `${h.hook}:${h.prog}=${h.result}`)).toEqual(['netkit-peer:nk_a_to_b=NETKIT_REDIRECT']);
  });

  it('a netkit/primary program\'s constant ifindex is looked up in the peer\'s namespace', () => {
    const { topology } = parseTopology([
      'netns pod', 'netkit nk0 ifindex 5 -- eth0@pod ifindex 9', 'nic eth1@pod ifindex 7', 'nic eth9 ifindex 7',
      'attach netkit-primary nk0 prog p', 'attach netkit-peer nk0 prog q',
    ].join('\n'), '/x/t.topo');
    const [primary, peer] = topology.attachments;
    const r = { ifindex: 7, ifindexText: '7' } as Parameters<typeof resolveTarget>[0];
    expect(resolveTarget(r, primary, topology).dev?.key).toBe('eth1@pod');
    expect(resolveTarget(r, peer, topology).dev?.key).toBe('eth9@host');
  });

  it('TC_ACT_PIPE is no netkit code: dropped, with a warning on the return', () => {
    const p = find('pod-g', 'pod-d');
    expect(p.verdict).toBe('dropped');
    expect(hops(p)).toEqual(['eth0@pod-g:egress']);
    expect(p.reason).toMatch(/TC_ACT_PIPE, which netkit does not know/);
    const d = ws.diagnostics().filter((x) => x.code === 'return-code-mismatch' && x.file === C);
    expect(d).toHaveLength(1);
    expect(d[0].message).toMatch(/nk_g_pipe runs at netkit-peer.*drops every packet for which this returns TC_ACT_PIPE \(3\)/);
  });

  it('NETKIT_NEXT from the last program passes; a netkit/primary drop ends host → pod', () => {
    expect(find('pod-f', 'pod-d').verdict).toBe('delivered');
    expect(find('pod-f', 'pod-d').hops[0].hooks[0].result).toBe('NETKIT_NEXT');
    const d = find('pod-d', 'pod-a');
    expect(d.verdict).toBe('dropped');
    expect(hops(d)).toEqual(['eth0@pod-d:egress', 'nk-d@host:ingress', 'nk-a@host:egress']);
    expect(d.reason).toMatch(/nk_a_guard returns NETKIT_DROP/);
  });

  it('generic XDP runs on a netkit device (native XDP does not: no ndo_bpf)', () => {
    const p = find('pod-h', 'pod-d');
    expect(p.verdict).toBe('dropped');
    expect(p.reason).toMatch(/nk_xdp_drop returns XDP_DROP: do_xdp_generic drops the packet/);
    expect(p.hops[1].stages).not.toContain('sch_handle_ingress');
  });

  it('no hairpin or recursion warning for a netkit program that redirects to skb->dev (neither applies in netkit_xmit)', () => {
    const w = new Workspace(parser, readIfExists);
    const c = '/x/b.c';
    w.setCFile(c, '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("netkit/peer") int back(struct __sk_buff *s) { return bpf_redirect(5, 0); }\n');
    w.setTopology('/x/t.topo', 'netns pod\nnetkit nk0 ifindex 5 -- eth0@pod 10.0.0.2/32\nattach netkit-peer nk0 prog back file "b.c"\n');
    expect(w.diagnostics().filter((d) => d.code === 'redirect-wrong-direction')).toEqual([]);
    w.dispose();
  });

  it('a peer redirect into a netkit pair skips the primary\'s egress and its netkit/primary program', () => {
    const p = find('pod-b', 'pod-a');
    expect(p.verdict).toBe('delivered');
    expect(hops(p)).toEqual(['eth0@pod-b:egress', 'nk-b@host:ingress', 'eth0@pod-a:ingress']);
  });
});
