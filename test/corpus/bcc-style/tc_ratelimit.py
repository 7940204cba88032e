#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Polices what DEV sends and copies what it receives to a monitor device.
#
#   sudo ./tc_ratelimit.py eth0 mon0
import argparse
import time

from bcc import BPF
from pyroute2 import IPRoute

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("dev")
parser.add_argument("monitor")
args = parser.parse_args()

ipr = IPRoute()
idx = ipr.link_lookup(ifname=args.dev)[0]
mon_idx = ipr.link_lookup(ifname=args.monitor)[0]

b = BPF(src_file="tc_ratelimit.c", cflags=["-DMONITOR_IFINDEX=%d" % mon_idx])
fn = b.load_func("rl_classify", BPF.SCHED_CLS)
dup = b.load_func("dup_to_monitor", BPF.SCHED_CLS)

ipr.tc("add", "clsact", idx)
try:
    # egress of the clsact qdisc: ffff:fff3
    ipr.tc("add-filter", "bpf", idx, ":1", fd=fn.fd, name=fn.name,
           parent="ffff:fff3", classid=1, direct_action=True)
    # ingress: ffff:fff2
    ipr.tc("add-filter", "bpf", idx, ":2", fd=dup.fd, name=dup.name,
           parent="ffff:fff2", classid=1, direct_action=True)
    print("Policing %s; Ctrl-C to stop" % args.dev)
    while True:
        time.sleep(1)
        print("mirrored: %d" % sum(v.value for v in b["mirrored"][0]))
except KeyboardInterrupt:
    pass
finally:
    ipr.tc("del", "clsact", idx)
