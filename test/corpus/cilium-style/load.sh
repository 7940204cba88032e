#!/usr/bin/env bash
# Compiles the datapath and attaches it, the way the agent does when an
# endpoint is created:  ./load.sh lxc1a2b3c eth0
set -euo pipefail

LXC=${1:?usage: load.sh LXC_DEV [NATIVE_DEV]}
NATIVE=${2:-eth0}
CFLAGS="-O2 -g -target bpf -I. -Wall"

cd "$(dirname "$0")"
clang $CFLAGS -c bpf_lxc.c -o bpf_lxc.o
clang $CFLAGS -c bpf_host.c -o bpf_host.o

# Endpoint: the host-side veth of the pod.
tc qdisc replace dev "$LXC" clsact
tc filter add dev "$LXC" ingress prio 1 handle 1 bpf da obj bpf_lxc.o sec from-container
tc filter add dev "$LXC" egress prio 1 handle 1 bpf da obj bpf_lxc.o sec to-container

# Native device.
tc qdisc replace dev "$NATIVE" clsact
tc filter replace dev "$NATIVE" ingress prio 1 handle 1 bpf da obj bpf_host.o sec from-netdev
tc filter replace dev "$NATIVE" egress prio 1 handle 1 bpf da obj bpf_host.o sec to-netdev

# Overlay and host devices.
tc qdisc replace dev cilium_vxlan clsact
tc filter replace dev cilium_vxlan ingress prio 1 handle 1 bpf da obj bpf_host.o sec from-overlay
tc qdisc replace dev cilium_host clsact
tc filter replace dev cilium_host egress prio 1 handle 1 bpf da obj bpf_host.o sec tc
