// Copyright (c) 2024 Tigera, Inc. All rights reserved.
// SPDX-License-Identifier: Apache-2.0

package tc

import (
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall" legacy ../../bpf-gpl/tc_legacy.c -- -I../../bpf-gpl

// AttachLegacy is the path for kernels older than 6.6: classic clsact
// filters in direct-action mode. The NAT program sees what the interface
// receives, the policy program what it sends.
func AttachLegacy(ifaceName string) (*legacyObjects, error) {
	lnk, err := netlink.LinkByName(ifaceName)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", ifaceName, err)
	}

	clsact := &netlink.GenericQdisc{
		QdiscAttrs: netlink.QdiscAttrs{
			LinkIndex: lnk.Attrs().Index,
			Handle:    netlink.MakeHandle(0xffff, 0),
			Parent:    netlink.HANDLE_CLSACT,
		},
		QdiscType: "clsact",
	}
	if err := netlink.QdiscReplace(clsact); err != nil {
		return nil, fmt.Errorf("clsact on %s: %w", ifaceName, err)
	}

	objs := &legacyObjects{}
	if err := loadLegacyObjects(objs, nil); err != nil {
		return nil, err
	}

	policy := &netlink.BpfFilter{
		FilterAttrs: netlink.FilterAttrs{
			LinkIndex: lnk.Attrs().Index,
			Parent:    netlink.HANDLE_MIN_EGRESS,
			Handle:    netlink.MakeHandle(0, 1),
			Protocol:  unix.ETH_P_ALL,
			Priority:  1,
		},
		Fd:           objs.CalicoTcPolicy.FD(),
		Name:         "calico_tc_policy",
		DirectAction: true,
	}
	if err := netlink.FilterReplace(policy); err != nil {
		objs.Close()
		return nil, fmt.Errorf("policy filter on %s: %w", ifaceName, err)
	}

	nat := &netlink.BpfFilter{
		FilterAttrs: netlink.FilterAttrs{
			LinkIndex: lnk.Attrs().Index,
			Parent:    netlink.HANDLE_MIN_INGRESS,
			Handle:    netlink.MakeHandle(0, 1),
			Protocol:  unix.ETH_P_ALL,
			Priority:  1,
		},
		Fd:           objs.CalicoTcNat.FD(),
		Name:         "calico_tc_nat",
		DirectAction: true,
	}
	if err := netlink.FilterReplace(nat); err != nil {
		objs.Close()
		return nil, fmt.Errorf("nat filter on %s: %w", ifaceName, err)
	}
	return objs, nil
}
