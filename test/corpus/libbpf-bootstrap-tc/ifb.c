// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ifb: shape what DEV receives by bouncing it through IFB, mirror what DEV sends.
 *
 *   ./ifb eth0 ifb0 mon0
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include "ifb.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "eth0";
	const char *ifb = argc > 2 ? argv[2] : "ifb0";
	const char *mon = argc > 3 ? argv[3] : "mon0";
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);
	struct ifb_bpf *skel;
	int err;

	skel = ifb_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->ifb_ifindex = if_nametoindex(ifb);
	skel->rodata->mirror_ifindex = if_nametoindex(mon);
	err = ifb_bpf__load(skel);
	if (err)
		goto out;

	/* One clsact qdisc on DEV serves both directions. */
	hook.ifindex = if_nametoindex(dev);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		goto out;

	hook.attach_point = BPF_TC_INGRESS;
	opts.prog_fd = bpf_program__fd(skel->progs.redirect_to_ifb);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		goto out;

	hook.attach_point = BPF_TC_EGRESS;
	opts.prog_fd = bpf_program__fd(skel->progs.mirror_tx);
	opts.prog_id = 0;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		goto out;

	/* The shaper sits where IFB transmits: its egress hook. */
	hook.ifindex = if_nametoindex(ifb);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		goto out;
	opts.prog_fd = bpf_program__fd(skel->progs.ingress_shape);
	opts.prog_id = 0;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		goto out;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		sleep(1);
out:
	ifb_bpf__destroy(skel);
	return err ? 1 : 0;
}
