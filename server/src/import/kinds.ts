// Device kinds: the language's four, and every other kind Linux has (`ip link add type ...`),
// which become `nic` with a comment saying what they really are. Anything else is refused.
export type TopoKind = 'nic' | 'veth' | 'bridge' | 'netkit';

export const OTHER_KINDS = new Set([
  'dummy', 'ifb', 'vxlan', 'geneve', 'gre', 'gretap', 'ip6gre', 'ip6gretap', 'erspan', 'ip6erspan', 'ipip', 'ip6tnl', 'sit', 'vti', 'vti6',
  'macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'vlan', 'bond', 'team', 'vrf', 'tun', 'tap', 'wireguard', 'nlmon', 'can', 'vcan', 'vxcan',
  'hsr', 'macsec', 'xfrm', 'bareudp', 'amt', 'gtp', 'batadv', 'openvswitch', 'rmnet', 'virt_wifi', 'ipoib', 'lowpan', 'wwan',
]);

/** The language's kind, and what to say about it; an unknown kind is an error (undefined). */
export function topoKind(kind: string | undefined): { kind: TopoKind; note?: string } | undefined {
  if (kind === undefined) return { kind: 'nic', note: 'physical' };
  if (kind === 'veth' || kind === 'bridge' || kind === 'netkit') return { kind };
  if (OTHER_KINDS.has(kind)) return { kind: 'nic', note: kind };
  return undefined;
}
