/* SPDX-License-Identifier: GPL-2.0 */
/* Answering pings with XDP_TX, redirecting to a fixed device, through a
 * DEVMAP, and routing with the kernel's FIB.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "../common/parsing_helpers.h"
#include "../common/rewrite_helpers.h"
#include "../common/xdp_stats_kern.h"

#ifndef AF_INET
#define AF_INET 2
#endif

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 256);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, unsigned char[ETH_ALEN]);
	__type(value, unsigned char[ETH_ALEN]);
	__uint(max_entries, 1);
} redirect_params SEC(".maps");

/* Set by the loader (xdp_prog_user) to the device to redirect to. */
volatile const __u32 redirect_ifindex = 7;

static __always_inline __u16 csum_fold_helper(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	return ~((csum & 0xffff) + (csum >> 16));
}

SEC("xdp")
int xdp_icmp_echo_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct icmp_echohdr *icmph;
	struct ethhdr *eth;
	struct iphdr *iph;
	__u32 action = XDP_PASS;
	__u16 old_csum;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		goto out;
	if (parse_iphdr(&nh, data_end, &iph) != IPPROTO_ICMP)
		goto out;
	if (parse_icmphdr(&nh, data_end, &icmph) != ICMP_ECHO)
		goto out;

	swap_src_dst_ipv4(iph);
	swap_src_dst_mac(eth);

	/* type 8 -> 0: adjust the checksum incrementally (RFC 1624) */
	old_csum = icmph->checksum;
	icmph->type = ICMP_ECHOREPLY;
	icmph->checksum = csum_fold_helper((__u16)~old_csum + (__u16)~bpf_htons(ICMP_ECHO << 8) +
					   bpf_htons(ICMP_ECHOREPLY << 8));
	action = XDP_TX;
out:
	return xdp_stats_record_action(ctx, action);
}

SEC("xdp")
int xdp_redirect_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	unsigned char dst[ETH_ALEN] = { 0x5e, 0x6d, 0x2c, 0x01, 0x02, 0x03 };
	struct ethhdr *eth;
	__u32 action = XDP_PASS;

	if (parse_ethhdr(&nh, data_end, &eth) == -1)
		goto out;

	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	action = bpf_redirect(redirect_ifindex, 0);
out:
	return xdp_stats_record_action(ctx, action);
}

SEC("xdp")
int xdp_redirect_map_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	unsigned char *dst;
	struct ethhdr *eth;
	__u32 action = XDP_PASS;

	if (parse_ethhdr(&nh, data_end, &eth) == -1)
		goto out;

	dst = bpf_map_lookup_elem(&redirect_params, eth->h_source);
	if (!dst)
		goto out;

	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	action = bpf_redirect_map(&tx_port, 0, 0);
out:
	return xdp_stats_record_action(ctx, action);
}

SEC("xdp")
int xdp_router_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct bpf_fib_lookup fib_params = {};
	struct ethhdr *eth;
	struct iphdr *iph;
	__u32 action = XDP_PASS;
	int rc;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		goto out;
	if (parse_iphdr(&nh, data_end, &iph) < 0)
		goto out;
	if (iph->ttl <= 1)
		goto out;

	fib_params.family = AF_INET;
	fib_params.tos = iph->tos;
	fib_params.l4_protocol = iph->protocol;
	fib_params.tot_len = bpf_ntohs(iph->tot_len);
	fib_params.ipv4_src = iph->saddr;
	fib_params.ipv4_dst = iph->daddr;
	fib_params.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib_params, sizeof(fib_params), 0);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		/* decrement TTL and patch the checksum */
		iph->check += bpf_htons(0x0100);
		iph->check += iph->check < bpf_htons(0x0100);
		iph->ttl--;
		__builtin_memcpy(eth->h_dest, fib_params.dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, fib_params.smac, ETH_ALEN);
		if (bpf_map_lookup_elem(&tx_port, &fib_params.ifindex))
			action = bpf_redirect_map(&tx_port, fib_params.ifindex, 0);
		else
			action = bpf_redirect(fib_params.ifindex, 0);
		break;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		action = XDP_DROP;
		break;
	default:
		/* no neighbour yet, not forwarded, ...: let the stack deal with it */
		break;
	}
out:
	return xdp_stats_record_action(ctx, action);
}

char _license[] SEC("license") = "GPL";
