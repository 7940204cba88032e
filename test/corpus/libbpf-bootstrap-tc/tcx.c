// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Attaches the tcx programs of tcx.bpf.c to one device.
 * Needs libbpf 1.3+ and kernel 6.6+.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tcx.skel.h"

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	exiting = 1;
}

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "eth0";
	int ifindex = if_nametoindex(ifname);
	LIBBPF_OPTS(bpf_tcx_opts, optl);
	struct tcx_bpf *skel;
	int meter_fd, police_fd;
	int err = 0;

	if (!ifindex) {
		fprintf(stderr, "unknown interface %s\n", ifname);
		return 1;
	}

	skel = tcx_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "failed to load tcx skeleton\n");
		return 1;
	}

	/* Links: the section name gives the direction (BPF_TCX_INGRESS / _EGRESS). */
	skel->links.tcx_ingress_filter =
		bpf_program__attach_tcx(skel->progs.tcx_ingress_filter, ifindex, &optl);
	if (!skel->links.tcx_ingress_filter) {
		err = -errno;
		fprintf(stderr, "attach tcx_ingress_filter: %d\n", err);
		goto cleanup;
	}

	skel->links.tcx_egress_acct =
		bpf_program__attach_tcx(skel->progs.tcx_egress_acct, ifindex, &optl);
	if (!skel->links.tcx_egress_acct) {
		err = -errno;
		goto cleanup;
	}

	/* Old-style attachment by fd, no link: survives this process. */
	meter_fd = bpf_program__fd(skel->progs.tcx_legacy_meter);
	err = bpf_prog_attach(meter_fd, ifindex, BPF_TCX_EGRESS, 0);
	if (err) {
		fprintf(stderr, "attach tcx_legacy_meter: %d\n", err);
		goto cleanup;
	}

	/* Police what comes in as well. */
	police_fd = bpf_program__fd(skel->progs.tcx_police);
	err = bpf_prog_attach(police_fd, ifindex, BPF_TCX_INGRESS, 0);
	if (err) {
		fprintf(stderr, "attach tcx_police: %d\n", err);
		goto cleanup;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	while (!exiting)
		sleep(1);

	bpf_prog_detach2(police_fd, ifindex, BPF_TCX_INGRESS);
	bpf_prog_detach2(meter_fd, ifindex, BPF_TCX_EGRESS);
cleanup:
	tcx_bpf__destroy(skel);
	return err ? 1 : 0;
}
