// The lab's netkit attach: bpftool (7.5 and older) has no netkit attach and iproute2 none either,
// so this asks the kernel directly. BPF_PROG_ATTACH with attach type BPF_NETKIT_PRIMARY or
// BPF_NETKIT_PEER and the *primary's* ifindex (drivers/net/netkit.c, netkit_dev_fetch: the peer's
// ifindex gets EACCES), in the calling process's network namespace (run it under
// `ip netns exec`). No flags: the program goes after those already there, and stays attached
// until it is detached or the device goes.
//
//   netkit-attach PINNED_PROG IFINDEX primary|peer
//
// Built at lab time with the host's C compiler; the attribute is laid out by hand because the
// machine's linux/bpf.h may predate netkit (6.7).
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { CMD_OBJ_GET = 7, CMD_PROG_ATTACH = 8 };
enum { ATTACH_NETKIT_PRIMARY = 54, ATTACH_NETKIT_PEER = 55 };

static long bpf(int cmd, void *attr, unsigned size) {
  return syscall(__NR_bpf, cmd, attr, size);
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[3], "primary") && strcmp(argv[3], "peer"))) {
    fprintf(stderr, "usage: %s PINNED_PROG IFINDEX primary|peer\n", argv[0]);
    return 2;
  }
  // union bpf_attr for BPF_OBJ_GET: pathname (u64), bpf_fd, file_flags.
  uint64_t get[4] = {0};
  get[0] = (uint64_t)(uintptr_t)argv[1];
  long prog = bpf(CMD_OBJ_GET, get, sizeof(get));
  if (prog < 0) {
    fprintf(stderr, "netkit-attach: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  // union bpf_attr for BPF_PROG_ATTACH: target_ifindex, attach_bpf_fd, attach_type, attach_flags,
  // replace_bpf_fd, relative_fd, expected_revision (u64): 32 bytes, all else zero.
  uint32_t attach[8] = {0};
  attach[0] = (uint32_t)strtoul(argv[2], NULL, 10);
  attach[1] = (uint32_t)prog;
  attach[2] = strcmp(argv[3], "primary") == 0 ? ATTACH_NETKIT_PRIMARY : ATTACH_NETKIT_PEER;
  if (bpf(CMD_PROG_ATTACH, attach, sizeof(attach)) < 0) {
    int e = errno;
    fprintf(stderr, "netkit-attach: ifindex %s, netkit %s: %s%s\n", argv[2], argv[3], strerror(e),
            e == EACCES ? " (netkit programs attach through the primary end's ifindex)"
            : e == ENXIO ? " (not a netkit device)"
            : e == EINVAL ? " (this kernel has no netkit attach types)" : "");
    return 1;
  }
  return 0;
}
