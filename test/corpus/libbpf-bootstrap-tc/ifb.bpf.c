// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Ingress shaping through an IFB device, without act_mirred:
 *  - redirect_to_ifb hands every received packet to ifb0 (its transmit side,
 *    where a real qdisc can shape it);
 *  - ingress_shape runs there and picks the HTB class;
 *  - mirror_tx copies what the device sends to a monitoring device.
 * ifb.c decides where each one is attached.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* Filled in by ifb.c before load. */
volatile const __u32 ifb_ifindex;
volatile const __u32 mirror_ifindex;
volatile const __u32 bulk_threshold = 1200;

#define CLASS_INTERACTIVE	0x10010	/* 1:10 */
#define CLASS_BULK		0x10020	/* 1:20 */

enum stat_slot {
	STAT_TO_IFB,
	STAT_SHAPED,
	STAT_MIRRORED,
	STAT_MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);

	if (v)
		*v += 1;
}

SEC("tc")
int redirect_to_ifb(struct __sk_buff *skb)
{
	if (!ifb_ifindex)
		return TC_ACT_OK;

	bump(STAT_TO_IFB);
	/* same as "action mirred egress redirect dev ifb0" */
	return bpf_redirect(ifb_ifindex, 0);
}

SEC("tc")
int ingress_shape(struct __sk_buff *skb)
{
	bump(STAT_SHAPED);
	skb->tc_classid = skb->len > bulk_threshold ? CLASS_BULK : CLASS_INTERACTIVE;
	return TC_ACT_OK;
}

SEC("tc")
int mirror_tx(struct __sk_buff *skb)
{
	/* The copy leaves at once; the original goes on with our verdict. */
	if (mirror_ifindex && !bpf_clone_redirect(skb, mirror_ifindex, 0))
		bump(STAT_MIRRORED);
	return TC_ACT_OK;
}

char __license[] SEC("license") = "Dual BSD/GPL";
