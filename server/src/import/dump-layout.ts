// The layout of a dump folder and the one-line shell command that writes it on a node (a
// Kubernetes node: the root namespace plus every `ip netns list` namespace).
//
//   DIR/root/             the root namespace
//   DIR/netns/<name>/     each named namespace
//     link.json           ip -j -d link show
//     addr.json           ip -j addr
//     route.json          ip -j route            (main table)
//     netns-list-id.json  ip -j netns list-id    (this namespace's ids of the others)
//     bpftool-net.json    bpftool -j net show    (empty when bpftool is missing)
//     bpftool-version     bpftool version        (optional: older dumps lack it)
//     ip_forward          /proc/sys/net/ipv4/ip_forward
//     tc-<dev>-ingress.json, tc-<dev>-egress.json   tc -j filter show dev <dev> ingress|egress
export const FILES = {
  link: 'link.json',
  addr: 'addr.json',
  route: 'route.json',
  nsids: 'netns-list-id.json',
  bpftool: 'bpftool-net.json',
  bpftoolVersion: 'bpftool-version',
  forward: 'ip_forward',
  tc: (dev: string, dir: 'ingress' | 'egress') => `tc-${dev}-${dir}.json`,
} as const;

export const ROOT_DIR = 'root';
export const NETNS_DIR = 'netns';

/** Run as root on the node; writes ./dump (set D=... for another folder). Needs iproute2; bpftool optional. */
export const DUMP_COMMAND =
  `D=\${D:-dump}; for n in "" $(ip netns list | cut -d' ' -f1); do d=$D/\${n:+netns/}\${n:-root}; x=\${n:+ip netns exec $n}; mkdir -p $d; ` +
  `$x ip -j -d link show >$d/link.json; $x ip -j addr >$d/addr.json; $x ip -j route >$d/route.json; ` +
  `$x ip -j netns list-id >$d/netns-list-id.json; $x bpftool -j net show >$d/bpftool-net.json 2>/dev/null; $x bpftool version >$d/bpftool-version 2>/dev/null; ` +
  `$x cat /proc/sys/net/ipv4/ip_forward >$d/ip_forward; ` +
  `for v in $($x ls /sys/class/net); do for r in ingress egress; do $x tc -j filter show dev $v $r >$d/tc-$v-$r.json; done; done; done`;
