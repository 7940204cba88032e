// SPDX-License-Identifier: GPL-2.0
/* Pod programs for the host-side veth. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);	/* destination IPv4 */
	__type(value, __u32);	/* host-side veth of the destination pod */
} pods SEC(".maps");

static __always_inline __u32 pod_ifindex(struct __sk_buff *skb)
{
	__u32 daddr, *ifindex;

	if (bpf_skb_load_bytes(skb, 14 + 16, &daddr, sizeof(daddr)) < 0)
		return 0;
	ifindex = bpf_map_lookup_elem(&pods, &daddr);
	return ifindex ? *ifindex : 0;
}

SEC("tc")
int from_container(struct __sk_buff *skb)
{
	__u32 ifindex = pod_ifindex(skb);

	if (!ifindex)
		return TC_ACT_OK;
	return bpf_redirect_peer(ifindex, 0);
}

SEC("tc")
int to_container(struct __sk_buff *skb)
{
	if (skb->pkt_type != 0 /* PACKET_HOST */)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
