// SPDX-License-Identifier: GPL-2.0
/* netkit programs. "primary" runs for what the host sends into the pod,
 * "peer" for what the pod sends out, both in netkit_xmit of the sender.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MARK_MIRROR	0xfeed

volatile const __u32 IFINDEX_MON = 40;
volatile const __u32 IFINDEX_PHYS = 2;
volatile const __u32 IFINDEX_NK_OTHER = 50;	/* primary of the other pod's netkit */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __be32);
	__type(value, __u32);
} local_pods SEC(".maps");

SEC("netkit/primary")
int nk_primary(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_SHOT;
	if (skb->mark == MARK_MIRROR)
		bpf_clone_redirect(skb, IFINDEX_MON, 0);
	return TC_ACT_OK;
}

SEC("netkit/peer")
int nk_peer(struct __sk_buff *skb)
{
	__be32 daddr;

	/* L3 mode: the packet starts with the IP header */
	if (bpf_skb_load_bytes(skb, 16, &daddr, sizeof(daddr)) < 0)
		return TC_ACT_SHOT;
	if (bpf_map_lookup_elem(&local_pods, &daddr))
		return bpf_redirect_peer(IFINDEX_NK_OTHER, 0);
	return bpf_redirect(IFINDEX_PHYS, 0);
}

char __license[] SEC("license") = "GPL";
