module github.com/example/calico-style

go 1.22

require (
	github.com/cilium/ebpf v0.16.0
	github.com/vishvananda/netlink v1.3.0
	golang.org/x/sys v0.26.0
)
