/* SPDX-License-Identifier: GPL-2.0 */
/* Drop every other ICMP echo request (odd sequence numbers), v4 and v6. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../common/parsing_helpers.h"

SEC("xdp")
int xdp_parser_func(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct icmp6hdr *icmp6h;
	struct ipv6hdr *ip6h;
	struct icmp_echohdr *icmph;
	struct ethhdr *eth;
	struct iphdr *iph;
	int proto;

	proto = parse_ethhdr(&nh, data_end, &eth);
	if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ip6hdr(&nh, data_end, &ip6h) != IPPROTO_ICMPV6)
			return XDP_PASS;
		if (parse_icmp6hdr(&nh, data_end, &icmp6h) != ICMPV6_ECHO_REQUEST)
			return XDP_PASS;
		if (bpf_ntohs(icmp6h->icmp6_sequence) & 1)
			return XDP_DROP;
	} else if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_iphdr(&nh, data_end, &iph) != IPPROTO_ICMP)
			return XDP_PASS;
		if (parse_icmphdr(&nh, data_end, &icmph) != ICMP_ECHO)
			return XDP_PASS;
		if (bpf_ntohs(icmph->sequence) & 1)
			return XDP_DROP;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
