/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __LIB_COMMON_H_
#define __LIB_COMMON_H_

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef __section
# define __section(X)		__attribute__((section(X), used))
#endif
#define __section_entry		__section("tc")
#define __section_maps_btf	__section(".maps")
#define __section_license	__section("license")

#ifndef AF_INET
# define AF_INET		2
#endif

#define CTX_ACT_OK		TC_ACT_OK
#define CTX_ACT_DROP		TC_ACT_SHOT
#define CTX_ACT_REDIRECT	TC_ACT_REDIRECT

#define ctx_data(ctx)		((void *)(long)(ctx)->data)
#define ctx_data_end(ctx)	((void *)(long)(ctx)->data_end)

/* Redirect flags, so that call sites read as a direction. */
#define REDIR_INGRESS		BPF_F_INGRESS

enum redir_dir {
	BPF_REDIR_EGRESS = 0,
	BPF_REDIR_INGRESS = BPF_F_INGRESS,
};

#define ctx_redirect(ctx, ifindex, flags)	bpf_redirect(ifindex, flags)
#define ctx_redirect_peer(ctx, ifindex, flags)	bpf_redirect_peer(ifindex, flags)

#define MARK_MAGIC_HOST_MASK	0x0F00
#define MARK_MAGIC_TO_PROXY	0x0200
#define MARK_MAGIC_SNAT_DONE	0x0300

struct endpoint_key {
	__be32 ip4;
};

struct endpoint_info {
	__u32 ifindex;
	__u16 lxc_id;
	__u16 flags;
	__u8 mac[ETH_ALEN];
	__u8 node_mac[ETH_ALEN];
};

#define ENDPOINT_F_HOST		1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_info);
	__uint(max_entries, 65535);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cilium_lxc __section_maps_btf;

struct policy_key {
	__u32 sec_label;
	__u16 dport;
	__u16 lxc_id;
};

struct policy_entry {
	__u16 proxy_port;
	__u8 deny;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct policy_key);
	__type(value, struct policy_entry);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cilium_policy __section_maps_btf;

static __always_inline struct endpoint_info *lookup_ip4_endpoint(__be32 addr)
{
	struct endpoint_key key = { .ip4 = addr };

	return bpf_map_lookup_elem(&cilium_lxc, &key);
}

/* L3 header of an IPv4 frame, or NULL. */
static __always_inline struct iphdr *ip4_hdr(struct __sk_buff *ctx)
{
	void *data = ctx_data(ctx), *data_end = ctx_data_end(ctx);
	struct ethhdr *eth = data;
	struct iphdr *ip4 = data + sizeof(*eth);

	if ((void *)(ip4 + 1) > data_end)
		return NULL;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	return ip4;
}

#endif /* __LIB_COMMON_H_ */
