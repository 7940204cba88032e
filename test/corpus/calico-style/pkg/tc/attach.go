// Copyright (c) 2024 Tigera, Inc. All rights reserved.
// SPDX-License-Identifier: Apache-2.0

// Package tc attaches the tc programs to host and workload interfaces.
package tc

import (
	"errors"
	"fmt"
	"net"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall" calico ../../bpf-gpl/tc.c -- -I../../bpf-gpl

// Globals mirrors struct cali_tc_globals.
type Globals struct {
	HostIfindex uint32
	TapIfindex  uint32
	HostIP      uint32
	Flags       uint32
}

// Attachment holds what Attach loaded and linked, for Close.
type Attachment struct {
	objs  calicoObjects
	links []link.Link
}

// Attach loads tc.c for one interface and links its programs:
// the main program and the tap on the receive side, the conntrack-conflict
// handler on the transmit side.
func Attach(ifaceName string, g Globals) (*Attachment, error) {
	iface, err := net.InterfaceByName(ifaceName)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", ifaceName, err)
	}

	spec, err := loadCalico()
	if err != nil {
		return nil, err
	}
	if err := spec.RewriteConstants(map[string]interface{}{"__globals": g}); err != nil {
		return nil, fmt.Errorf("setting globals: %w", err)
	}

	objs := calicoObjects{}
	if err := spec.LoadAndAssign(&objs, nil); err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("verifier: %+v", verr)
		}
		return nil, err
	}
	a := &Attachment{objs: objs}

	mainLink, err := link.AttachTCX(link.TCXOptions{
		Interface: iface.Index,
		Program:   objs.CalicoTcMain,
		Attach:    ebpf.AttachTCXIngress,
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("attaching calico_tc_main to %s: %w", ifaceName, err)
	}
	a.links = append(a.links, mainLink)

	conflictLink, err := link.AttachTCX(link.TCXOptions{
		Program:   objs.CalicoTcHostCtConflict,
		Attach:    ebpf.AttachTCXEgress,
		Interface: iface.Index,
		Anchor:    link.Tail(),
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("attaching calico_tc_host_ct_conflict to %s: %w", ifaceName, err)
	}
	a.links = append(a.links, conflictLink)

	if g.TapIfindex != 0 {
		// The tap must see packets before the main program redirects them.
		tapLink, err := link.AttachTCX(link.TCXOptions{
			Interface: iface.Index,
			Program:   objs.CalicoTcTap,
			Attach:    ebpf.AttachTCXIngress,
			Anchor:    link.BeforeProgram(objs.CalicoTcMain),
		})
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("attaching calico_tc_tap to %s: %w", ifaceName, err)
		}
		a.links = append(a.links, tapLink)
	}
	return a, nil
}

// Close detaches and unloads everything.
func (a *Attachment) Close() error {
	var errs []error
	for _, l := range a.links {
		errs = append(errs, l.Close())
	}
	errs = append(errs, a.objs.Close())
	return errors.Join(errs...)
}
