// Datapath Lens lab probe: attached by `datapath-lens lab trace` as a classic tc filter of the
// lowest priority at the ingress and egress of every device of a lab. It records, for IPv4
// ICMP echo requests whose payload carries the trace's pattern (ping -p d47aNNMM), which
// device and direction saw the packet, in order, and always returns TC_ACT_UNSPEC so that
// the topology's own filters run next as if it were not there.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define MAX_EVENTS 256

struct dl_event {
	__u32 ifindex;
	__u32 dir; /* 0 ingress, 1 egress */
	__u32 seq;
	__u32 tag; /* the 4 pattern bytes, as read */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} dl_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_EVENTS);
	__type(key, __u32);
	__type(value, struct dl_event);
} dl_events SEC(".maps");

static __always_inline int record(struct __sk_buff *skb, __u32 dir)
{
	__u8 b[2];
	__u8 vihl, proto, type;
	__u32 l3 = 14, ihl, zero = 0;
	__u32 pat[2];

	if (skb->protocol != __builtin_bswap16(0x0800))
		return TC_ACT_UNSPEC;
	/* An Ethernet header, unless the device has none (an L3 device). */
	if (bpf_skb_load_bytes(skb, 12, b, 2) < 0 || b[0] != 0x08 || b[1] != 0x00)
		l3 = 0;
	if (bpf_skb_load_bytes(skb, l3, &vihl, 1) < 0 || (vihl >> 4) != 4)
		return TC_ACT_UNSPEC;
	ihl = (vihl & 0x0f) * 4;
	if (ihl < 20)
		return TC_ACT_UNSPEC;
	if (bpf_skb_load_bytes(skb, l3 + 9, &proto, 1) < 0 || proto != 1 /* ICMP */)
		return TC_ACT_UNSPEC;
	if (bpf_skb_load_bytes(skb, l3 + ihl, &type, 1) < 0 || type != 8 /* echo request */)
		return TC_ACT_UNSPEC;
	/* ping writes a 16-byte timestamp, then the pattern: ICMP offset 8 + 16. */
	if (bpf_skb_load_bytes(skb, l3 + ihl + 24, pat, sizeof(pat)) < 0)
		return TC_ACT_UNSPEC;
	if (pat[0] != pat[1] || ((__u8 *)pat)[0] != 0xd4 || ((__u8 *)pat)[1] != 0x7a)
		return TC_ACT_UNSPEC;

	__u32 *count = bpf_map_lookup_elem(&dl_count, &zero);
	if (!count)
		return TC_ACT_UNSPEC;
	__u32 seq = __sync_fetch_and_add(count, 1);
	if (seq >= MAX_EVENTS)
		return TC_ACT_UNSPEC;
	struct dl_event ev = { .ifindex = skb->ifindex, .dir = dir, .seq = seq, .tag = pat[0] };
	bpf_map_update_elem(&dl_events, &seq, &ev, BPF_ANY);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int dl_probe_ingress(struct __sk_buff *skb)
{
	return record(skb, 0);
}

SEC("tc")
int dl_probe_egress(struct __sk_buff *skb)
{
	return record(skb, 1);
}

char LICENSE[] SEC("license") = "GPL";
