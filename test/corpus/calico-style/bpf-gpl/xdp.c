// Project Calico BPF dataplane programs.
// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-or-later
//
// Early drop of denied sources on host interfaces (pkg/xdp/attach.go).

#include "bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, __u64);	/* prefixlen + IPv4 */
	__type(value, __u32);
	__uint(max_entries, 10240);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cali_xdp_deny SEC(".maps");

SEC("xdp")
int calico_xdp_main(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = (void *)(eth + 1);
	struct {
		__u32 prefixlen;
		__be32 addr;
	} key;

	if ((void *)(ip4 + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	key.prefixlen = 32;
	key.addr = ip4->saddr;
	if (bpf_map_lookup_elem(&cali_xdp_deny, &key))
		return XDP_DROP;
	return XDP_PASS;
}

char ____license[] SEC("license") = "Dual BSD/GPL";
