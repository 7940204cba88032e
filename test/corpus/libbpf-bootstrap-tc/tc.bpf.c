// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Per-protocol packet counter for the receive side of one device.
 * tc.c attaches it with bpf_tc_attach() at BPF_TC_INGRESS.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);	/* IP protocol number */
	__type(value, __u64);	/* packets */
} proto_count SEC(".maps");

SEC("tc")
int tc_ingress(struct __sk_buff *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	__u64 *cnt;
	__u32 key;

	if (ctx->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;

	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;

	key = iph->protocol;
	cnt = bpf_map_lookup_elem(&proto_count, &key);
	if (cnt)
		*cnt += 1;

	if (iph->ttl <= 1)
		bpf_printk("ingress: ttl %d proto %d len %d", iph->ttl, key, bpf_ntohs(iph->tot_len));
	return TC_ACT_OK;
}

char __license[] SEC("license") = "Dual BSD/GPL";
