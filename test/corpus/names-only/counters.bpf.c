// SPDX-License-Identifier: GPL-2.0
/* Byte/packet counters. Whoever loads these attaches them; nothing here says where. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__u64 packets;
	__u64 bytes;
};

enum { DIR_IN, DIR_OUT, DIR_RX, DIR_TX, DIR_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DIR_MAX);
	__type(key, __u32);
	__type(value, struct counters);
} stats SEC(".maps");

static __always_inline void account(__u32 slot, struct __sk_buff *skb)
{
	struct counters *c = bpf_map_lookup_elem(&stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += skb->len;
	}
}

SEC("tc")
int handle_ingress(struct __sk_buff *skb)
{
	account(DIR_IN, skb);
	return TC_ACT_OK;
}

SEC("tc")
int tc_egress_counter(struct __sk_buff *skb)
{
	account(DIR_OUT, skb);
	return TC_ACT_OK;
}

SEC("classifier")
int count_rx(struct __sk_buff *skb)
{
	account(DIR_RX, skb);
	return TC_ACT_UNSPEC;
}

SEC("classifier")
int count_tx(struct __sk_buff *skb)
{
	account(DIR_TX, skb);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
