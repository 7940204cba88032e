// Two redirects that look right and are not (see wrong-direction.topo and README.md).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LXC_B_IFINDEX 12            /* lxc-b, pod-b's host-side veth (ifindex 12 in the .topo) */
#define POD_B_IP      0x0a000114    /* 10.0.1.20 */

/* Is this an IPv4 packet for pod-b? Bounds-checked before every packet access. */
static __always_inline int ipv4_to_pod_b(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return 0;
	return eth->h_proto == bpf_htons(ETH_P_IP) && ip->daddr == bpf_htonl(POD_B_IP);
}

/* Attached at tc ingress of lxc-a, meant to deliver into pod-b. Wrong: BPF_F_INGRESS
 * makes lxc-b *receive* the packet (__bpf_rx_skb -> dev_forward_skb -> backlog), so lxc-b
 * plays Ingress in the host. eth_type_trans on lxc-b sees a destination MAC that is
 * lxc-a's, marks the skb PACKET_OTHERHOST, and ip_rcv drops it. Even with lxc-b's MAC the
 * host would only route it back out of lxc-b: a detour with the wrong input device.
 * Fix: bpf_redirect_peer(LXC_B_IFINDEX, 0), or rewrite eth->h_dest to pod-b's MAC and
 * bpf_redirect(LXC_B_IFINDEX, 0) (../ebpf-redirects/redirect.bpf.c shows both). */
SEC("tc")
int into_pod_b_wrong_way(struct __sk_buff *skb)
{
	if (!ipv4_to_pod_b(skb))
		return TC_ACT_OK;
	return bpf_redirect(LXC_B_IFINDEX, BPF_F_INGRESS);
}

/* Attached at tc egress of lxc-b, meant as a shortcut into pod-b. Wrong: the helper only
 * records the target, and skb_do_redirect drops a BPF_F_PEER redirect unless
 * skb_at_tc_ingress: every packet for pod-b is dropped. Fix: do the peer redirect at tc
 * ingress where the packet enters the host (lxc-a, lxc-c), or return TC_ACT_OK here and
 * let lxc-b's veth_xmit deliver it. */
SEC("tc")
int peer_at_egress(struct __sk_buff *skb)
{
	if (!ipv4_to_pod_b(skb))
		return TC_ACT_OK;
	return bpf_redirect_peer(LXC_B_IFINDEX, 0);
}

char LICENSE[] SEC("license") = "GPL";
