// Copyright (c) 2024 Tigera, Inc. All rights reserved.
// SPDX-License-Identifier: Apache-2.0

// Package xdp attaches the early-drop program to host interfaces.
package xdp

import (
	"fmt"
	"net"

	"github.com/cilium/ebpf/link"
)

//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall" xdp ../../bpf-gpl/xdp.c -- -I../../bpf-gpl

// Attach links calico_xdp_main to an interface in generic mode, which every
// driver supports (native mode is opt-in, see AttachNative in the real code).
func Attach(ifaceName string) (link.Link, *xdpObjects, error) {
	iface, err := net.InterfaceByName(ifaceName)
	if err != nil {
		return nil, nil, fmt.Errorf("looking up %s: %w", ifaceName, err)
	}

	objs := &xdpObjects{}
	if err := loadXdpObjects(objs, nil); err != nil {
		return nil, nil, err
	}

	l, err := link.AttachXDP(link.XDPOptions{
		Program:   objs.CalicoXdpMain,
		Interface: iface.Index,
		Flags:     link.XDPGenericMode,
	})
	if err != nil {
		objs.Close()
		return nil, nil, fmt.Errorf("attaching calico_xdp_main to %s: %w", ifaceName, err)
	}
	return l, objs, nil
}
