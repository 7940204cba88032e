// eBPF programs on the path: the default unknown effect, and small fake ProgramEffects for drops,
// redirects of every kind (datapath.md §3), the L2 rule after a redirect, and chain order.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  unknownEffects,
  type PathResult, type ProgramContext, type ProgramEffects, type ProgramOutcome, type RedirectKind,
} from '../../server/src/datapath/path';
import { Walker, walkAll } from '../../server/src/datapath/walk';
import type { Topology } from '../../server/src/topology/model';
import { parseTopology } from '../../server/src/topology/parse';

const CASES = '/work/shared/acceptance/cases';

function topo(text: string): Topology {
  const { topology, diagnostics } = parseTopology(text, `${CASES}/t.topo`);
  expect(diagnostics).toEqual([]);
  return topology;
}
const hops = (r: PathResult) => r.hops.map((h) => `${h.dev}:${h.role}`);
const ran = (r: PathResult) => r.hops.map((h) => h.hooks.map((k) => `${k.prog}=${k.result}`).join(','));

/** A fake C analysis: each program name maps to an outcome (or a function of the context); calls are logged. */
function fake(table: Record<string, ProgramOutcome | ((c: ProgramContext) => ProgramOutcome)>): ProgramEffects & { calls: ProgramContext[] } {
  const calls: ProgramContext[] = [];
  return {
    calls,
    outcome(c) {
      calls.push(c);
      const o = table[c.attachment.prog];
      if (!o) return { action: 'unknown', result: 'unknown' };
      return typeof o === 'function' ? o(c) : o;
    },
  };
}

type Redirect = Extract<ProgramOutcome, { action: 'redirect' }>;
const redirect = (kind: RedirectKind, target: string | undefined, more: Partial<Redirect> = {}): Redirect => ({
  action: 'redirect', result: kind.startsWith('xdp') || kind === 'map' ? 'XDP_REDIRECT' : 'TC_ACT_REDIRECT',
  helper: kind === 'peer' ? 'bpf_redirect_peer' : kind === 'neigh' ? 'bpf_redirect_neigh' : 'bpf_redirect',
  kind, rewritesL2: false, ...(target ? { target } : {}), ...more,
});
const PASS: ProgramOutcome = { action: 'pass', result: 'TC_ACT_OK' };
const SHOT: ProgramOutcome = { action: 'drop', result: 'TC_ACT_SHOT', reason: 'the program returns TC_ACT_SHOT' };

// Two pods on /32 addresses behind host-side veths; the host routes (redirect-*.topo without the attach).
const PODS = [
  'netns pod-a', 'netns pod-b',
  'veth eth0@pod-a 10.0.1.10/32 -- lxc-a', 'veth eth0@pod-b 10.0.1.20/32 -- lxc-b',
  'route @pod-a default dev eth0', 'route @pod-b default dev eth0',
  'route 10.0.1.10/32 dev lxc-a', 'route 10.0.1.20/32 dev lxc-b',
  'path pod-a -> pod-b',
].join('\n') + '\n';
function walkPods(attach: string, effects: ProgramEffects = unknownEffects): PathResult {
  const t = topo(PODS + attach);
  return new Walker(t, effects).walk(t.paths[0]);
}

describe('default effects (no C analysis)', () => {
  it('an attached program shows up with result unknown and the packet goes on', () => {
    const [r] = walkAll(topo(fs.readFileSync(`${CASES}/redirect-peer.topo`, 'utf8')));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.verdict).toBe('delivered');
    const h = r.hops[1].hooks;
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ hook: 'tc-ingress', prog: 'to_pod_peer', file: 'lxc.bpf.c', result: 'unknown', outcome: { action: 'unknown' } });
    expect(h[0].attachment.redirectTo).toBe('lxc-b@host');
  });

  it('every hook kind of a device runs where its role says', () => {
    const r = walkPods([
      'attach tc-egress eth0@pod-a prog a_out',
      'attach tc-ingress lxc-a prog a_in',
      'attach tc-egress lxc-a prog a_wrong',
      'attach tcx-egress lxc-b prog b_out',
      'attach xdp eth0@pod-b prog b_xdp',
      'attach tcx-ingress eth0@pod-b prog b_in',
    ].join('\n'));
    expect(ran(r)).toEqual(['a_out=unknown', 'a_in=unknown', 'b_out=unknown', 'b_xdp=unknown,b_in=unknown']);
    expect(r.verdict).toBe('delivered');
  });

  it('passes the program its device, role and addresses', () => {
    const fx = fake({});
    walkPods('attach tc-ingress lxc-a prog p\nattach tc-egress lxc-b prog q', fx);
    expect(fx.calls.map((c) => [c.attachment.prog, c.dev, c.role, c.srcIp, c.dstIp])).toEqual([
      ['p', 'lxc-a@host', 'ingress', 0x0a00010a, 0x0a000114],
      ['q', 'lxc-b@host', 'egress', 0x0a00010a, 0x0a000114],
    ]);
  });
});

describe('drop', () => {
  it('ends the path at the hop, with the program\'s reason', () => {
    const fx = fake({ p: SHOT });
    const r = walkPods('attach tc-ingress lxc-a prog p\nattach tc-egress lxc-b prog later', fx);
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress']);
    expect([r.verdict, r.reason]).toEqual(['dropped', 'the program returns TC_ACT_SHOT']);
    expect(r.hops[1].stages.at(-1)).toBe('sch_handle_ingress');
    expect(fx.calls.map((c) => c.attachment.prog)).toEqual(['p']);
  });

  it('at tc egress and in XDP', () => {
    const eg = walkPods('attach tc-egress eth0@pod-a prog p', fake({ p: SHOT }));
    expect([hops(eg), eg.verdict]).toEqual([['eth0@pod-a:egress'], 'dropped']);
    expect(eg.hops[0].stages.at(-1)).toBe('sch_handle_egress');
    const xdp = walkPods('attach xdp lxc-a prog x', fake({ x: { action: 'drop', result: 'XDP_DROP', reason: 'XDP_DROP' } }));
    expect([hops(xdp), xdp.verdict, xdp.reason]).toEqual([['eth0@pod-a:egress', 'lxc-a@host:ingress'], 'dropped', 'XDP_DROP']);
  });
});

describe('redirects at tc ingress of the sender\'s host-side veth', () => {
  it('bpf_redirect(lxc_b, 0) without readdressing: lxc-b Egress, pod-b drops the stale frame (ip_rcv_core)', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('egress', 'lxc-b@host', { targetHow: 'redirect-to' }) }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.hops.map((h) => h.via)).toEqual(['stack', 'veth', 'redirect', 'veth']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toBe("the frame is addressed to lxc-a@host's MAC, not to eth0@pod-b: eth_type_trans sets PACKET_OTHERHOST and ip_rcv_core drops it (rewrite h_dest, or use bpf_redirect_neigh / bpf_redirect_peer)");
    expect(r.hops[1].stages.slice(-4)).toEqual(['sch_handle_ingress', 'skb_do_redirect', '__bpf_redirect', '__bpf_tx_skb']);
    expect(r.hops[1].notes).toContain('bpf_redirect → lxc-b@host (redirect-to)');
    // Routing of the host is skipped: no ip_rcv on lxc-a, no ip_forward.
    expect(r.hops[1].stages).not.toContain('ip_rcv');
    expect(r.hops[2].stages.slice(0, 4)).toEqual(['dev_queue_xmit', '__dev_queue_xmit', 'nf_hook_egress', 'sch_handle_egress']);
    expect(r.hops[3].stages.slice(-2)).toEqual(['ip_rcv', 'ip_rcv_core']);
  });

  it('the same redirect after rewriting h_dest: delivered', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('egress', 'lxc-b@host', { rewritesL2: true }) }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.verdict).toBe('delivered');
  });

  it('bpf_redirect_neigh: the neighbour subsystem readdresses, delivered', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('neigh', 'lxc-b@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.hops[1].stages.slice(-4)).toEqual(['skb_do_redirect', '__bpf_redirect_neigh', 'bpf_out_neigh_v4', 'neigh_output']);
    expect(r.verdict).toBe('delivered');
  });

  it('BPF_F_INGRESS into the destination\'s host-side veth: lxc-b plays Ingress and drops the frame', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('ingress', 'lxc-b@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:ingress']);
    expect(r.hops[2].via).toBe('redirect');
    expect(r.hops[1].stages.slice(-6)).toEqual(['skb_do_redirect', '__bpf_redirect', '__bpf_rx_skb', 'dev_forward_skb', '__netif_rx', 'enqueue_to_backlog']);
    expect(r.hops[2].stages).toEqual(['net_rx_action', 'process_backlog', '__netif_receive_skb_core', 'sch_handle_ingress', 'ip_rcv', 'ip_rcv_core']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toContain('not to lxc-b@host');
  });

  it('bpf_redirect_peer from tc ingress: straight into pod-b\'s eth0, no backlog', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('peer', 'lxc-b@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress']);
    expect(r.hops.map((h) => h.via)).toEqual(['stack', 'veth', 'peer-redirect']);
    expect(r.verdict).toBe('delivered');
    expect(r.hops[1].stages.slice(-3)).toEqual(['sch_handle_ingress', 'skb_do_redirect', 'ndo_get_peer_dev']);
    for (const h of r.hops.slice(1)) {
      expect(h.stages).not.toContain('enqueue_to_backlog');
    }
    expect(r.hops[2].stages).not.toContain('process_backlog');
    expect(r.hops[2].stages[0]).toBe('__netif_receive_skb_core');
    expect(r.hops[2].notes).toEqual(['peer redirect from lxc-a@host: no backlog queue, no second softirq']);
  });

  it('bpf_redirect_peer works from tcx ingress too', () => {
    const r = walkPods('attach tcx-ingress lxc-a prog p', fake({ p: redirect('peer', 'lxc-b@host') }));
    expect([hops(r).at(-1), r.verdict]).toEqual(['eth0@pod-b:ingress', 'delivered']);
  });

  it('a peer redirect from an XDP hook (ingress, but not tc) is dropped', () => {
    for (const hook of ['xdp', 'xdp-generic']) {
      const r = walkPods(`attach ${hook} lxc-a prog p`, fake({ p: redirect('peer', 'lxc-b@host') }));
      expect([hops(r), r.verdict]).toEqual([['eth0@pod-a:egress', 'lxc-a@host:ingress'], 'dropped']);
      expect(r.reason).toContain(`bpf_redirect_peer from ${hook}:`);
    }
  });

  it('bpf_redirect_peer to a device without a peer (a NIC) is dropped', () => {
    const r = walkPods('nic eth9\nattach tc-ingress lxc-a prog p', fake({ p: redirect('peer', 'eth9@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toBe('bpf_redirect_peer to eth9@host: a nic has no peer device (ndo_get_peer_dev), so skb_do_redirect drops the packet');
  });

  it('bpf_redirect_peer to a pair whose peer is in the same namespace is dropped', () => {
    const r = walkPods('veth x0 -- x1\nattach tc-ingress lxc-a prog p', fake({ p: redirect('peer', 'x0@host') }));
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toContain('its peer x1@host is in the same namespace as lxc-a@host');
  });

  it('a target computed at run time: the device the namespace\'s routes pick', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('egress', undefined, { rewritesL2: true }) }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.hops[1].notes.at(-1)).toBe('bpf_redirect → lxc-b@host (the target is computed at run time; assumed to be lxc-b@host, the device the routes of "host" pick for 10.0.1.20)');
    expect(r.verdict).toBe('delivered');
  });

  it('a target in another namespace, or not in the topology: dropped', () => {
    const other = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('egress', 'eth0@pod-b') }));
    expect([hops(other), other.verdict]).toEqual([['eth0@pod-a:egress', 'lxc-a@host:ingress'], 'dropped']);
    expect(other.reason).toBe('bpf_redirect names eth0@pod-b, but skb_do_redirect looks the ifindex up in namespace "host" only: dropped');
    const missing = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('egress', 'nope@host') }));
    expect(missing.verdict).toBe('dropped');
    expect(missing.reason).toBe('bpf_redirect names nope@host, which is not in the topology');
  });

  it('bpf_redirect(self, 0) at ingress: a hairpin back toward the sender, which drops the frame', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('egress', 'lxc-a@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-a@host:egress', 'eth0@pod-a:ingress']);
    expect(r.verdict).toBe('dropped');
  });

  it('bpf_redirect(self, BPF_F_INGRESS) at ingress: a loop through the backlog', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: redirect('ingress', 'lxc-a@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress']);
    expect(r.verdict).toBe('loop');
    expect(r.reason).toBe("bpf_redirect(lxc-a, BPF_F_INGRESS) at lxc-a@host's own ingress: the packet goes round through the backlog queue");
  });

  it('bpf_clone_redirect: a copy goes, the original follows the routes', () => {
    const r = walkPods('attach tc-ingress lxc-a prog p', fake({ p: { ...redirect('clone-egress', 'lxc-b@host'), helper: 'bpf_clone_redirect', result: 'TC_ACT_OK' } }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.hops[2].via).toBe('stack');
    expect(r.hops[1].notes).toContain('bpf_clone_redirect sent a copy to lxc-b@host; the original goes on');
    expect(r.verdict).toBe('delivered');
  });
});

describe('a model with errors', () => {
  it('a redirect into a pair end left without a peer (its other end was reused) drops instead of crashing', () => {
    const text = 'netns a\nnetns b\nveth x@a 10.0.0.1/24 -- y@b 10.0.0.2/24\nveth x@a -- z@b\nattach tc-ingress y@b prog p\npath a -> b';
    const { topology, diagnostics } = parseTopology(text, '/lab/t.topo');
    expect(diagnostics.map((d) => d.code)).toEqual(['topo-veth-reuse']);
    expect(topology.devices.get('z@b')!.peer).toBeUndefined();
    const r = new Walker(topology, fake({ p: redirect('egress', 'z@b') })).walk(topology.paths[0]);
    expect(hops(r)).toEqual(['x@a:egress', 'y@b:ingress', 'z@b:egress']);
    expect([r.verdict, r.reason]).toEqual(['dropped', 'z@b has no peer in the model (its veth statement has an error)']);
  });
});

describe('redirects at egress', () => {
  it('bpf_redirect_peer at tc egress: dropped', () => {
    const r = walkPods('attach tc-egress lxc-b prog p', fake({ p: redirect('peer', 'lxc-b@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toBe('bpf_redirect_peer from tc-egress: skb_do_redirect drops the packet, because a peer redirect only works from tc ingress (skb_at_tc_ingress)');
    expect(r.hops[2].stages.at(-1)).toBe('skb_do_redirect');
  });

  it('bpf_redirect(self, 0) at egress: dropped by the recursion limit', () => {
    const r = walkPods('attach tc-egress lxc-b prog p', fake({ p: redirect('egress', 'lxc-b@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toBe("bpf_redirect(lxc-b, 0) at lxc-b@host's own egress: dev_xmit_recursion hits its limit and the packet is dropped");
  });

  it('bpf_redirect to another device from egress: that device plays Egress', () => {
    const r = walkPods('attach tc-egress lxc-b prog p', fake({ p: redirect('egress', 'lxc-a@host') }));
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'lxc-a@host:egress', 'eth0@pod-a:ingress']);
    expect(r.hops[3].via).toBe('redirect');
    // The frame still carries pod-b's MAC: pod-a drops it.
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toContain("addressed to eth0@pod-b's MAC, not to eth0@pod-a");
  });

  it('a netkit program cannot peer-redirect (not tc ingress); it can drop', () => {
    const text = 'netns pod\nnetkit nk0 10.0.0.1/24 -- nk1@pod 10.0.0.2/24\nattach netkit-primary nk0 prog p\npath host -> pod\n';
    const t = topo(text);
    const peer = new Walker(t, fake({ p: redirect('peer', 'nk0@host') })).walk(t.paths[0]);
    expect([hops(peer), peer.verdict]).toEqual([['nk0@host:egress'], 'dropped']);
    expect(peer.reason).toContain('bpf_redirect_peer from netkit-primary');
    const drop = new Walker(t, fake({ p: { action: 'drop', result: 'NETKIT_DROP', reason: 'policy drop' } })).walk(t.paths[0]);
    expect([hops(drop), drop.verdict, drop.reason]).toEqual([['nk0@host:egress'], 'dropped', 'policy drop']);
    expect(drop.hops[0].stages.slice(-3)).toEqual(['dev_hard_start_xmit', 'netkit_xmit', 'netkit_run']);
  });
});

describe('XDP redirects', () => {
  const lab = 'netns laptop\nnic eth0@laptop 192.168.1.20/24\nnic eth0 192.168.1.10/24\nwire eth0@laptop -- eth0\nnic eth1\nnetns pod\nveth lxc -- eth0@pod 10.0.0.2/24\npath laptop -> host\n';

  it('into a NIC: target Egress via ndo_xdp_xmit, no tc egress on it', () => {
    const t = topo(lab + 'attach xdp eth0 prog x\nattach tc-egress eth1 prog never');
    const fx = fake({ x: redirect('xdp-egress', 'eth1@host') });
    const r = new Walker(t, fx).walk(t.paths[0]);
    expect(hops(r)).toEqual(['eth0@laptop:egress', 'eth0@host:ingress', 'eth1@host:egress']);
    expect(r.hops[2].via).toBe('xdp-redirect');
    expect(r.hops[2].stages).toEqual(['ndo_xdp_xmit']);
    expect(r.hops[2].hooks).toEqual([]);
    expect(r.verdict).toBe('left');
  });

  it('into a veth whose peer has no XDP program: dropped silently', () => {
    const t = topo(lab + 'attach xdp eth0 prog x');
    const r = new Walker(t, fake({ x: redirect('xdp-egress', 'lxc@host') })).walk(t.paths[0]);
    expect(hops(r)).toEqual(['eth0@laptop:egress', 'eth0@host:ingress', 'lxc@host:egress']);
    expect(r.verdict).toBe('dropped');
    expect(r.reason).toContain('its peer eth0@pod has no XDP program');
  });

  it('into a veth whose peer has one: the peer plays Ingress in veth_poll', () => {
    const t = topo(lab + 'attach xdp eth0 prog x\nattach xdp eth0@pod prog pass');
    const r = new Walker(t, fake({ x: redirect('xdp-egress', 'lxc@host', { rewritesL2: true }), pass: { action: 'pass', result: 'XDP_PASS' } })).walk(t.paths[0]);
    expect(hops(r)).toEqual(['eth0@laptop:egress', 'eth0@host:ingress', 'lxc@host:egress', 'eth0@pod:ingress']);
    expect(r.hops[3].via).toBe('xdp-redirect');
    expect(r.hops[2].stages).toEqual(['veth_ndo_xdp_xmit', 'veth_xdp_xmit']);
    expect(r.hops[3].stages.slice(0, 4)).toEqual(['net_rx_action', 'veth_poll', 'veth_xdp_rcv', 'bpf_prog_run_xdp']);
    expect(r.hops[3].hooks.map((h) => h.prog)).toEqual(['pass']);
  });
});

describe('chain order at one hook', () => {
  const attach = [
    'attach tc-ingress lxc-a prog c_prio5 priority 5',
    'attach tc-ingress lxc-a prog c_plain',
    'attach tc-ingress lxc-a prog c_prio1 priority 1',
    'attach tcx-ingress lxc-a prog x_first',
    'attach tcx-ingress lxc-a prog x_second',
  ].join('\n');

  it('tcx before tc, then lower priority first, then attach order', () => {
    const r = walkPods(attach);
    expect(r.hops[1].hooks.map((h) => `${h.hook}:${h.prog}`)).toEqual([
      'tcx-ingress:x_first', 'tcx-ingress:x_second', 'tc-ingress:c_prio1', 'tc-ingress:c_prio5', 'tc-ingress:c_plain',
    ]);
    expect(new Walker(topo(PODS + attach)).chain('lxc-a@host', ['tcx-ingress', 'tc-ingress']).map((a) => a.prog))
      .toEqual(['x_first', 'x_second', 'c_prio1', 'c_prio5', 'c_plain']);
  });

  it('`next` hands on; a verdict ends the chain', () => {
    const fx = fake({
      x_first: { action: 'next', result: 'TCX_NEXT' },
      x_second: { action: 'next', result: 'TCX_NEXT' },
      c_prio1: { action: 'next', result: 'TC_ACT_UNSPEC' },
      c_prio5: PASS,
    });
    const r = walkPods(attach, fx);
    expect(ran(r)[1]).toBe('x_first=TCX_NEXT,x_second=TCX_NEXT,c_prio1=TC_ACT_UNSPEC,c_prio5=TC_ACT_OK');
    expect(fx.calls.map((c) => c.attachment.prog)).not.toContain('c_plain');
    expect(r.verdict).toBe('delivered');
  });

  it('TCX_PASS skips the classic filters; a drop in the chain stops it', () => {
    const pass = walkPods(attach, fake({ x_first: { action: 'pass', result: 'TCX_PASS' } }));
    expect(ran(pass)[1]).toBe('x_first=TCX_PASS');
    expect(pass.verdict).toBe('delivered');
    const drop = walkPods(attach, fake({ x_second: { action: 'drop', result: 'TCX_DROP', reason: 'dropped by x_second' } }));
    expect(ran(drop)[1]).toBe('x_first=unknown,x_second=TCX_DROP');
    expect([drop.verdict, drop.reason]).toEqual(['dropped', 'dropped by x_second']);
  });

  it('a redirect decides at the program that returns it, later programs do not run', () => {
    const r = walkPods(attach, fake({ c_prio1: redirect('peer', 'lxc-b@host') }));
    expect(ran(r)[1]).toBe('x_first=unknown,x_second=unknown,c_prio1=TC_ACT_REDIRECT');
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress']);
  });

  it('programs on other hooks of the same device do not run for this role', () => {
    const r = walkPods('attach tc-egress lxc-a prog out\nattach tcx-egress lxc-a prog out2\nattach tc-ingress lxc-a prog in');
    expect(ran(r)[1]).toBe('in=unknown');
  });
});
