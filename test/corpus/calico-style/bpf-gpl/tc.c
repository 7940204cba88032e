// Project Calico BPF dataplane programs.
// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-or-later
//
// The main tc program and the conntrack-conflict handler. The Go side
// (pkg/tc/attach.go) attaches them with tcx links.

#include "bpf.h"

const volatile struct cali_tc_globals __globals;

SEC("tc")
int calico_tc_main(struct __sk_buff *skb)
{
	struct cali_ct_value *ct;
	struct iphdr *ip4;

	ip4 = cali_ip4(skb);
	if (!ip4)
		return TC_ACT_UNSPEC;

	ct = cali_ct_lookup(ip4);
	if (!ct)
		return TC_ACT_UNSPEC;	/* new flow: the policy program decides */

	if (ct->flags & CALI_CT_FLAG_CONFLICT) {
		skb->mark = 0xca110000;
		return TC_ACT_UNSPEC;
	}

	switch (ct->fwd_mode) {
	case CALI_FWD_PEER:
		return bpf_redirect_peer(ct->ifindex_fwd, 0);
	case CALI_FWD_FIB:
		return bpf_redirect_neigh(ct->ifindex_fwd, NULL, 0, 0);
	case CALI_FWD_HOST:
		return bpf_redirect(__globals.host_ifindex, BPF_F_INGRESS);
	default:
		return TC_ACT_UNSPEC;
	}
}

SEC("classifier")
int calico_tc_host_ct_conflict(struct __sk_buff *skb)
{
	struct cali_ct_value *ct;
	struct iphdr *ip4;

	ip4 = cali_ip4(skb);
	if (!ip4)
		return TC_ACT_UNSPEC;
	ct = cali_ct_lookup(ip4);
	if (!ct || !(ct->flags & CALI_CT_FLAG_CONFLICT))
		return TC_ACT_UNSPEC;

	/* Conflicting entry: let the host stack's conntrack see it once more. */
	ct->flags &= ~CALI_CT_FLAG_CONFLICT;
	return bpf_redirect(__globals.host_ifindex, BPF_F_INGRESS);
}

SEC("tc")
int calico_tc_tap(struct __sk_buff *skb)
{
	if (__globals.tap_ifindex)
		bpf_clone_redirect(skb, __globals.tap_ifindex, 0);
	return TC_ACT_UNSPEC;
}

char ____license[] SEC("license") = "Dual BSD/GPL";
