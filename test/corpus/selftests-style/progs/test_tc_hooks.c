// SPDX-License-Identifier: GPL-2.0
/* Section-name attach points (libbpf auto-attach). No script loads these:
 * test_progs attaches them through the skeleton.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define TCX_NEXT	-1

volatile const __u32 IFINDEX_SRC = 20;
volatile const __u32 IFINDEX_DST = 30;

SEC("tc/ingress")
int hooks_ingress_fwd(struct __sk_buff *skb)
{
	/* re-receive on the destination device */
	return bpf_redirect(IFINDEX_DST, BPF_F_INGRESS);
}

SEC("tcx/egress")
int hooks_egress_peer(struct __sk_buff *skb)
{
	return bpf_redirect_peer(IFINDEX_SRC, 0);
}

SEC("tc/egress")
int hooks_egress_clone(struct __sk_buff *skb)
{
	bpf_clone_redirect(skb, IFINDEX_SRC, BPF_F_INGRESS);
	return TC_ACT_OK;
}

SEC("tcx/ingress")
int hooks_wrong_code(struct __sk_buff *skb)
{
	if (skb->len < 64)
		return TC_ACT_OK;
	return XDP_PASS;
}

SEC("tcx/ingress")
int hooks_multi(struct __sk_buff *skb)
{
	switch (skb->mark & 3) {
	case 1:
		return bpf_redirect(IFINDEX_DST, 0);
	case 2:
		return bpf_redirect(IFINDEX_DST, BPF_F_INGRESS);
	case 3:
		return bpf_redirect_neigh(IFINDEX_DST, NULL, 0, 0);
	}
	return TCX_NEXT;
}

SEC("tc/ingress")
int hooks_neigh_flags(struct __sk_buff *skb)
{
	return bpf_redirect_neigh(IFINDEX_DST, NULL, 0, BPF_F_INGRESS);
}

SEC("tc/egress")
int hooks_forgetful(struct __sk_buff *skb)
{
	if (skb->mark == 0x5)
		bpf_redirect(IFINDEX_DST, 0);
	return TC_ACT_OK;
}

char __license[] SEC("license") = "GPL";
