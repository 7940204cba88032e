// The other end of every veth / netkit: `link_index` is the peer's ifindex in the namespace
// that `link_netnsid` names (as this namespace numbers them: `ip netns list-id`). An id
// without a name (the root namespace has none) is found by the peer pointing back.
import type { Link, NsSnapshot } from './snapshot';

export type Peer = { ns: string; ifname: string } | { outside: string };

export const linkKey = (ns: string, ifname: string) => `${ns}\u0000${ifname}`;

const paired = (l: Link) => l.kind === 'veth' || l.kind === 'netkit';

export function resolvePeers(spaces: NsSnapshot[]): Map<string, Peer> {
  const out = new Map<string, Peer>();
  const byName = new Map(spaces.map((s) => [s.name, s]));
  const find = (s: NsSnapshot, ifindex: number, kind: string | undefined) => s.links.find((l) => l.ifindex === ifindex && l.kind === kind);
  for (const s of spaces) {
    for (const l of s.links) {
      if (!paired(l)) continue;
      const key = linkKey(s.name, l.ifname);
      if (l.linkIndex === undefined) { out.set(key, { outside: 'its peer is unknown (no link_index)' }); continue; }
      if (l.linkNetnsid === undefined) {
        const p = find(s, l.linkIndex, l.kind);
        out.set(key, p ? { ns: s.name, ifname: p.ifname } : { outside: `its peer (ifindex ${l.linkIndex}) is not in this namespace` });
        continue;
      }
      const named = s.nsids.get(l.linkNetnsid);
      if (named !== undefined) {
        const t = byName.get(named);
        const p = t && find(t, l.linkIndex, l.kind);
        out.set(key, t && p ? { ns: t.name, ifname: p.ifname } : { outside: t ? `its peer (ifindex ${l.linkIndex}) is missing from namespace ${named}` : `its peer is in namespace ${named}, which was not imported` });
        continue;
      }
      const points = (t: NsSnapshot) => {
        const p = find(t, l.linkIndex!, l.kind);
        return p && p.linkIndex === l.ifindex && p.linkNetnsid !== undefined ? p : undefined;
      };
      const cands = spaces.filter((t) => t !== s && points(t));
      // An id without a name is most often the root namespace (it has no name to list).
      const pick = cands.length === 1 ? cands[0] : cands.find((t) => t.name === '');
      out.set(key, pick ? { ns: pick.name, ifname: points(pick)!.ifname } : { outside: cands.length ? `its peer (ifindex ${l.linkIndex}, nsid ${l.linkNetnsid}) matches several namespaces` : `its peer is in a namespace that was not imported (nsid ${l.linkNetnsid})` });
    }
  }
  // A pair only when both ends agree.
  for (const [k, p] of out) {
    if ('outside' in p) continue;
    const back = out.get(linkKey(p.ns, p.ifname));
    const [ns, ifname] = k.split('\u0000');
    if (!back || 'outside' in back || back.ns !== ns || back.ifname !== ifname) out.set(k, { outside: `its peer ${p.ifname} does not point back to it` });
  }
  return out;
}
