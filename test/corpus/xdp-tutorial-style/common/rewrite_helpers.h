/* SPDX-License-Identifier: (GPL-2.0-or-later OR BSD-2-clause) */
#ifndef __REWRITE_HELPERS_H
#define __REWRITE_HELPERS_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

static __always_inline void swap_src_dst_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline void swap_src_dst_ipv4(struct iphdr *iph)
{
	__be32 tmp = iph->saddr;

	iph->saddr = iph->daddr;
	iph->daddr = tmp;
}

static __always_inline void swap_src_dst_ipv6(struct ipv6hdr *ip6h)
{
	struct in6_addr tmp = ip6h->saddr;

	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = tmp;
}

#endif /* __REWRITE_HELPERS_H */
