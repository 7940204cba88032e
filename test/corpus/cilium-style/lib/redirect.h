/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __LIB_REDIRECT_H_
#define __LIB_REDIRECT_H_

#include "common.h"

/* Deliver to a local endpoint whose host-side device is @ifindex.
 *
 * With host routing the packet goes straight into the pod's namespace
 * (skb_do_redirect, BPF_F_PEER): no lxc egress, no veth_xmit, no backlog.
 * Without it, it is transmitted on the host-side veth.
 */
static __always_inline int redirect_ep(struct __sk_buff *ctx, __u32 ifindex)
{
#ifdef ENABLE_HOST_ROUTING
	return bpf_redirect_peer(ifindex, 0);
#else
	return bpf_redirect(ifindex, 0);
#endif
}

/* Forward out of @oif with L2 from the neighbour table; @nh is the
 * gateway if known, else the kernel looks the route up itself.
 */
static __always_inline int redirect_direct_v4(struct __sk_buff *ctx, __u32 oif, __be32 nh)
{
	struct bpf_redir_neigh params = {
		.nh_family = AF_INET,
		.ipv4_nh = nh,
	};

	return bpf_redirect_neigh(oif, nh ? &params : NULL, nh ? sizeof(params) : 0, 0);
}

#endif /* __LIB_REDIRECT_H_ */
