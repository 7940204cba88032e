// SPDX-License-Identifier: GPL-2.0
/* Plain bcc C: no SEC(); bcc finds the function by name. */
#include <uapi/linux/bpf.h>
#include <uapi/linux/pkt_cls.h>

BPF_HASH(routes, u32, u32, 1024);

int fwd(struct __sk_buff *skb)
{
	u32 key = skb->ifindex;
	u32 *oif = routes.lookup(&key);

	if (!oif)
		return TC_ACT_OK;
	return bpf_redirect_neigh(*oif, NULL, 0, 0);
}
