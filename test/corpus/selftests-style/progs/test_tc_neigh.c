// SPDX-License-Identifier: GPL-2.0
/* ns_fwd forwards between veth_src_fwd and veth_dst_fwd with
 * bpf_redirect_neigh() instead of its routing table; neigh_chk makes sure
 * the frames leaving ns_fwd got a resolved destination MAC.
 * Attached by ../test_tc_redirect.sh (test_neigh).
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef AF_INET
#define AF_INET 2
#endif

#define IP4(a, b, c, d)	bpf_htonl((a) << 24 | (b) << 16 | (c) << 8 | (d))
#define IP4_SRC		IP4(172, 16, 1, 100)
#define IP4_DST		IP4(172, 16, 2, 100)

/* The script creates the devices with these indexes. */
volatile const __u32 IFINDEX_SRC = 20;
volatile const __u32 IFINDEX_DST = 30;

static __always_inline bool ip4_daddr_is(struct __sk_buff *skb, __be32 addr)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = (void *)(eth + 1);

	if ((void *)(ip4 + 1) > data_end)
		return false;
	return eth->h_proto == bpf_htons(ETH_P_IP) && ip4->daddr == addr;
}

SEC("chk_egress")
int neigh_chk(struct __sk_buff *skb)
{
	__u8 dmac[ETH_ALEN];
	__u8 any = 0;
	int i;

	if (bpf_skb_load_bytes(skb, 0, dmac, sizeof(dmac)) < 0)
		return TC_ACT_SHOT;
	for (i = 0; i < ETH_ALEN; i++)
		any |= dmac[i];
	return any ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("dst_ingress")
int neigh_dst(struct __sk_buff *skb)
{
	if (!ip4_daddr_is(skb, IP4_SRC))
		return TC_ACT_OK;
	/* no params: a route lookup restricted to IFINDEX_SRC finds the nexthop */
	return bpf_redirect_neigh(IFINDEX_SRC, NULL, 0, 0);
}

SEC("src_ingress")
int neigh_src(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = {
		.nh_family = AF_INET,
		.ipv4_nh = IP4_DST,
	};

	if (ip4_daddr_is(skb, IP4_DST))
		return bpf_redirect_neigh(IFINDEX_DST, &nh, sizeof(nh), 0);
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return bpf_redirect_neigh(IFINDEX_DST, NULL, 0, 0);
	return TC_ACT_OK;
}

char __license[] SEC("license") = "GPL";
