/* SPDX-License-Identifier: GPL-2.0 */
/* Assignment: each of these programs has one bug. Find it, then fix it. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

volatile const __u32 out_ifindex = 3;

/* 1. Meant to let everything through. */
SEC("xdp")
int xdp_wrong_retcode(struct xdp_md *ctx)
{
	return TC_ACT_OK;
}

/* 2. Meant to deliver to out_ifindex's receive path. */
SEC("xdp")
int xdp_redirect_bad_flags(struct xdp_md *ctx)
{
	return bpf_redirect(out_ifindex, BPF_F_INGRESS);
}

/* 3. Meant to let the neighbour table fill in the MACs. */
SEC("xdp")
int xdp_redirect_neigh(struct xdp_md *ctx)
{
	return bpf_redirect_neigh(out_ifindex, NULL, 0, 0);
}

/* 4. Meant to redirect, and count what was redirected. */
SEC("xdp")
int xdp_redirect_forgot(struct xdp_md *ctx)
{
	long ret;

	ret = bpf_redirect(out_ifindex, 0);
	if (ret != XDP_REDIRECT)
		bpf_printk("redirect to %u refused", out_ifindex);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
