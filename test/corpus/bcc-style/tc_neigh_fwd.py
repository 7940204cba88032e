#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Forwards what DEV receives according to the routes table: ./tc_neigh_fwd.py eth0
import ctypes as ct
import sys

from bcc import BPF
from pyroute2 import IPRoute

ipr = IPRoute()
idx = ipr.link_lookup(ifname=sys.argv[1])[0]

b = BPF(src_file="tc_neigh_fwd.c")
fn = b.load_func("fwd", BPF.SCHED_CLS)
b["routes"][ct.c_uint(idx)] = ct.c_uint(int(sys.argv[2]) if len(sys.argv) > 2 else idx)

ipr.tc("add", "ingress", idx, "ffff:")
ipr.tc("add-filter", "bpf", idx, ":1", fd=fn.fd, name=fn.name,
       parent="ffff:", action="ok", classid=1, direct_action=True)
try:
    input("Forwarding; Enter to stop\n")
finally:
    ipr.tc("del", "ingress", idx, "ffff:")
