// Layer 2: which devices share a broadcast domain, whose MAC a next hop resolves to (ARP, proxy
// ARP), and which bridge port leads to a MAC (the FDB the bridge would have learnt).
import type { Device, DevKey, Topology } from '../topology/model';
import type { Fib } from './routing';

/** Where a frame is addressed: a device's MAC, every device (broadcast), or a MAC outside the model. */
export type L2Dest = { kind: 'mac'; mac: string; owner: DevKey } | { kind: 'external' } | { kind: 'none' };

/** A device's MAC: the topology's `mac`, else one of its own (every device has its own). */
/** The device at the other end of a device's link: a pair's peer, or a NIC's wire partner. */
export function partnerOf(d: Device): DevKey | undefined {
  return d.kind === 'veth' || d.kind === 'netkit' ? d.peer : d.wire;
}

export function macOf(d: Device): string {
  return d.mac ?? `auto:${d.key}`;
}

export class Links {
  constructor(private readonly topo: Topology, private readonly fib: Fib) {}

  dev(key: DevKey): Device {
    return this.topo.devices.get(key)!;
  }

  /** The devices directly joined to `d` at L2: its pair peer, wire peer, bridge and ports. */
  private adjacent(d: Device): DevKey[] {
    const out: DevKey[] = [];
    // A netkit pair in L2 mode is an Ethernet link like a veth pair (ARP crosses it); L3 mode has no L2.
    if (d.peer && (d.kind === 'veth' || (d.kind === 'netkit' && d.netkitMode === 'l2'))) out.push(d.peer);
    if (d.wire) out.push(d.wire);
    if (d.master) out.push(d.master);
    if (d.kind === 'bridge') out.push(...d.ports);
    return out;
  }

  /** The broadcast domain reached from `start`, without passing through `blocked`. */
  segment(start: DevKey, blocked?: DevKey): Device[] {
    const seen = new Set<DevKey>([start]);
    if (blocked) seen.add(blocked);
    const queue = [start];
    const out: Device[] = [];
    for (let i = 0; i < queue.length; i++) {
      const d = this.dev(queue[i]);
      out.push(d);
      for (const n of this.adjacent(d)) if (!seen.has(n)) { seen.add(n); queue.push(n); }
    }
    return out;
  }

  /** A NIC without a wire opens the segment to the world outside the model. */
  private opensOutside(devs: Device[]): boolean {
    return devs.some((d) => d.kind === 'nic' && !d.wire);
  }

  /**
   * Neighbour resolution (arp_process / neigh_resolve_output) for `nextHop` out of `out`:
   * the device on the segment that owns the address, else a proxy-ARP answer from the link
   * partner (arp_fwd_proxy: forwarding on and a route to the address through another device),
   * else the world outside when the segment leaves the model.
   */
  resolve(out: Device, nextHop: number): { dest: L2Dest; note?: string } | undefined {
    if (out.kind === 'netkit' && out.netkitMode !== 'l2') return { dest: { kind: 'none' }, note: `netkit in L3 mode has no MAC addresses: no ARP` };
    const seg = this.segment(out.key);
    const owner = seg.find((d) => d.key !== out.key && !d.master && d.addrs.some((c) => c.addr === nextHop));
    if (owner) return { dest: { kind: 'mac', mac: macOf(owner), owner: owner.key } };
    const partnerKey = partnerOf(out);
    const partner = partnerKey ? this.dev(partnerKey) : undefined;
    if (partner && !partner.master && this.topo.namespaces.get(partner.ns)?.forwarding) {
      const hit = this.fib.lookup(partner.ns, nextHop);
      if (hit && hit.dev !== partner.key) {
        return { dest: { kind: 'mac', mac: macOf(partner), owner: partner.key }, note: `${partner.key} answers ARP for the destination by proxy ARP (forwarding on, route via ${hit.dev})` };
      }
    }
    if (this.opensOutside(seg)) return { dest: { kind: 'external' }, note: 'the next hop is outside the model; its MAC is assumed resolved' };
    return undefined;
  }

  /** True when `dest` names `d` itself (eth_type_trans sets PACKET_HOST). */
  addressedTo(d: Device, dest: L2Dest): boolean {
    if (dest.kind === 'none') return true;
    return dest.kind === 'mac' && dest.mac === macOf(d);
  }

  /** The bridge's local FDB entries: its own MAC and every port's (br_fdb_insert on br_add_if). */
  bridgeOwns(br: Device, dest: L2Dest): boolean {
    if (dest.kind !== 'mac') return false;
    return dest.mac === macOf(br) || br.ports.some((p) => macOf(this.dev(p)) === dest.mac);
  }

  /** The port (other than `inPort`) behind which `dest` lives, as a learnt FDB would say. */
  portToward(br: Device, inPort: DevKey | undefined, dest: L2Dest): DevKey | undefined {
    for (const p of br.ports) {
      if (p === inPort) continue;
      const behind = this.segment(p, br.key);
      if (dest.kind === 'mac' && behind.some((d) => d.key !== p && macOf(d) === dest.mac)) return p;
      if (dest.kind === 'external' && this.opensOutside(behind)) return p;
    }
    return undefined;
  }
}
