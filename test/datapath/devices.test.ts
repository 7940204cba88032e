// Every device kind in both roles, with the kernel stages of datapath.md §2, and how the packet
// reached each hop (`via`).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Hop, PathResult } from '../../server/src/datapath/path';
import { walkAll } from '../../server/src/datapath/walk';
import type { Topology } from '../../server/src/topology/model';
import { parseTopology } from '../../server/src/topology/parse';

const CASES = '/work/shared/acceptance/cases';

function topo(text: string, file = '/work/lab/t.topo'): Topology {
  const { topology, diagnostics } = parseTopology(text, file);
  expect(diagnostics).toEqual([]);
  return topology;
}
const acceptance = (name: string) => topo(fs.readFileSync(`${CASES}/${name}`, 'utf8'), `${CASES}/${name}`);
const hops = (r: PathResult) => r.hops.map((h) => `${h.dev}:${h.role}`);
const vias = (r: PathResult) => r.hops.map((h) => h.via);

// The stages, spelled out here so that a change in the engine's lists shows up as a failure.
const LOCAL_OUT = ['ip_route_output_flow', 'ip_local_out', 'ip_output', 'ip_finish_output2', 'neigh_output', 'dev_queue_xmit'];
const FORWARD_OUT = ['ip_forward_finish', 'ip_output', 'ip_finish_output2', 'neigh_output', 'dev_queue_xmit'];
const EGRESS_HOOK = ['__dev_queue_xmit', 'nf_hook_egress', 'sch_handle_egress'];
const NIC_XMIT = ['__dev_xmit_skb', 'sch_direct_xmit', 'dev_hard_start_xmit', 'ndo_start_xmit'];
const VETH_XMIT = ['dev_hard_start_xmit', 'veth_xmit', 'veth_forward_skb', '__dev_forward_skb', '__netif_rx', 'enqueue_to_backlog'];
const NIC_RX = ['napi_schedule', 'net_rx_action', 'napi_poll', 'napi_gro_receive', 'netif_receive_skb', '__netif_receive_skb_core'];
const BACKLOG_RX = ['net_rx_action', 'process_backlog', '__netif_receive_skb_core'];
const IP_IN = ['ip_rcv', 'ip_rcv_core', 'ip_rcv_finish', 'ip_route_input_noref'];
const DELIVER_ICMP = ['ip_local_deliver', 'ip_local_deliver_finish', 'icmp_rcv'];
const BRIDGE_IN = ['br_handle_frame', 'br_handle_frame_finish', 'br_fdb_find_rcu'];
const BRIDGE_OUT = ['br_forward', '__br_forward', 'br_forward_finish', 'br_dev_queue_push_xmit', 'dev_queue_xmit'];

describe('physical NIC (single-nic.topo)', () => {
  const [toHost, toLaptop] = walkAll(acceptance('single-nic.topo'));

  it('egress: from the local stack to ndo_start_xmit; ingress: from the ring through NAPI to ip_rcv', () => {
    expect([toHost.from, toHost.to, toHost.verdict, toHost.reason]).toEqual(['laptop', 'host', 'delivered', null]);
    expect(hops(toHost)).toEqual(['eth0@laptop:egress', 'eth0@host:ingress']);
    expect(vias(toHost)).toEqual(['stack', 'wire']);
    expect(toHost.hops.map((h) => h.kind)).toEqual(['nic', 'nic']);
    expect(toHost.hops[0].stages).toEqual([...LOCAL_OUT, ...EGRESS_HOOK, ...NIC_XMIT]);
    expect(toHost.hops[1].stages).toEqual([...NIC_RX, 'sch_handle_ingress', ...IP_IN, ...DELIVER_ICMP]);
  });

  it('the same NIC is Ingress one way and Egress the other', () => {
    expect(hops(toLaptop)).toEqual(['eth0@host:egress', 'eth0@laptop:ingress']);
    expect(toLaptop.verdict).toBe('delivered');
  });

  it('fills in the hop fields and the addresses', () => {
    const h: Hop = toHost.hops[0];
    expect(h).toMatchObject({ dev: 'eth0@laptop', name: 'eth0', ns: 'laptop', kind: 'nic', role: 'egress', via: 'stack', hooks: [] });
    expect(h.notes).toEqual(['route: 192.168.1.20/24 dev eth0 (connected)']);
    expect(toHost.srcIp).toBe(0xc0a80114);
    expect(toHost.dstIp).toBe(0xc0a8010a);
    expect(toHost.hops[1].copies).toBeUndefined();
  });

  it('delivers to the socket of the path\'s protocol', () => {
    const t = topo('netns a\nnic eth0@a 10.0.0.1/24\nnic eth0 10.0.0.2/24\nwire eth0@a -- eth0\npath a -> host udp 53\npath a -> host tcp 443');
    const [udp, tcp] = walkAll(t);
    expect(udp.hops[1].stages.slice(-3)).toEqual(['ip_local_deliver', 'ip_local_deliver_finish', 'udp_rcv']);
    expect(tcp.hops[1].stages.slice(-3)).toEqual(['ip_local_deliver', 'ip_local_deliver_finish', 'tcp_v4_rcv']);
  });
});

describe('veth (veth-pair.topo)', () => {
  const [lr, rl] = walkAll(acceptance('veth-pair.topo'));

  it('egress ends in veth_xmit + enqueue_to_backlog; the peer\'s ingress starts at process_backlog', () => {
    expect(hops(lr)).toEqual(['veth_left@left:egress', 'veth_right@right:ingress']);
    expect(vias(lr)).toEqual(['stack', 'veth']);
    expect(lr.hops.map((h) => h.kind)).toEqual(['veth', 'veth']);
    expect(lr.hops[0].stages).toEqual([...LOCAL_OUT, ...EGRESS_HOOK, ...VETH_XMIT]);
    expect(lr.hops[1].stages).toEqual([...BACKLOG_RX, 'sch_handle_ingress', ...IP_IN, ...DELIVER_ICMP]);
    expect(lr.verdict).toBe('delivered');
  });

  it('and the other way round', () => {
    expect(hops(rl)).toEqual(['veth_right@right:egress', 'veth_left@left:ingress']);
    expect(rl.verdict).toBe('delivered');
  });

  it('with XDP on the peer, veth_xmit hands over to the peer\'s ptr_ring and veth_poll runs it', () => {
    const t = topo('netns a\nnetns b\nveth ea@a 10.0.0.1/24 -- eb@b 10.0.0.2/24\nattach xdp eb@b prog x\npath a -> b');
    const [r] = walkAll(t);
    expect(r.hops[0].stages.slice(-6)).toEqual(['dev_hard_start_xmit', 'veth_xmit', 'veth_forward_skb', 'veth_xdp_rx', 'ptr_ring_produce', 'napi_schedule']);
    expect(r.hops[1].stages.slice(0, 7)).toEqual(['net_rx_action', 'veth_poll', 'veth_xdp_rcv', 'bpf_prog_run_xdp', 'napi_gro_receive', 'netif_receive_skb', '__netif_receive_skb_core']);
    expect(r.hops[1].hooks.map((h) => [h.hook, h.prog, h.result])).toEqual([['xdp', 'x', 'unknown']]);
  });
});

describe('bridge (bridge.topo)', () => {
  const [pods, out] = walkAll(acceptance('bridge.topo'));

  it('port Ingress → br_handle_frame → br_forward → out-port Egress (via bridge) → peer Ingress', () => {
    expect(hops(pods)).toEqual(['eth0@pod1:egress', 'veth1@host:ingress', 'veth2@host:egress', 'eth0@pod2:ingress']);
    expect(vias(pods)).toEqual(['stack', 'veth', 'bridge', 'veth']);
    expect(pods.verdict).toBe('delivered');
    // The port has no role of its own: its hop ends in the bridge, not in ip_rcv.
    expect(pods.hops[1].stages).toEqual([...BACKLOG_RX, 'sch_handle_ingress', ...BRIDGE_IN]);
    expect(pods.hops[2].stages).toEqual([...BRIDGE_OUT, ...EGRESS_HOOK, ...VETH_XMIT]);
    expect(pods.hops[2].notes).toEqual(["cni0's FDB: the destination MAC is behind port veth2"]);
    expect(pods.hops[1].copies).toBeUndefined();
  });

  it('up to the bridge device when the bridge is the gateway (br_pass_frame_up), then routed out of the NIC', () => {
    expect([out.to, out.verdict]).toEqual(['203.0.113.9', 'left']);
    expect(out.reason).toBe('eth0@host has no wire in the model: the packet leaves it');
    expect(hops(out)).toEqual(['eth0@pod1:egress', 'veth1@host:ingress', 'cni0@host:ingress', 'eth0@host:egress']);
    expect(vias(out)).toEqual(['stack', 'veth', 'up', 'stack']);
    expect(out.hops[2].kind).toBe('bridge');
    expect(out.hops[2].stages).toEqual(['br_pass_frame_up', 'br_netif_receive_skb', 'netif_receive_skb', '__netif_receive_skb_core', 'sch_handle_ingress', ...IP_IN, 'ip_forward']);
    expect(out.hops[1].notes).toEqual(['the frame is addressed to cni0@host (a local FDB entry): br_pass_frame_up hands it to the bridge device']);
    expect(out.hops[3].stages).toEqual([...FORWARD_OUT, ...EGRESS_HOOK, ...NIC_XMIT]);
  });

  it('the stack sending via the bridge: bridge device Egress (br_dev_xmit), then the out-port', () => {
    const text = fs.readFileSync(`${CASES}/bridge.topo`, 'utf8').replace(/^path .*$/gm, '') + '\npath host -> pod2\nroute 10.9.0.0/16 via 10.244.1.3 dev cni0\npath host -> 10.9.1.1';
    const [direct, viaGw] = walkAll(topo(text));
    expect(hops(direct)).toEqual(['cni0@host:egress', 'veth2@host:egress', 'eth0@pod2:ingress']);
    expect(vias(direct)).toEqual(['stack', 'bridge', 'veth']);
    expect(direct.hops[0].stages).toEqual([...LOCAL_OUT, ...EGRESS_HOOK, 'dev_hard_start_xmit', 'br_dev_xmit', 'br_fdb_find_rcu']);
    expect(direct.hops[1].stages).toEqual([...BRIDGE_OUT, ...EGRESS_HOOK, ...VETH_XMIT]);
    expect(direct.verdict).toBe('delivered');
    // pod2 does not forward: a packet for 10.9.1.1 sent to its MAC is dropped there.
    expect(hops(viaGw)).toEqual(['cni0@host:egress', 'veth2@host:egress', 'eth0@pod2:ingress']);
    expect(viaGw.verdict).toBe('dropped');
    expect(viaGw.reason).toContain('forwarding disabled in namespace "pod2"');
  });

  it('floods an unknown destination: copies to the other ports, the path follows the one that leads on', () => {
    const t = topo([
      'netns pod1', 'netns pod2', 'netns pod3',
      'veth eth0@pod1 10.244.1.2/24 -- veth1',
      'veth eth0@pod2 10.244.1.3/24 -- veth2',
      'veth eth0@pod3 10.244.1.4/24 -- veth3',
      'nic uplink',
      'bridge br0 10.244.1.1/24 ports veth1 veth2 uplink veth3',
      'path pod1 -> 10.244.1.50',
    ].join('\n'));
    const [r] = walkAll(t);
    expect(hops(r)).toEqual(['eth0@pod1:egress', 'veth1@host:ingress', 'uplink@host:egress']);
    expect(vias(r)).toEqual(['stack', 'veth', 'bridge']);
    expect(r.hops[0].notes).toContain('the next hop is outside the model; its MAC is assumed resolved');
    expect(r.hops[1].copies).toEqual(['veth2@host', 'veth3@host']);
    expect(r.hops[2].stages).toEqual(['br_flood', 'maybe_deliver', '__br_forward', 'br_forward_finish', 'br_dev_queue_push_xmit', 'dev_queue_xmit', ...EGRESS_HOOK, ...NIC_XMIT]);
    expect(r.hops[2].notes).toEqual(['br0 floods the frame (unknown destination); this copy leads on']);
    expect(r.verdict).toBe('left');
  });
});

describe('netkit', () => {
  const text = [
    'netns pod',
    'netkit nk0 10.0.0.1/24 -- nk1@pod 10.0.0.2/24',
    'attach netkit-primary nk0 prog to_pod',
    'attach netkit-peer nk0 prog from_pod',
    'path host -> pod',
    'path pod -> host',
  ].join('\n');
  const [down, up] = walkAll(topo(text));
  const NETKIT_XMIT = ['dev_hard_start_xmit', 'netkit_xmit', 'netkit_run', '__netif_rx', 'enqueue_to_backlog'];

  it('primary Egress runs netkit_xmit with the primary program; the peer plays Ingress from the backlog (L3: no ARP)', () => {
    expect(hops(down)).toEqual(['nk0@host:egress', 'nk1@pod:ingress']);
    expect(vias(down)).toEqual(['stack', 'netkit']);
    expect(down.hops.map((h) => h.kind)).toEqual(['netkit', 'netkit']);
    expect(down.hops[0].stages).toEqual([...LOCAL_OUT, ...EGRESS_HOOK, ...NETKIT_XMIT]);
    expect(down.hops[0].hooks.map((h) => [h.hook, h.prog])).toEqual([['netkit-primary', 'to_pod']]);
    expect(down.hops[0].notes).toContain('netkit in L3 mode has no MAC addresses: no ARP');
    expect(down.hops[1].stages).toEqual([...BACKLOG_RX, 'sch_handle_ingress', ...IP_IN, ...DELIVER_ICMP]);
    expect(down.hops[1].hooks).toEqual([]);
    expect(down.verdict).toBe('delivered');
  });

  it('peer Egress runs the netkit-peer program (attached through the primary); the primary plays Ingress', () => {
    expect(hops(up)).toEqual(['nk1@pod:egress', 'nk0@host:ingress']);
    expect(up.hops[0].hooks.map((h) => [h.hook, h.prog])).toEqual([['netkit-peer', 'from_pod']]);
    expect(up.hops[0].stages).toEqual([...LOCAL_OUT, ...EGRESS_HOOK, ...NETKIT_XMIT]);
    expect(up.verdict).toBe('delivered');
  });

  it('mode l2: ARP crosses the pair and the peer accepts its own MAC', () => {
    const [r] = walkAll(topo('netns pod\nnetkit nk0 10.0.0.1/24 -- nk1@pod 10.0.0.2/24 mode l2\npath host -> pod'));
    expect(hops(r)).toEqual(['nk0@host:egress', 'nk1@pod:ingress']);
    expect(r.verdict).toBe('delivered');
  });
});

describe('XDP on a NIC', () => {
  const text = 'netns laptop\nnic eth0@laptop 192.168.1.20/24\nnic eth0 192.168.1.10/24\nwire eth0@laptop -- eth0\n';

  it('native XDP runs in the NAPI poll, before the skb exists', () => {
    const [r] = walkAll(topo(text + 'attach xdp eth0 prog fw\npath laptop -> host'));
    expect(r.hops[1].stages).toEqual(['napi_schedule', 'net_rx_action', 'napi_poll', 'bpf_prog_run_xdp', 'napi_gro_receive', 'netif_receive_skb', '__netif_receive_skb_core', 'sch_handle_ingress', ...IP_IN, ...DELIVER_ICMP]);
    expect(r.hops[1].hooks.map((h) => [h.hook, h.prog, h.result])).toEqual([['xdp', 'fw', 'unknown']]);
  });

  it('generic XDP runs in __netif_receive_skb_core, before tc ingress', () => {
    const [r] = walkAll(topo(text + 'attach tc-ingress eth0 prog t\nattach xdp-generic eth0 prog g\npath laptop -> host'));
    expect(r.hops[1].stages).toEqual([...NIC_RX, 'do_xdp_generic', 'sch_handle_ingress', ...IP_IN, ...DELIVER_ICMP]);
    expect(r.hops[1].hooks.map((h) => h.hook)).toEqual(['xdp-generic', 'tc-ingress']);
  });

  it('an XDP program at the sender\'s NIC does not run on its egress', () => {
    const [r] = walkAll(topo(text + 'attach xdp eth0@laptop prog fw\nattach tc-egress eth0@laptop prog eg\npath laptop -> host'));
    expect(r.hops[0].hooks.map((h) => h.prog)).toEqual(['eg']);
  });
});
