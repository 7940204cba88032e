/* SPDX-License-Identifier: GPL-2.0 */
/* 5. Meant to drop runt frames before the stack sees them. See load.sh. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop_runts(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data < 60)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
