/* SPDX-License-Identifier: (GPL-2.0-or-later OR BSD-2-clause) */
/* Per-action packet and byte counters, read by the user-space stats tool. */
#ifndef __XDP_STATS_KERN_H
#define __XDP_STATS_KERN_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef XDP_ACTION_MAX
#define XDP_ACTION_MAX (XDP_REDIRECT + 1)
#endif

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_ACTION_MAX);
} xdp_stats_map SEC(".maps");

/* Counts the packet under its verdict and hands the verdict back. */
static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx, __u32 action)
{
	struct datarec *rec;

	if (action < XDP_ACTION_MAX) {
		rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
		if (rec) {
			rec->rx_packets++;
			rec->rx_bytes += ctx->data_end - ctx->data;
		}
	}
	return action;
}

#endif /* __XDP_STATS_KERN_H */
