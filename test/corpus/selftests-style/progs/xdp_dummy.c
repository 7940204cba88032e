// SPDX-License-Identifier: GPL-2.0
/* An XDP program that lets everything through. Attached to a veth so that
 * frames redirected into its peer by XDP are received (veth needs an XDP
 * program on the receiving end for ndo_xdp_xmit).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_dummy_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
