// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcx programs (kernel 6.6+): UDP port steering on receive, byte accounting
 * on transmit, a meter and a policer. tcx.c attaches them.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* enum tcx_action_base (uapi 6.6); spelled out for older headers */
#define TCX_NEXT	-1
#define TCX_PASS	0
#define TCX_DROP	2
#define TCX_REDIRECT	7

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);	/* UDP destination port, host order */
	__type(value, __u32);	/* ifindex to steer to */
} steer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tx_bytes SEC(".maps");

struct meter {
	__u64 window_start;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct meter);
} meters SEC(".maps");

volatile const __u64 rate_bytes_per_sec = 125000000;

static __always_inline int udp_dport(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(iph + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_UDP || iph->ihl != 5)
		return -1;
	udp = (void *)(iph + 1);
	if ((void *)(udp + 1) > data_end)
		return -1;
	return bpf_ntohs(udp->dest);
}

SEC("tcx/ingress")
int tcx_ingress_filter(struct __sk_buff *skb)
{
	int port = udp_dport(skb);
	__u16 key;
	__u32 *oif;

	if (port < 0)
		return TCX_NEXT;
	if (port == 0)
		return TCX_DROP;

	key = port;
	oif = bpf_map_lookup_elem(&steer, &key);
	if (!oif)
		return TCX_NEXT;
	return bpf_redirect(*oif, 0);
}

SEC("tcx/egress")
int tcx_egress_acct(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *bytes = bpf_map_lookup_elem(&tx_bytes, &zero);

	if (bytes)
		*bytes += skb->len;
	return TCX_NEXT;
}

SEC("tc")
int tcx_legacy_meter(struct __sk_buff *skb)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct meter *m = bpf_map_lookup_elem(&meters, &zero);

	if (!m)
		return TCX_PASS;
	if (now - m->window_start > 1000000000ULL) {
		m->window_start = now;
		m->bytes = 0;
	}
	m->bytes += skb->len;
	skb->mark = m->bytes > rate_bytes_per_sec ? 1 : 0;
	return TCX_PASS;
}

SEC("tcx/egress")
int tcx_police(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct meter *m = bpf_map_lookup_elem(&meters, &zero);

	if (m && m->bytes > rate_bytes_per_sec)
		return TCX_DROP;
	return TCX_NEXT;
}

char __license[] SEC("license") = "Dual BSD/GPL";
