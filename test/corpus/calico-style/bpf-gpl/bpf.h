// Project Calico BPF dataplane build system.
// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-or-later
#ifndef __CALI_BPF_H__
#define __CALI_BPF_H__

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define CALI_BPF_INLINE		__attribute__((always_inline)) static inline

enum cali_fwd_mode {
	CALI_FWD_STACK = 0,
	CALI_FWD_PEER,		/* straight into a local workload's namespace */
	CALI_FWD_FIB,		/* out of a host interface, L2 from the neighbour table */
	CALI_FWD_HOST,		/* back into the host's receive path */
};

struct cali_ct_key {
	__be32 saddr;
	__be32 daddr;
	__u8 proto;
	__u8 pad[3];
};

struct cali_ct_value {
	__u32 ifindex_fwd;
	__u8 fwd_mode;
	__u8 flags;
	__u16 pad;
};

#define CALI_CT_FLAG_CONFLICT	0x1

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct cali_ct_key);
	__type(value, struct cali_ct_value);
	__uint(max_entries, 512000);
} cali_v4_ct SEC(".maps");

/* Per-interface settings, filled in by the Go side before load. */
struct cali_tc_globals {
	__u32 host_ifindex;
	__u32 tap_ifindex;
	__be32 host_ip;
	__u32 flags;
};

CALI_BPF_INLINE struct iphdr *cali_ip4(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = (void *)(eth + 1);

	if ((void *)(ip4 + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	return ip4;
}

CALI_BPF_INLINE struct cali_ct_value *cali_ct_lookup(struct iphdr *ip4)
{
	struct cali_ct_key key = {
		.saddr = ip4->saddr,
		.daddr = ip4->daddr,
		.proto = ip4->protocol,
	};

	return bpf_map_lookup_elem(&cali_v4_ct, &key);
}

#endif /* __CALI_BPF_H__ */
