// Path semantics (topology-dsl.md "Semantics"): routing across namespaces, forwarding, missing
// routes, loops, leaving the model, proxy ARP, local delivery and where a path starts.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PathResult } from '../../server/src/datapath/path';
import { MAX_HOPS, Walker, walkAll } from '../../server/src/datapath/walk';
import type { Topology } from '../../server/src/topology/model';
import { parseTopology } from '../../server/src/topology/parse';
import { resolvePathStatement } from '../../server/src/topology/resolve';
import { parseStatements, type Statement } from '../../server/src/topology/syntax';

const CASES = '/work/shared/acceptance/cases';

function topo(text: string, file = '/work/lab/t.topo'): Topology {
  const { topology, diagnostics } = parseTopology(text, file);
  expect(diagnostics).toEqual([]);
  return topology;
}
const acceptance = (name: string) => topo(fs.readFileSync(`${CASES}/${name}`, 'utf8'), `${CASES}/${name}`);
const hops = (r: PathResult) => r.hops.map((h) => `${h.dev}:${h.role}`);
const walk1 = (text: string) => walkAll(topo(text))[0];

/**
 * n0 — n1 — … — nK joined by veth pairs (link i: 10.i.0.1 in ni, 10.i.0.2 in n(i+1)); every namespace
 * but the ends forwards; default routes point right (the last one's left), /24 routes lead back.
 */
function chain(k: number, opts: { forwarding?: (i: number) => boolean; routes?: boolean } = {}): string {
  const fwd = opts.forwarding ?? ((i: number) => i > 0 && i < k);
  const lines: string[] = [];
  for (let i = 0; i <= k; i++) lines.push(`netns n${i}${fwd(i) ? ' forwarding' : ''}`);
  for (let i = 0; i < k; i++) lines.push(`veth r${i}@n${i} 10.${i}.0.1/24 -- l${i + 1}@n${i + 1} 10.${i}.0.2/24`);
  if (opts.routes !== false) {
    for (let i = 0; i < k; i++) lines.push(`route @n${i} default via 10.${i}.0.2`);
    lines.push(`route @n${k} default via 10.${k - 1}.0.1`);
    for (let i = 2; i < k; i++) for (let j = 0; j < i - 1; j++) lines.push(`route @n${i} 10.${j}.0.0/24 via 10.${i - 1}.0.1`);
  }
  return lines.join('\n');
}

describe('multi-hop routing', () => {
  it('crosses a chain of forwarding namespaces, each hop Egress then Ingress', () => {
    const r = walk1(chain(3) + '\npath n0 -> n3');
    expect(r.verdict).toBe('delivered');
    expect(hops(r)).toEqual([
      'r0@n0:egress', 'l1@n1:ingress', 'r1@n1:egress', 'l2@n2:ingress', 'r2@n2:egress', 'l3@n3:ingress',
    ]);
    expect(r.hops.map((h) => h.via)).toEqual(['stack', 'veth', 'stack', 'veth', 'stack', 'veth']);
    expect(r.hops[1].stages.at(-1)).toBe('ip_forward');
    expect(r.hops[2].stages.slice(0, 5)).toEqual(['ip_forward_finish', 'ip_output', 'ip_finish_output2', 'neigh_output', 'dev_queue_xmit']);
    expect(r.hops[2].notes).toEqual(['route in "n1": default via 10.1.0.2']);
    expect(r.hops[5].stages.slice(-3)).toEqual(['ip_local_deliver', 'ip_local_deliver_finish', 'icmp_rcv']);
    expect(r.srcIp).toBe(0x0a000001);
    expect(r.dstIp).toBe(0x0a020002);
  });

  it('comes back the same way', () => {
    const r = walk1(chain(3) + '\npath n3 -> n0');
    expect(hops(r)).toEqual(['l3@n3:egress', 'r2@n2:ingress', 'l2@n2:egress', 'r1@n1:ingress', 'l1@n1:egress', 'r0@n0:ingress']);
    expect(r.verdict).toBe('delivered');
  });

  it('host-gw (acceptance): pod → node1 → wire → node2 → pod, proxy ARP on the host-side veth', () => {
    const [r] = walkAll(acceptance('host-gw.topo'));
    expect(hops(r)).toEqual(['eth0@pod1:egress', 'veth1@node1:ingress', 'eth0@node1:egress', 'eth0@node2:ingress', 'veth1@node2:egress', 'eth0@pod2:ingress']);
    expect(r.hops.map((h) => h.via)).toEqual(['stack', 'veth', 'stack', 'wire', 'stack', 'veth']);
    expect(r.verdict).toBe('delivered');
    expect(r.hops[0].notes).toEqual([
      'route: default dev eth0',
      'veth1@node1 answers ARP for the destination by proxy ARP (forwarding on, route via eth0@node1)',
    ]);
    expect(r.hops[2].notes).toEqual(['route in "node1": 10.244.2.0/24 via 192.168.1.11 dev eth0']);
  });

  it('proxy ARP needs forwarding on the host side: without it nobody answers ARP for a `default dev eth0` pod', () => {
    const text = fs.readFileSync(`${CASES}/host-gw.topo`, 'utf8').replace('netns node1 forwarding', 'netns node1');
    const [r] = walkAll(topo(text));
    expect(r.verdict).toBe('dropped');
    expect(hops(r)).toEqual(['eth0@pod1:egress']);
    expect(r.hops[0].stages).toEqual(['ip_route_output_flow', 'ip_local_out', 'ip_output', 'ip_finish_output2', 'neigh_resolve_output']);
    expect(r.reason).toBe("no device answers ARP for 10.244.2.2 on eth0@pod1's segment: the neighbour stays unresolved and the packet is dropped");
  });
});

describe('drops', () => {
  it('forwarding off in the middle namespace (no-forwarding.topo)', () => {
    const [r] = walkAll(acceptance('no-forwarding.topo'));
    expect(r.verdict).toBe('dropped');
    expect(hops(r)).toEqual(['ea@a:egress', 'ma@mid:ingress']);
    expect(r.reason).toBe('forwarding disabled in namespace "mid" (net.ipv4.ip_forward=0): 10.2.0.2 is not local and ip_route_input_slow refuses to forward it');
    expect(r.hops[1].stages.slice(-4)).toEqual(['ip_rcv', 'ip_rcv_core', 'ip_rcv_finish', 'ip_route_input_noref']);
  });

  it('forwarding off two namespaces down the chain', () => {
    const r = walk1(chain(4, { forwarding: (i) => i === 1 }) + '\npath n0 -> n4');
    expect(hops(r)).toEqual(['r0@n0:egress', 'l1@n1:ingress', 'r1@n1:egress', 'l2@n2:ingress']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toContain('forwarding disabled in namespace "n2"');
  });

  it('no route at the start: no hops', () => {
    const r = walk1('netns a\nnic eth0@a 10.0.0.1/24\npath a -> 10.9.9.9');
    expect(r.verdict).toBe('dropped');
    expect(r.hops).toEqual([]);
    expect(r.reason).toBe('no route to 10.9.9.9 in namespace "a" (ip_route_output_flow returns -ENETUNREACH)');
  });

  it('no route in the middle: dropped at the forwarding namespace\'s ingress', () => {
    const text = chain(2).replace('route @n1 default via 10.1.0.2', '') + '\npath n0 -> 10.77.0.1';
    const r = walk1(text);
    expect(hops(r)).toEqual(['r0@n0:egress', 'l1@n1:ingress']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toBe('no route to 10.77.0.1 in namespace "n1": ip_route_input_slow finds none (ICMP unreachable)');
  });

  it('a namespace with nothing to send to, and a source address nobody has', () => {
    const t = topo('netns a\nnetns empty\nnic eth0@a 10.0.0.1/24\npath a -> empty\npath 10.5.5.5 -> a');
    const [noAddr, noSrc] = walkAll(t);
    expect([noAddr.verdict, noAddr.hops, noAddr.reason]).toEqual(['dropped', [], 'namespace "empty" has no address to send to']);
    expect(noSrc.verdict).toBe('dropped');
    expect(noSrc.reason).toContain('no device has the address 10.5.5.5');
  });
});

describe('loops', () => {
  it('two namespaces whose routes point at each other for an address neither owns', () => {
    const r = walk1([
      'netns a forwarding', 'netns b forwarding',
      'veth ea@a 10.0.0.1/24 -- eb@b 10.0.0.2/24',
      'route @a 10.9.0.0/16 via 10.0.0.2',
      'route @b 10.9.0.0/16 via 10.0.0.1',
      'path a -> 10.9.0.1',
    ].join('\n'));
    expect(r.verdict).toBe('loop');
    expect(hops(r)).toEqual(['ea@a:egress', 'eb@b:ingress', 'eb@b:egress', 'ea@a:ingress']);
    expect(r.reason).toBe('the packet comes back to ea@a as egress unchanged: a loop');
  });

  it(`stops after ${MAX_HOPS} hops`, () => {
    expect(MAX_HOPS).toBe(64);
    // 33 links: 66 hops to the end, all distinct.
    const r = walk1(chain(33) + '\npath n0 -> n33');
    expect(r.verdict).toBe('loop');
    expect(r.hops).toHaveLength(64);
    expect(r.reason).toBe('more than 64 hops');
    expect(hops(r).at(-1)).toBe('l32@n32:ingress');
    // 32 links (64 hops) still arrive.
    const ok = walk1(chain(32) + '\npath n0 -> n32');
    expect([ok.verdict, ok.hops.length]).toEqual(['delivered', 64]);
  });
});

describe('where a path starts and ends', () => {
  const pair = 'netns left\nnetns right\nveth vl@left 10.0.0.1/24 -- vr@right 10.0.0.2/24\nnic eth0 192.168.0.1/24\n';

  it('a NIC without a wire: the packet leaves the model', () => {
    const r = walk1('nic eth0 192.168.1.10/24\nroute default via 192.168.1.1\npath host -> 8.8.8.8');
    expect(r.verdict).toBe('left');
    expect(hops(r)).toEqual(['eth0@host:egress']);
    expect(r.reason).toBe('eth0@host has no wire in the model: the packet leaves it');
    expect(r.hops[0].notes).toEqual(['route: default via 192.168.1.1', 'the next hop is outside the model; its MAC is assumed resolved']);
  });

  it('to an address of the sending namespace: delivered, no device crossed', () => {
    const r = walk1(pair + 'path left -> 10.0.0.1');
    expect(r.verdict).toBe('delivered');
    expect(r.hops).toEqual([]);
    expect(r.reason).toBe('10.0.0.1 is an address of namespace "left": delivered over loopback, no device is crossed');
  });

  it('from an IP: starts in the namespace that owns it, with that source address', () => {
    const r = walk1(pair + 'path 10.0.0.2 -> 10.0.0.1');
    expect(hops(r)).toEqual(['vr@right:egress', 'vl@left:ingress']);
    expect(r.srcIp).toBe(0x0a000002);
    expect([r.from, r.to, r.verdict]).toEqual(['10.0.0.2', '10.0.0.1', 'delivered']);
  });

  it('from a device: sent bound to that device, even when the routes would pick another', () => {
    const t = topo(pair + 'nic eth1@left 10.1.0.1/24\nroute @left default dev eth1\npath vl@left -> 10.0.0.2\npath left -> 10.0.0.2');
    const [bound, routed] = walkAll(t);
    expect(hops(bound)).toEqual(['vl@left:egress', 'vr@right:ingress']);
    expect(bound.hops[0].notes[0]).toBe('route: bound to vl');
    expect(bound.verdict).toBe('delivered');
    expect(hops(routed)).toEqual(['vl@left:egress', 'vr@right:ingress']);
  });

  it('to a device: its first address', () => {
    const r = walk1(pair + 'path left -> vr@right');
    expect(r.dstIp).toBe(0x0a000002);
    expect(hops(r)).toEqual(['vl@left:egress', 'vr@right:ingress']);
  });

  it('to a namespace: the address of its first device that has one, bridge ports left out', () => {
    const t = topo('netns p\nnetns q\nveth a@p 10.0.0.1/24 -- b@q\nnic c@q 10.0.0.2/24\npath p -> q');
    expect(walkAll(t)[0].dstIp).toBe(0x0a000002);
  });

  it('--from/--to through resolvePathStatement, walked by the same Walker', () => {
    const t = acceptance('veth-pair.topo');
    const st = parseStatements('path 10.0.0.2 -> veth_left@left', '<command line>').statements[0] as Extract<Statement, { kind: 'path' }>;
    const { spec, diagnostics } = resolvePathStatement(t, st);
    expect(diagnostics).toEqual([]);
    const r = new Walker(t).walk(spec!);
    expect(hops(r)).toEqual(['veth_right@right:egress', 'veth_left@left:ingress']);
    expect([r.from, r.to, r.verdict]).toEqual(['10.0.0.2', 'veth_left@left', 'delivered']);
    // The file's own paths are untouched.
    expect(t.paths.map((p) => `${p.from.text}->${p.to.text}`)).toEqual(['left->right', 'right->left']);
  });

  it('walkAll walks every path statement in order', () => {
    const results = walkAll(acceptance('veth-pair.topo'));
    expect(results.map((r) => [r.from, r.to, r.verdict])).toEqual([['left', 'right', 'delivered'], ['right', 'left', 'delivered']]);
  });
});

describe('routing table', () => {
  it('longest prefix wins; a gateway without dev leaves through the device that reaches it', () => {
    const t = topo([
      'nic eth0 10.0.0.1/24', 'nic eth1 10.1.0.1/24',
      'route 10.9.0.0/16 via 10.0.0.254',
      'route 10.9.9.0/24 via 10.1.0.254',
    ].join('\n'));
    const w = new Walker(t);
    expect(w.fib.lookup('host', 0x0a090101)).toMatchObject({ dev: 'eth0@host', nextHop: 0x0a0000fe, gateway: true });
    expect(w.fib.lookup('host', 0x0a090901)).toMatchObject({ dev: 'eth1@host', nextHop: 0x0a0100fe, gateway: true });
    expect(w.fib.lookup('host', 0x0a000005)).toMatchObject({ dev: 'eth0@host', nextHop: 0x0a000005, gateway: false, text: '10.0.0.1/24 dev eth0 (connected)' });
    expect(w.fib.lookup('host', 0x0b000001)).toBeUndefined();
    expect(w.fib.isLocal('host', 0x0a010001)).toBe(true);
    expect(w.fib.isLocal('host', 0x0a010002)).toBe(false);
  });
});
