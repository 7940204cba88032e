// Two ways to deliver into pod-b from the host side of another pod's veth, both
// attached at tc ingress (see ebpf-redirects.topo):
//   lxc_a_to_pod_b  bpf_redirect_peer: straight into eth0@pod-b's receive path
//   lxc_c_to_pod_b  bpf_redirect(.., 0): out of lxc-b (Egress), so address the frame first
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LXC_B_IFINDEX 12            /* lxc-b, pod-b's host-side veth (ifindex 12 in the .topo) */
#define POD_B_IP      0x0a000114    /* 10.0.1.20 */

/* eth0@pod-b's MAC (mac 02:00:0a:00:01:14 in the .topo) */
static const __u8 pod_b_mac[ETH_ALEN] = { 0x02, 0x00, 0x0a, 0x00, 0x01, 0x14 };

/* Is this an IPv4 packet for pod-b? Every access is bounds-checked first (the verifier
 * refuses a packet read it cannot prove stays below data_end). */
static __always_inline int ipv4_to_pod_b(struct ethhdr *eth, void *data_end)
{
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return 0;
	return eth->h_proto == bpf_htons(ETH_P_IP) && ip->daddr == bpf_htonl(POD_B_IP);
}

/* Fast path. At tc ingress bpf_redirect_peer switches skb->dev to lxc-b's peer
 * (eth0@pod-b) and runs another round of __netif_receive_skb_core there: no lxc-b
 * Egress, no veth_xmit, no backlog queue. skb_do_redirect scrubs the skb
 * (pkt_type = PACKET_HOST), so the destination MAC (lxc-a's) does not matter. */
SEC("tc")
int lxc_a_to_pod_b(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (!ipv4_to_pod_b(data, data_end))
		return TC_ACT_OK;
	return bpf_redirect_peer(LXC_B_IFINDEX, 0);
}

/* Classic path. bpf_redirect(ifindex, 0) transmits out of lxc-b (lxc-b plays Egress,
 * its tc egress runs), and veth_xmit hands the frame to eth0@pod-b (Ingress), which runs
 * eth_type_trans again: a frame still addressed to lxc-c's MAC would be PACKET_OTHERHOST
 * and ip_rcv would drop it. So write pod-b's MAC into the Ethernet header first. */
SEC("tc")
int lxc_c_to_pod_b(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if (!ipv4_to_pod_b(eth, data_end))   /* also proves eth + 1 <= data_end */
		return TC_ACT_OK;
	__builtin_memcpy(eth->h_dest, pod_b_mac, ETH_ALEN);
	return bpf_redirect(LXC_B_IFINDEX, 0);
}

char LICENSE[] SEC("license") = "GPL";
