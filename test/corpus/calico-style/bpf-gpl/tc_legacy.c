// Project Calico BPF dataplane programs, for kernels without tcx.
// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-or-later
//
// Attached as classic clsact filters by pkg/tc/legacy.go.

#include "bpf.h"

const volatile struct cali_tc_globals __globals;

struct cali_nat_value {
	__be32 addr;
	__u32 ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, struct cali_nat_value);
	__uint(max_entries, 65536);
} cali_v4_nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, __u8);
	__uint(max_entries, 65536);
} cali_v4_deny SEC(".maps");

SEC("classifier")
int calico_tc_policy(struct __sk_buff *skb)
{
	struct iphdr *ip4 = cali_ip4(skb);
	__be32 daddr;

	if (!ip4)
		return TC_ACT_UNSPEC;
	daddr = ip4->daddr;
	if (bpf_map_lookup_elem(&cali_v4_deny, &daddr))
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}

SEC("classifier")
int calico_tc_nat(struct __sk_buff *skb)
{
	struct cali_nat_value *nat;
	struct iphdr *ip4 = cali_ip4(skb);
	__be32 daddr;

	if (!ip4)
		return TC_ACT_UNSPEC;
	daddr = ip4->daddr;
	nat = bpf_map_lookup_elem(&cali_v4_nat, &daddr);
	if (!nat)
		return TC_ACT_UNSPEC;

	/* DNAT to a backend on this host: L3 offset 14, daddr at +16 */
	bpf_l3_csum_replace(skb, 14 + 10, daddr, nat->addr, sizeof(daddr));
	bpf_skb_store_bytes(skb, 14 + 16, &nat->addr, sizeof(nat->addr), 0);
	if (nat->ifindex)
		return bpf_redirect(nat->ifindex, 0);
	return TC_ACT_UNSPEC;
}

char ____license[] SEC("license") = "Dual BSD/GPL";
