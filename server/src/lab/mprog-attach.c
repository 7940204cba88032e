// The lab's attach for the kernel's multi-program hooks (bpf_mprog): tcx (6.6+) and netkit
// (6.7+). bpftool 7.1 attaches neither, bpftool 7.5 no netkit, iproute2 neither, so this asks
// the kernel directly with BPF_PROG_ATTACH / BPF_PROG_DETACH on an ifindex of the calling
// process's network namespace (run it under `ip netns exec`). netkit programs go through the
// *primary* end's ifindex (drivers/net/netkit.c, netkit_dev_fetch: the peer's gets EACCES).
// Without "first" a program goes after those already there (kernel/bpf/mprog.c appends);
// with it, before all of them (BPF_F_BEFORE, no relative program). It stays attached until it
// is detached or the device goes.
//
//   mprog-attach attach|detach PINNED_PROG IFINDEX tcx-ingress|tcx-egress|netkit-primary|netkit-peer [first]
//
// Built at lab time with the machine's C compiler; the attribute is laid out by hand because
// the machine's linux/bpf.h may predate tcx and netkit.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { CMD_OBJ_GET = 7, CMD_PROG_ATTACH = 8, CMD_PROG_DETACH = 9 };
enum { F_BEFORE = 1u << 3 };

static const struct { const char *name; uint32_t type; } HOOKS[] = {
  { "tcx-ingress", 46 }, { "tcx-egress", 47 }, { "netkit-primary", 54 }, { "netkit-peer", 55 },
};

static long bpf(int cmd, void *attr, unsigned size) {
  return syscall(__NR_bpf, cmd, attr, size);
}

static int usage(const char *argv0) {
  fprintf(stderr, "usage: %s attach|detach PINNED_PROG IFINDEX tcx-ingress|tcx-egress|netkit-primary|netkit-peer [first]\n", argv0);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) return usage(argv[0]);
  int attach = strcmp(argv[1], "attach") == 0;
  if (!attach && strcmp(argv[1], "detach")) return usage(argv[0]);
  int first = argc == 6 && strcmp(argv[5], "first") == 0;
  if (argc == 6 && !first) return usage(argv[0]);
  uint32_t type = 0;
  for (unsigned i = 0; i < sizeof(HOOKS) / sizeof(HOOKS[0]); i++)
    if (strcmp(argv[4], HOOKS[i].name) == 0) type = HOOKS[i].type;
  if (!type) return usage(argv[0]);

  // union bpf_attr for BPF_OBJ_GET: pathname (u64), bpf_fd, file_flags.
  uint64_t get[4] = {0};
  get[0] = (uint64_t)(uintptr_t)argv[2];
  long prog = bpf(CMD_OBJ_GET, get, sizeof(get));
  if (prog < 0) {
    fprintf(stderr, "mprog-attach: %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  // union bpf_attr for BPF_PROG_ATTACH/DETACH: target_ifindex, attach_bpf_fd, attach_type,
  // attach_flags, replace_bpf_fd, relative_fd, expected_revision (u64): 32 bytes.
  uint32_t a[8] = {0};
  a[0] = (uint32_t)strtoul(argv[3], NULL, 10);
  a[1] = (uint32_t)prog;
  a[2] = type;
  a[3] = attach && first ? F_BEFORE : 0;
  if (bpf(attach ? CMD_PROG_ATTACH : CMD_PROG_DETACH, a, sizeof(a)) < 0) {
    int e = errno;
    fprintf(stderr, "mprog-attach: %s %s at %s of ifindex %s: %s%s\n", argv[1], argv[2], argv[4], argv[3], strerror(e),
            e == EACCES ? " (netkit programs attach through the primary end's ifindex)"
            : e == ENXIO ? " (not a netkit device)"
            : e == EINVAL ? " (this kernel may not have this attach type: tcx needs 6.6+, netkit 6.7+)" : "");
    return 1;
  }
  return 0;
}
