// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

volatile const __u32 target_ifindex;

SEC("classifier")
int classify_pkt(struct __sk_buff *skb)
{
	if (skb->mark & 0x1)
		return bpf_redirect(target_ifindex, 0);
	skb->tc_classid = skb->priority;
	return TC_ACT_OK;
}

SEC("action")
int act_set_mark(struct __sk_buff *skb)
{
	skb->mark |= 0x100;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
