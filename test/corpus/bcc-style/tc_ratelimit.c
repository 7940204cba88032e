// SPDX-License-Identifier: GPL-2.0
/* bcc C (rewritten by bcc at load time, not meant for plain clang).
 * rl_classify: token-bucket policer for what the device sends.
 * dup_to_monitor: copy of what the device receives, re-received on the
 * monitor device. MONITOR_IFINDEX comes from tc_ratelimit.py's cflags.
 */
#include <uapi/linux/bpf.h>
#include <uapi/linux/pkt_cls.h>

#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif

#ifndef MONITOR_IFINDEX
#define MONITOR_IFINDEX 0
#endif

#define RATE_BYTES_PER_NS	1	/* ~8 Gbit/s */
#define BURST_BYTES		(64 * 1024)

struct bucket {
	u64 last_ns;
	u64 tokens;
};

BPF_ARRAY(buckets, struct bucket, 1);
BPF_PERCPU_ARRAY(mirrored, u64, 1);

SEC("classifier")
int rl_classify(struct __sk_buff *skb)
{
	int zero = 0;
	struct bucket *b = buckets.lookup(&zero);
	u64 now = bpf_ktime_get_ns();

	if (!b)
		return TC_ACT_OK;
	b->tokens += (now - b->last_ns) * RATE_BYTES_PER_NS;
	if (b->tokens > BURST_BYTES)
		b->tokens = BURST_BYTES;
	b->last_ns = now;
	if (b->tokens < skb->len)
		return TC_ACT_SHOT;
	b->tokens -= skb->len;
	return TC_ACT_OK;
}

SEC("classifier")
int dup_to_monitor(struct __sk_buff *skb)
{
	int zero = 0;
	u64 *n;

	if (bpf_clone_redirect(skb, MONITOR_IFINDEX, BPF_F_INGRESS) == 0) {
		n = mirrored.lookup(&zero);
		if (n)
			(*n)++;
	}
	return TC_ACT_OK;
}
