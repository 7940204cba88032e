// SPDX-License-Identifier: GPL-2.0
/* XDP redirects through a DEVMAP and a CPUMAP, and the devmap egress
 * program that rewrites the source MAC for the device it leaves from.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);		/* egress ifindex */
	__type(value, __u8[ETH_ALEN]);	/* its MAC */
} dev_mac SEC(".maps");

SEC("xdp")
int xdp_redirect_map_0(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_port, 0, 0);
}

SEC("xdp")
int xdp_redirect_bcast(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_port, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
}

SEC("xdp")
int xdp_redirect_cpu(struct xdp_md *ctx)
{
	__u32 cpu = ctx->rx_queue_index % 4;

	/* queue 0 is reserved for control traffic: send it to port 1 instead */
	if (ctx->rx_queue_index == 0)
		return bpf_redirect_map(&tx_port, 1, XDP_PASS);
	return bpf_redirect_map(&cpu_map, cpu, XDP_PASS);
}

SEC("xdp/devmap")
int xdp_devmap_smac(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u32 key = ctx->egress_ifindex;
	__u8 *mac;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	mac = bpf_map_lookup_elem(&dev_mac, &key);
	if (mac)
		__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return XDP_PASS;
}

char __license[] SEC("license") = "GPL";
