// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Endpoint datapath, attached to the host-side veth of one pod (lxcXXXX) by
 * load.sh. "from-container" sees what the pod sends, "to-container" what is
 * sent to the pod.
 */

/* ep_config.h, inlined: this endpoint uses BPF host routing. */
#define ENABLE_HOST_ROUTING	1
#define LXC_ID			1234
#define ENCAP_IFINDEX		4	/* cilium_vxlan */
#define PROXY_IFINDEX		3	/* cilium_host: the L7 proxy listens behind it */
#define CLUSTER_NET		bpf_htonl(0x0a000000)	/* 10.0.0.0/8 */
#define CLUSTER_MASK		bpf_htonl(0xff000000)

#include "lib/common.h"
#include "lib/redirect.h"

__section("from-container")
int cil_from_container(struct __sk_buff *ctx)
{
	struct endpoint_info *ep;
	struct ethhdr *eth;
	struct iphdr *ip4;

	ip4 = ip4_hdr(ctx);
	if (!ip4)
		return CTX_ACT_OK;

	ep = lookup_ip4_endpoint(ip4->daddr);
	if (ep && !(ep->flags & ENDPOINT_F_HOST)) {
		/* Local pod: address the frame to it, then hand it over. */
		eth = ctx_data(ctx);
		if ((void *)(eth + 1) > ctx_data_end(ctx))
			return CTX_ACT_DROP;
		__builtin_memcpy(eth->h_dest, ep->mac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, ep->node_mac, ETH_ALEN);
		return redirect_ep(ctx, ep->ifindex);
	}

	if ((ip4->daddr & CLUSTER_MASK) == CLUSTER_NET)
		/* Pod on another node: into the overlay device. */
		return ctx_redirect(ctx, ENCAP_IFINDEX, 0);

	return CTX_ACT_OK;
}

__section("to-container")
int cil_to_container(struct __sk_buff *ctx)
{
	struct policy_key key = {};
	struct policy_entry *pol;
	struct iphdr *ip4;

	ip4 = ip4_hdr(ctx);
	if (!ip4)
		return CTX_ACT_OK;
	/* Already seen by the proxy: deliver. */
	if ((ctx->mark & MARK_MAGIC_HOST_MASK) == MARK_MAGIC_TO_PROXY)
		return CTX_ACT_OK;

	key.sec_label = ctx->mark >> 16;
	key.lxc_id = LXC_ID;
	pol = bpf_map_lookup_elem(&cilium_policy, &key);
	if (!pol || pol->deny)
		return CTX_ACT_DROP;

	if (pol->proxy_port) {
		ctx->mark = MARK_MAGIC_TO_PROXY | ((__u32)pol->proxy_port << 16);
		/* Into the host stack, as if received on cilium_host. */
		return ctx_redirect(ctx, PROXY_IFINDEX, REDIR_INGRESS);
	}
	return CTX_ACT_OK;
}

char __license[] __section_license = "Dual BSD/GPL";
