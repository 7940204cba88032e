// Programs for the lab's netkit pairs (test/lab/netkit): where a netkit program runs, what its
// redirects do, and what a peer redirect into a netkit pair skips. Checked on a kernel with
// netkit by test/lab/netkit-vm.test.ts.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define NK_A_IFINDEX 31
#define NK_B_IFINDEX 32

/* netkit/peer of nk-a (pod-a's traffic, in netkit_xmit of eth0@pod-a): straight out of nk-b,
 * never through nk-a's ingress. The ifindex is looked up in the primary's namespace. */
SEC("netkit/peer")
int nk_a_to_b(struct __sk_buff *skb)
{
	return bpf_redirect(NK_B_IFINDEX, 0);
}

/* netkit/primary of nk-a: drops everything the host sends into pod-a through nk-a. */
SEC("netkit/primary")
int nk_a_guard(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}

/* tc ingress of nk-b: hands pod-b's traffic to pod-a's eth0 directly (a peer redirect into a
 * netkit pair), skipping nk-a's egress and its netkit/primary program. */
SEC("tc")
int nk_b_to_a_peer(struct __sk_buff *skb)
{
	return bpf_redirect_peer(NK_A_IFINDEX, 0);
}

/* netkit/peer of nk-c: a peer redirect from a netkit program: not at tc ingress, dropped. */
SEC("netkit/peer")
int nk_c_peer(struct __sk_buff *skb)
{
	return bpf_redirect_peer(NK_B_IFINDEX, 0);
}

/* netkit/peer of nk-f: TC_ACT_UNSPEC is NETKIT_NEXT; after the last program netkit_xmit
 * passes it (the device's policy only counts when no program is attached). */
SEC("netkit/peer")
int nk_f_next(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

/* netkit/peer of nk-g: TC_ACT_PIPE means "next" to a tc filter (and to tcx), but netkit knows
 * only NEXT, PASS, DROP and REDIRECT: it drops the packet. */
SEC("netkit/peer")
int nk_g_pipe(struct __sk_buff *skb)
{
	return TC_ACT_PIPE;
}

/* Generic XDP on nk-h (host side): netkit has no native XDP, but generic XDP runs on the skb in
 * __netif_receive_skb_core, before tc ingress, on any device. */
SEC("xdp")
int nk_xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
