// The kernel functions a packet passes at each device, by kind, role and how it got there
// (datapath.md §2; names as in v6.x: net/core/dev.c, drivers/net/veth.c, net/bridge/, net/ipv4/).
import type { Device } from '../topology/model';
import type { Via } from './path';

/** A local socket sends: route lookup in ip_queue_xmit / ip_route_output_flow, then ip_local_out. */
export const LOCAL_OUT = ['ip_route_output_flow', 'ip_local_out', 'ip_output', 'ip_finish_output2', 'neigh_output', 'dev_queue_xmit'];

/** A forwarded packet leaves through ip_forward_finish → dst_output. */
export const FORWARD_OUT = ['ip_forward_finish', 'ip_output', 'ip_finish_output2', 'neigh_output', 'dev_queue_xmit'];

/** A bridge hands a frame to an out-port (br_forward → br_dev_queue_push_xmit). */
export const BRIDGE_OUT = ['br_forward', '__br_forward', 'br_forward_finish', 'br_dev_queue_push_xmit', 'dev_queue_xmit'];

/** A flooded copy (br_flood → br_forward → ...). */
export const BRIDGE_FLOOD_OUT = ['br_flood', 'maybe_deliver', '__br_forward', 'br_forward_finish', 'br_dev_queue_push_xmit', 'dev_queue_xmit'];

/** skb_do_redirect → __bpf_redirect → __bpf_tx_skb: straight to the target's dev_queue_xmit. */
export const REDIRECT_OUT = ['dev_queue_xmit'];

/** Before the tc egress hook, in __dev_queue_xmit. */
export const EGRESS_HOOK = ['__dev_queue_xmit', 'nf_hook_egress', 'sch_handle_egress'];

/** What the device's transmit does after tc egress. */
/** netkit_xmit runs the pair's programs (netkit_run), then hands the packet to the peer's backlog. */
export const NETKIT_XMIT = ['dev_hard_start_xmit', 'netkit_xmit', 'netkit_run'];
export const NETKIT_TO_BACKLOG = ['__netif_rx', 'enqueue_to_backlog'];

export function transmit(d: Device, peerHasXdp: boolean): string[] {
  switch (d.kind) {
    case 'nic': return ['__dev_xmit_skb', 'sch_direct_xmit', 'dev_hard_start_xmit', 'ndo_start_xmit'];
    case 'veth':
      // veth_xmit uses the peer's ptr_ring and NAPI when the peer runs XDP (veth_xdp_rx),
      // else __dev_forward_skb (scrub) + __netif_rx → enqueue_to_backlog on this CPU.
      return peerHasXdp
        ? ['dev_hard_start_xmit', 'veth_xmit', 'veth_forward_skb', 'veth_xdp_rx', 'ptr_ring_produce', 'napi_schedule']
        : ['dev_hard_start_xmit', 'veth_xmit', 'veth_forward_skb', '__dev_forward_skb', '__netif_rx', 'enqueue_to_backlog'];
    case 'bridge': return ['dev_hard_start_xmit', 'br_dev_xmit', 'br_fdb_find_rcu'];
    case 'netkit': return [...NETKIT_XMIT, ...NETKIT_TO_BACKLOG];
  }
}

/** From arrival to __netif_receive_skb_core, by how the packet arrived. */
export function receive(d: Device, via: Via, hasXdp: boolean): string[] {
  switch (via) {
    case 'wire':
      return ['napi_schedule', 'net_rx_action', 'napi_poll', ...(hasXdp ? ['bpf_prog_run_xdp'] : []), 'napi_gro_receive', 'netif_receive_skb', '__netif_receive_skb_core'];
    case 'veth':
      return d.kind === 'veth' && hasXdp
        ? ['net_rx_action', 'veth_poll', 'veth_xdp_rcv', 'bpf_prog_run_xdp', 'napi_gro_receive', 'netif_receive_skb', '__netif_receive_skb_core']
        : ['net_rx_action', 'process_backlog', '__netif_receive_skb_core'];
    case 'netkit':
    case 'redirect':
      return ['net_rx_action', 'process_backlog', '__netif_receive_skb_core'];
    case 'xdp-redirect':
      return ['net_rx_action', 'veth_poll', 'veth_xdp_rcv', ...(hasXdp ? ['bpf_prog_run_xdp'] : []), 'netif_receive_skb', '__netif_receive_skb_core'];
    case 'peer-redirect':
      // sch_handle_ingress returned with another_round: the same softirq, no backlog.
      return ['__netif_receive_skb_core'];
    case 'up':
      return ['br_pass_frame_up', 'br_netif_receive_skb', 'netif_receive_skb', '__netif_receive_skb_core'];
    default:
      return ['__netif_receive_skb_core'];
  }
}

export const INGRESS_HOOK = ['sch_handle_ingress'];
export const GENERIC_XDP = ['do_xdp_generic'];
export const BRIDGE_IN = ['br_handle_frame', 'br_handle_frame_finish', 'br_fdb_find_rcu'];
export const IP_IN = ['ip_rcv', 'ip_rcv_core', 'ip_rcv_finish', 'ip_route_input_noref'];

export function localDeliver(proto: 'icmp' | 'udp' | 'tcp'): string[] {
  return ['ip_local_deliver', 'ip_local_deliver_finish', proto === 'icmp' ? 'icmp_rcv' : proto === 'udp' ? 'udp_rcv' : 'tcp_v4_rcv'];
}

export const REDIRECT_STAGES: Record<string, string[]> = {
  egress: ['skb_do_redirect', '__bpf_redirect', '__bpf_tx_skb'],
  ingress: ['skb_do_redirect', '__bpf_redirect', '__bpf_rx_skb', 'dev_forward_skb', '__netif_rx', 'enqueue_to_backlog'],
  peer: ['skb_do_redirect', 'ndo_get_peer_dev'],
  neigh: ['skb_do_redirect', '__bpf_redirect_neigh', 'bpf_out_neigh_v4', 'neigh_output'],
  'xdp-egress': ['xdp_do_redirect', 'dev_map_enqueue', 'ndo_xdp_xmit'],
  map: ['xdp_do_redirect', 'dev_map_enqueue', 'ndo_xdp_xmit'],
};
