// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Host datapath: programs for the native device (eth0), the overlay device
 * (cilium_vxlan) and cilium_host, attached by load.sh.
 *
 * ENABLE_HOST_ROUTING stays off for these devices, so redirect_ep()
 * transmits on the endpoint's host-side veth.
 */
#define NATIVE_DEV_IFINDEX	2
#define HOST_IFINDEX		3

#include "lib/common.h"
#include "lib/redirect.h"

/* NodePort services whose backend lives on another node: daddr -> gateway. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, __be32);
	__uint(max_entries, 4096);
} lb4_remote __section_maps_btf;

__section("from-netdev")
int cil_from_netdev(struct __sk_buff *ctx)
{
	struct endpoint_info *ep;
	struct iphdr *ip4;
	__be32 daddr, *gw;

	ip4 = ip4_hdr(ctx);
	if (!ip4)
		return CTX_ACT_OK;
	daddr = ip4->daddr;

	ep = lookup_ip4_endpoint(daddr);
	if (ep && !(ep->flags & ENDPOINT_F_HOST))
		return redirect_ep(ctx, ep->ifindex);

	gw = bpf_map_lookup_elem(&lb4_remote, &daddr);
	if (gw)
		return redirect_direct_v4(ctx, NATIVE_DEV_IFINDEX, *gw);

	return CTX_ACT_OK;
}

__section("to-netdev")
int cil_to_netdev(struct __sk_buff *ctx)
{
	/* Copy SNATed traffic to cilium_host for the host firewall's monitor. */
	if ((ctx->mark & MARK_MAGIC_HOST_MASK) == MARK_MAGIC_SNAT_DONE) {
		redirect_ep(ctx, HOST_IFINDEX);
		ctx->mark = 0;
	}
	return CTX_ACT_OK;
}

__section("from-overlay")
int cil_from_overlay(struct __sk_buff *ctx)
{
	struct endpoint_info *ep;
	struct iphdr *ip4;

	ip4 = ip4_hdr(ctx);
	if (!ip4)
		return CTX_ACT_OK;

	ep = lookup_ip4_endpoint(ip4->daddr);
	if (!ep || (ep->flags & ENDPOINT_F_HOST))
		return CTX_ACT_OK;
	/* Decapsulated traffic for a local pod: straight into its namespace. */
	return ctx_redirect_peer(ctx, ep->ifindex, REDIR_INGRESS);
}

__section_entry
int cil_from_host(struct __sk_buff *ctx)
{
	struct iphdr *ip4;

	ip4 = ip4_hdr(ctx);
	if (!ip4)
		return CTX_ACT_OK;
	/* Local endpoints are routed by the stack as usual. */
	if (lookup_ip4_endpoint(ip4->daddr))
		return CTX_ACT_OK;
	/* Everything else leaves through the native device directly. */
	return ctx_redirect(ctx, NATIVE_DEV_IFINDEX, BPF_REDIR_EGRESS);
}

char __license[] __section_license = "Dual BSD/GPL";
