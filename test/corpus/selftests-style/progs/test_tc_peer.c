// SPDX-License-Identifier: GPL-2.0
/* Forwarding between the namespaces of two veth pairs without the backlog:
 * bpf_redirect_peer() from the tc ingress of one host-side end straight into
 * the namespace behind the other one. Attached by ../test_tc_redirect.sh
 * (test_peer, test_xmit) with bpftool.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

volatile const __u32 IFINDEX_SRC = 20;
volatile const __u32 IFINDEX_DST = 30;

static const __u8 src_mac[ETH_ALEN] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const __u8 dst_mac[ETH_ALEN] = { 0x00, 0x22, 0x33, 0x44, 0x55, 0x66 };

SEC("tc")
int peer_chk(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	/* Nothing may leave veth_src_fwd towards ns_src except replies. */
	return __builtin_memcmp(eth->h_source, src_mac, ETH_ALEN) ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int peer_dst(struct __sk_buff *skb)
{
	return bpf_redirect_peer(IFINDEX_SRC, 0);
}

SEC("tc")
int peer_src(struct __sk_buff *skb)
{
	/* deliver into ns_dst's receive path */
	return bpf_redirect_peer(IFINDEX_DST, BPF_F_INGRESS);
}

SEC("tc")
int xmit_dst(struct __sk_buff *skb)
{
	if (bpf_skb_store_bytes(skb, 0, dst_mac, ETH_ALEN, 0) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(IFINDEX_DST, 0);
}

char __license[] SEC("license") = "GPL";
