#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Forwarding in tc, between three namespaces:
#
#   ns_src: veth_src <--> veth_src_fwd :ns_fwd: veth_dst_fwd <--> veth_dst :ns_dst
#
# ns_fwd has forwarding off: only the tc programs move packets across.
# The host-side ends get fixed indexes (20, 30): the programs' IFINDEX_SRC and
# IFINDEX_DST defaults, so no loader has to patch .rodata.

set -eu

readonly IP4_SRC=172.16.1.100
readonly IP4_DST=172.16.2.100
readonly PIN=/sys/fs/bpf/tc_peer
readonly PROGS=progs

ret=0

cleanup()
{
	rm -rf "$PIN"
	ip netns del ns_src 2>/dev/null || true
	ip netns del ns_fwd 2>/dev/null || true
	ip netns del ns_dst 2>/dev/null || true
}

setup()
{
	ip netns add ns_src
	ip netns add ns_fwd
	ip netns add ns_dst

	ip -n ns_fwd link add veth_src_fwd index 20 type veth peer name veth_src netns ns_src
	ip -n ns_fwd link add veth_dst_fwd index 30 type veth peer name veth_dst netns ns_dst

	ip -n ns_src addr add $IP4_SRC/32 dev veth_src
	ip -n ns_dst addr add $IP4_DST/32 dev veth_dst
	for ns in ns_src ns_fwd ns_dst; do
		ip netns exec $ns sysctl -qw net.ipv4.ip_forward=0
		ip -n $ns link set dev lo up
	done
	ip -n ns_src link set dev veth_src up
	ip -n ns_dst link set dev veth_dst up
	ip -n ns_fwd link set dev veth_src_fwd up
	ip -n ns_fwd link set dev veth_dst_fwd up

	ip -n ns_fwd route add $IP4_SRC/32 dev veth_src_fwd scope global
	ip -n ns_fwd route add $IP4_DST/32 dev veth_dst_fwd scope global
	ip -n ns_src route add default dev veth_src
	ip -n ns_dst route add default dev veth_dst

	ip netns exec ns_fwd tc qdisc add dev veth_src_fwd clsact
	ip netns exec ns_fwd tc qdisc add dev veth_dst_fwd clsact
}

check_ping()
{
	if ip netns exec ns_src ping -c 1 -W 1 -q $IP4_DST >/dev/null; then
		echo "PASS: $1"
	else
		echo "FAIL: $1"
		ret=1
	fi
}

test_neigh()
{
	ip netns exec ns_fwd tc filter add dev veth_src_fwd ingress bpf da obj $PROGS/test_tc_neigh.o sec src_ingress
	ip netns exec ns_fwd tc filter add dev veth_dst_fwd ingress bpf da obj $PROGS/test_tc_neigh.o sec dst_ingress
	ip netns exec ns_fwd tc filter add dev veth_src_fwd egress bpf da obj $PROGS/test_tc_neigh.o sec chk_egress
	ip netns exec ns_fwd tc filter add dev veth_dst_fwd egress bpf da obj $PROGS/test_tc_neigh.o sec chk_egress
	check_ping "redirect_neigh"
	ip netns exec ns_fwd tc filter del dev veth_src_fwd ingress
	ip netns exec ns_fwd tc filter del dev veth_dst_fwd ingress
	ip netns exec ns_fwd tc filter del dev veth_src_fwd egress
	ip netns exec ns_fwd tc filter del dev veth_dst_fwd egress
}

test_peer()
{
	# Programs are not tied to a namespace: load them once, outside.
	bpftool prog loadall $PROGS/test_tc_peer.o $PIN
	ip netns exec ns_fwd bpftool net attach tcx_ingress name peer_src dev veth_src_fwd
	ip netns exec ns_fwd bpftool net attach tcx_ingress name peer_dst dev veth_dst_fwd
	ip netns exec ns_fwd bpftool net attach tcx_egress name peer_chk dev veth_src_fwd
	check_ping "redirect_peer"
	ip netns exec ns_fwd bpftool net detach tcx_ingress dev veth_src_fwd
}

test_xmit()
{
	# ip netns exec mounts a fresh /sys: reach the pins through nsenter instead.
	nsenter --net=/run/netns/ns_fwd bpftool net attach tcx_ingress pinned $PIN/xmit_dst dev veth_src_fwd
	ip -n ns_dst link set dev veth_dst xdp obj $PROGS/xdp_dummy.o sec xdp
	check_ping "redirect to egress"
}

trap cleanup EXIT
cleanup
make -s -C $PROGS test_tc_neigh.o test_tc_peer.o xdp_dummy.o
setup
test_neigh
test_peer
test_xmit
exit $ret
