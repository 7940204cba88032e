// Plain-text explanations of kernel stages, roles and hooks (datapath.md), shared by hovers,
// code lenses, the CLI and the preview. Presentation layers add their own formatting.
import type { DeviceKind, Hook } from '../topology/model';
import type { Role, Via } from './path';

const STAGES: Record<string, string> = {
  ip_route_output_flow: 'route lookup for a locally generated packet (in ip_queue_xmit / ip_make_skb)',
  ip_local_out: 'a local socket\'s packet enters the IP output path (netfilter LOCAL_OUT)',
  ip_output: 'IP output: netfilter POSTROUTING, then ip_finish_output',
  ip_finish_output2: 'picks the neighbour entry for the next hop',
  neigh_output: 'fills the Ethernet header from the neighbour (ARP) entry',
  neigh_resolve_output: 'the neighbour is not resolved yet: ARP is sent and the packet waits',
  dev_queue_xmit: 'hands the skb to the device: the device now plays Egress',
  __dev_queue_xmit: 'the transmit path of the device: egress hooks, then the qdisc',
  nf_hook_egress: 'netfilter egress hook (only when a nftables egress chain exists)',
  sch_handle_egress: 'tc egress: tcx programs first, then classic clsact filters',
  sch_handle_ingress: 'tc ingress: tcx programs first, then classic clsact filters',
  __dev_xmit_skb: 'enqueues into the device\'s qdisc',
  sch_direct_xmit: 'dequeues from the qdisc to the driver',
  dev_hard_start_xmit: 'calls the driver\'s ndo_start_xmit',
  ndo_start_xmit: 'the NIC driver puts the frame on its TX descriptor ring: it leaves on the wire',
  veth_xmit: 'the veth driver\'s transmit: the packet crosses to the peer device',
  veth_forward_skb: 'hands the skb to the peer (backlog queue, or the peer\'s XDP ring)',
  __dev_forward_skb: 'switches skb->dev to the peer and scrubs the skb (dst, conntrack, pkt_type; mark across namespaces)',
  __netif_rx: 'queues the skb for receive processing on this CPU',
  enqueue_to_backlog: 'appends the skb to this CPU\'s softnet_data.input_pkt_queue and raises NET_RX_SOFTIRQ: the sending end\'s work ends here',
  veth_xdp_rx: 'the peer runs XDP: the skb goes to the peer\'s ptr_ring, polled by its NAPI',
  ptr_ring_produce: 'queues onto the peer\'s XDP ring',
  napi_schedule: 'schedules the device\'s NAPI poll and raises NET_RX_SOFTIRQ',
  net_rx_action: 'the NET_RX softirq (on IRQ exit or in ksoftirqd/N) polls the devices that have work',
  napi_poll: 'the driver\'s NAPI poll reads frames from the RX descriptor ring',
  bpf_prog_run_xdp: 'native XDP: the program runs on the raw frame, before any sk_buff exists',
  napi_gro_receive: 'generic receive offload may merge segments, then the skb goes up',
  netif_receive_skb: 'delivers the skb to the receive path',
  process_backlog: 'the softirq drains this CPU\'s input_pkt_queue: the receiving end of a veth, no hardware ring',
  __netif_receive_skb_core: 'the receive core: generic XDP, taps, tc ingress, the rx_handler (bridge), then the protocol handler',
  do_xdp_generic: 'generic XDP: the program runs on the skb, after the driver',
  veth_poll: 'the veth\'s own NAPI poll (used when it has XDP)',
  veth_xdp_rcv: 'runs the veth\'s XDP program on frames from its ring',
  veth_ndo_xdp_xmit: 'an XDP redirect into a veth: frames go to the peer\'s ring',
  veth_xdp_xmit: 'queues XDP frames for the peer; dropped when the peer has no XDP program (nor GRO)',
  ndo_xdp_xmit: 'the target driver transmits XDP frames: no skb, no qdisc, no tc egress',
  br_handle_frame: 'the bridge\'s rx_handler takes the frame from the port device',
  br_handle_frame_finish: 'learns the source MAC and looks the destination up in the FDB',
  br_fdb_find_rcu: 'FDB lookup: which port is the destination MAC behind?',
  br_forward: 'forwards the frame to the port behind its destination MAC',
  __br_forward: 'switches skb->dev to the out-port',
  br_forward_finish: 'netfilter bridge FORWARD/POST_ROUTING',
  br_dev_queue_push_xmit: 'transmits on the out-port: dev_queue_xmit of the port device (Egress)',
  br_flood: 'unknown destination or broadcast: a copy to every port with flooding on',
  maybe_deliver: 'one flooded copy to one port',
  br_pass_frame_up: 'the frame is for the bridge itself: it re-enters the receive path with skb->dev = the bridge (Ingress)',
  br_netif_receive_skb: 'the bridge device receives the frame',
  br_dev_xmit: 'the bridge device transmits: FDB lookup picks the port',
  ip_rcv: 'IPv4 receive (netfilter PREROUTING)',
  ip_rcv_core: 'drops frames eth_type_trans marked PACKET_OTHERHOST (not addressed to this device)',
  ip_rcv_finish: 'routing decision for the received packet',
  ip_route_input_noref: 'input route lookup: local delivery or forwarding',
  ip_local_deliver: 'the packet is for this namespace (netfilter INPUT)',
  ip_local_deliver_finish: 'hands the packet to its protocol',
  icmp_rcv: 'ICMP receive: a socket (or the kernel\'s echo reply) gets it',
  udp_rcv: 'UDP receive: the socket bound to the port gets it',
  tcp_v4_rcv: 'TCP receive: the socket gets it',
  ip_forward: 'forwarding: TTL decrement, netfilter FORWARD (needs net.ipv4.ip_forward=1)',
  ip_forward_finish: 'sends the forwarded packet on to ip_output',
  skb_do_redirect: 'performs the redirect a helper recorded, after the program returned TC_ACT_REDIRECT',
  __bpf_redirect: 'chooses the redirect\'s direction from its flags',
  __bpf_tx_skb: 'redirect to the target\'s egress: dev_queue_xmit on the target',
  __bpf_rx_skb: 'redirect to the target\'s ingress (BPF_F_INGRESS): dev_forward_skb and the backlog queue',
  dev_forward_skb: 'as if the target had received the packet: scrub, eth_type_trans, backlog',
  ndo_get_peer_dev: 'bpf_redirect_peer: finds the target\'s peer in the other namespace; the next round of __netif_receive_skb_core runs there',
  __bpf_redirect_neigh: 'bpf_redirect_neigh: route and neighbour lookup for the target',
  bpf_out_neigh_v4: 'fills the Ethernet header from the neighbour table, then transmits',
  xdp_do_redirect: 'performs an XDP redirect recorded by bpf_redirect / bpf_redirect_map',
  dev_map_enqueue: 'queues the frame for the target device (devmap bulk queue)',
  netkit_xmit: 'the netkit driver\'s transmit: skb->dev becomes the peer, the pair\'s programs run',
  netkit_run: 'runs the netkit programs (netkit/primary or netkit/peer) in the sender\'s context',
};

export function explainStage(fn: string): string | undefined {
  return STAGES[fn];
}

/** What a role means for a device of this kind, in one or two sentences. */
export function explainRole(kind: DeviceKind, role: Role, via: Via): string {
  if (role === 'egress') {
    switch (kind) {
      case 'veth': return 'Egress: the last device to touch the packet on this side. veth_xmit hands it to the peer through the per-CPU backlog queue; the peer plays Ingress next.';
      case 'nic': return 'Egress: the last device to touch the packet here. The driver puts the frame on its TX ring and it leaves on the wire.';
      case 'bridge': return 'Egress: the stack sends through the bridge device (a route via the bridge); br_dev_xmit picks the out-port by FDB lookup, and that port device plays Egress next.';
      case 'netkit': return 'Egress: netkit_xmit runs the pair\'s programs in the sender\'s context and hands the packet to the peer\'s backlog.';
    }
  }
  const from: Record<Via, string> = {
    stack: 'from the stack', veth: 'from its veth peer, through the backlog queue (process_backlog)',
    wire: 'from the wire (RX ring, NAPI poll)', bridge: 'from the bridge', redirect: 'from a redirect (BPF_F_INGRESS), through the backlog queue',
    'peer-redirect': 'straight from bpf_redirect_peer: no backlog queue, no second softirq', 'xdp-redirect': 'from an XDP redirect',
    up: 'from the bridge: br_pass_frame_up hands frames addressed to the bridge itself to its device', netkit: 'from its netkit peer, through the backlog queue',
  };
  return `Ingress: the first device in this namespace to touch the packet, which it received ${from[via]}; it hands it to the receive path (__netif_receive_skb_core, tc ingress, then the bridge or ip_rcv).`;
}

export function explainHook(h: Hook): string {
  switch (h) {
    case 'tc-ingress': return 'tc ingress (classic clsact filter): runs in __netif_receive_skb_core (sch_handle_ingress) when the device plays Ingress, after XDP, before the bridge and IP.';
    case 'tcx-ingress': return 'tcx ingress (BPF link, kernel 6.6+): runs when the device plays Ingress, before any classic tc ingress filter.';
    case 'tc-egress': return 'tc egress (classic clsact filter): runs in __dev_queue_xmit (sch_handle_egress) when the device plays Egress, before the qdisc and the driver.';
    case 'tcx-egress': return 'tcx egress (BPF link, kernel 6.6+): runs when the device plays Egress, before any classic tc egress filter.';
    case 'xdp': return 'native XDP: runs in the driver\'s receive (or, on a veth, in veth_poll on the skb its peer sent), before an sk_buff exists; Ingress only. netkit has none (no ndo_bpf).';
    case 'xdp-generic': return 'generic XDP: runs on the skb in __netif_receive_skb_core, after the driver, before tc ingress; Ingress only.';
    case 'netkit-primary': return 'netkit primary program: runs in netkit_xmit when the primary (host) end transmits, i.e. for host → pod traffic. skb->dev is already the peer, so a redirect finds its ifindex in the pod\'s namespace; codes other than NETKIT_NEXT, PASS, DROP and REDIRECT drop the packet.';
    case 'netkit-peer': return 'netkit peer program: runs in netkit_xmit when the peer (pod) end transmits, i.e. for pod → host traffic. skb->dev is already the primary, so a redirect finds its ifindex in the host\'s namespace, and bpf_redirect(ifindex, 0) skips the primary\'s ingress; codes other than NETKIT_NEXT, PASS, DROP and REDIRECT drop the packet.';
  }
}

/** What each verdict does at a hook, for return-code hovers. */
export function verdictTable(h: Hook): Array<{ name: string; value: number; effect: string }> {
  if (h === 'xdp' || h === 'xdp-generic') {
    return [
      { name: 'XDP_ABORTED', value: 0, effect: 'dropped, with the trace_xdp_exception tracepoint' },
      { name: 'XDP_DROP', value: 1, effect: 'dropped in the driver' },
      { name: 'XDP_PASS', value: 2, effect: 'goes on to the normal receive path' },
      { name: 'XDP_TX', value: 3, effect: 'bounced back out of the same device' },
      { name: 'XDP_REDIRECT', value: 4, effect: 'performs the redirect bpf_redirect / bpf_redirect_map recorded' },
    ];
  }
  if (h.startsWith('tcx-') || h.startsWith('netkit-')) {
    return [
      { name: 'TCX_NEXT', value: -1, effect: 'the next program of the chain runs (then classic tc filters)' },
      { name: 'TCX_PASS', value: 0, effect: 'the packet goes on; the rest of the chain and classic filters are skipped' },
      { name: 'TCX_DROP', value: 2, effect: 'dropped' },
      { name: 'TCX_REDIRECT', value: 7, effect: 'performs the recorded redirect (skb_do_redirect)' },
    ];
  }
  return [
    { name: 'TC_ACT_UNSPEC', value: -1, effect: 'the next filter runs; the default when none is left' },
    { name: 'TC_ACT_OK', value: 0, effect: 'the packet goes on' },
    { name: 'TC_ACT_SHOT', value: 2, effect: 'dropped' },
    { name: 'TC_ACT_STOLEN', value: 4, effect: 'consumed: the program took it' },
    { name: 'TC_ACT_REDIRECT', value: 7, effect: 'performs the recorded redirect (skb_do_redirect)' },
  ];
}
