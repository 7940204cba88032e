// The FIB of one namespace: connected routes of device addresses plus `route` statements,
// longest prefix first (fib_table_lookup). Built once per topology and namespace.
import { contains, network } from '../topology/address';
import type { Device, DevKey, Route, Topology } from '../topology/model';

export interface RouteHit {
  dev: DevKey;
  /** The address whose MAC the frame will carry: the gateway, or the destination itself. */
  nextHop: number;
  gateway: boolean;
  /** The statement, or undefined for a connected route. */
  route?: Route;
  text: string;
}

interface Entry { net: number; len: number; dev?: DevKey; via?: number; route?: Route; text: string }

export class Fib {
  private readonly tables = new Map<string, Entry[]>();
  private readonly local = new Map<string, Set<number>>();

  constructor(private readonly topo: Topology) {
    for (const d of topo.devices.values()) {
      const local = this.localSet(d.ns);
      for (const c of d.addrs) {
        local.add(c.addr);
        this.table(d.ns).push({ net: network(c), len: c.len, dev: d.key, text: `${c.text} dev ${d.name} (connected)` });
      }
    }
    for (const r of topo.routes) {
      this.table(r.ns).push({
        net: r.dest ? network(r.dest) : 0, len: r.dest ? r.dest.len : 0, dev: r.dev, via: r.via, route: r,
        text: `${r.destText}${r.viaText ? ` via ${r.viaText}` : ''}${r.dev ? ` dev ${r.dev.split('@')[0]}` : ''}`,
      });
    }
    // Stable sort keeps connected routes ahead of equal-length statements, as the kernel
    // installs them first.
    for (const t of this.tables.values()) t.sort((a, b) => b.len - a.len);
  }

  private table(ns: string): Entry[] {
    let t = this.tables.get(ns);
    if (!t) this.tables.set(ns, (t = []));
    return t;
  }

  private localSet(ns: string): Set<number> {
    let s = this.local.get(ns);
    if (!s) this.local.set(ns, (s = new Set()));
    return s;
  }

  /** The kernel's local table: any address of any device of the namespace is local. */
  isLocal(ns: string, ip: number): boolean {
    return this.local.get(ns)?.has(ip) ?? false;
  }

  lookup(ns: string, ip: number, depth = 0): RouteHit | undefined {
    for (const e of this.tables.get(ns) ?? []) {
      if (!contains({ addr: e.net, len: e.len, text: '' }, ip)) continue;
      if (e.via === undefined) return e.dev ? { dev: e.dev, nextHop: ip, gateway: false, route: e.route, text: e.text } : undefined;
      // A gateway without `dev` leaves through the device that reaches the gateway.
      const dev = e.dev ?? (depth < 4 ? this.lookup(ns, e.via, depth + 1)?.dev : undefined);
      return dev ? { dev, nextHop: e.via, gateway: true, route: e.route, text: e.text } : undefined;
    }
    return undefined;
  }

  /** The address a socket would send from: the out device's, else any of the namespace's. */
  sourceFor(ns: string, dev: Device | undefined): number | undefined {
    if (dev?.addrs.length) return dev.addrs[0].addr;
    const any = [...this.topo.devices.values()].find((d) => d.ns === ns && d.addrs.length);
    return any?.addrs[0].addr;
  }
}
