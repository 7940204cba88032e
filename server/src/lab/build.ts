// The topology as commands: namespaces, links (veth pairs; NICs stood in by veth pairs along
// their wires, or toward the world namespace), bridges, MACs, addresses, routes, sysctls and
// the neighbour set-up that the engine's paths assume (datapath.md, "What a path assumes").
// Pure: every function returns commands; lab.ts runs them.
import type { PathResult } from '../datapath/path';
import { partnerOf, type Links } from '../datapath/links';
import type { Fib } from '../datapath/routing';
import { contains, formatIp } from '../topology/address';
import { HOST_NS, type Device, type DevKey, type Topology } from '../topology/model';
import { LabError, type Cmd } from './exec';
import { deviceNameProblem, labNs, worldNs, worldPeerName } from './naming';
import type { LabDeviceState } from './state';

export interface DevicePlan {
  /** Topology devices by key, and the world peers by the key of their NIC. */
  devices: Map<DevKey, LabDeviceState>;
  worldPeers: Map<DevKey, LabDeviceState>;
  /** Lab namespace of every topology namespace (and the world). */
  nsOf: Map<string, string>;
  world: string;
}

/** First index handed out to devices without `ifindex` (lo is 1; explicit ones are kept). */
export const FIRST_AUTO_IFINDEX = 100;

/**
 * Every device the lab creates, with an ifindex unique across the whole lab: the probes
 * identify a device by `skb->ifindex` alone, so two devices may not share one even in two
 * namespaces. Explicit `ifindex` values are honoured.
 */
export function planDevices(topo: Topology, prefix: string): DevicePlan {
  const nsOf = new Map<string, string>([[HOST_NS, labNs(prefix, HOST_NS)]]);
  for (const ns of topo.namespaces.keys()) nsOf.set(ns, labNs(prefix, ns));
  const world = worldNs(prefix);
  const used = new Map<number, DevKey>();
  for (const d of topo.devices.values()) {
    const problem = deviceNameProblem(d.name);
    if (problem) throw new LabError(`${d.key}: ${problem}`);
    if (d.ifindex === undefined) continue;
    if (d.ifindex < 2) throw new LabError(`${d.key}: ifindex ${d.ifindex} belongs to lo in every namespace`);
    const other = used.get(d.ifindex);
    if (other) throw new LabError(`${d.key} and ${other} both have ifindex ${d.ifindex}: the lab's probes tell devices apart by ifindex, so it needs distinct values across namespaces`);
    used.set(d.ifindex, d.key);
  }
  let next = FIRST_AUTO_IFINDEX;
  const auto = () => { while (used.has(next)) next++; used.set(next, '(auto)'); return next; };
  const devices = new Map<DevKey, LabDeviceState>();
  const worldPeers = new Map<DevKey, LabDeviceState>();
  for (const d of topo.devices.values()) {
    devices.set(d.key, { key: d.key, name: d.name, labNs: nsOf.get(d.ns)!, ifindex: d.ifindex ?? auto(), ...(d.mac ? { mac: d.mac } : {}) });
  }
  let n = 0;
  for (const d of topo.devices.values()) {
    if (d.kind !== 'nic' || d.wire) continue;
    const name = worldPeerName(n++);
    worldPeers.set(d.key, { key: `${name}@+world`, name, labNs: world, ifindex: auto(), world: true });
  }
  return { devices, worldPeers, nsOf, world };
}

const ipn = (ns: string, ...args: string[]): Cmd => ({ argv: ['ip', '-n', ns, ...args] });

/** Runs `lines` in a namespace through one shell (sysctls written to /proc/sys). */
export function nsShell(ns: string, lines: string[]): Cmd {
  return { argv: ['ip', 'netns', 'exec', ns, 'sh', '-ec', lines.join('\n')] };
}

const sysctl = (key: string, value: string | number) => `echo ${value} > /proc/sys/${key.replace(/\./g, '/')}`;
const devSysctl = (dev: string, key: string, value: number) => `echo ${value} > /proc/sys/net/ipv4/conf/${dev}/${key}`;

/**
 * `ip netns add` for every namespace, then the sysctls a new namespace must not inherit
 * from the machine (net.core.devconf_inherit_init_net): ip_forward as the topology says
 * (`host` forwards, the world does not), rp_filter 0, IPv6 off (no noise), lo up.
 */
export function namespaceCommands(topo: Topology, plan: DevicePlan): Cmd[] {
  const out: Cmd[] = [];
  const all: Array<[string, boolean]> = [...plan.nsOf].map(([ns, lab]) => [lab, ns === HOST_NS || !!topo.namespaces.get(ns)?.forwarding]);
  all.push([plan.world, false]);
  for (const [lab, forwarding] of all) {
    out.push({ argv: ['ip', 'netns', 'add', lab] });
    out.push(nsShell(lab, [
      sysctl('net.ipv4.ip_forward', forwarding ? 1 : 0),
      sysctl('net.ipv4.conf.all.rp_filter', 0),
      sysctl('net.ipv4.conf.default.rp_filter', 0),
      sysctl('net.ipv6.conf.all.disable_ipv6', 1),
      sysctl('net.ipv6.conf.default.disable_ipv6', 1),
    ]));
    out.push(ipn(lab, 'link', 'set', 'dev', 'lo', 'up'));
  }
  return out;
}

/** veth pairs, NIC stand-ins, bridges; then MACs, bridge ports, addresses, and every link up. */
export function linkCommands(topo: Topology, plan: DevicePlan): Cmd[] {
  const out: Cmd[] = [];
  const lab = (k: DevKey) => plan.devices.get(k)!;
  const pair = (a: LabDeviceState, b: LabDeviceState) =>
    out.push(ipn(a.labNs, 'link', 'add', a.name, 'index', String(a.ifindex), 'type', 'veth', 'peer', 'name', b.name, 'netns', b.labNs, 'index', String(b.ifindex)));
  // The primary end is created with the peer (drivers/net/netkit.c: one RTM_NEWLINK makes both).
  const netkit = (p: LabDeviceState, q: LabDeviceState, mode: string) =>
    out.push(ipn(p.labNs, 'link', 'add', p.name, 'index', String(p.ifindex), 'type', 'netkit', 'mode', mode, 'peer', 'name', q.name, 'netns', q.labNs, 'index', String(q.ifindex)));
  const done = new Set<DevKey>();
  for (const d of topo.devices.values()) {
    if (done.has(d.key)) continue;
    done.add(d.key);
    if (d.kind === 'veth' && d.peer) { done.add(d.peer); pair(lab(d.key), lab(d.peer)); }
    else if (d.kind === 'netkit' && d.peer) {
      done.add(d.peer);
      const [p, q] = d.netkitEnd === 'primary' ? [d.key, d.peer] : [d.peer, d.key];
      netkit(lab(p), lab(q), d.netkitMode ?? 'l3');
    }
    else if (d.kind === 'nic' && d.wire) { done.add(d.wire); pair(lab(d.key), lab(d.wire)); }
    else if (d.kind === 'nic') pair(lab(d.key), plan.worldPeers.get(d.key)!);
    else if (d.kind === 'bridge') out.push(ipn(lab(d.key).labNs, 'link', 'add', d.name, 'index', String(lab(d.key).ifindex), 'type', 'bridge'));
    else throw new LabError(`${d.key}: a ${d.kind} without its other end cannot be built`);
  }
  for (const d of topo.devices.values()) if (d.mac) out.push(ipn(lab(d.key).labNs, 'link', 'set', 'dev', d.name, 'address', d.mac));
  for (const d of topo.devices.values()) if (d.master) out.push(ipn(lab(d.key).labNs, 'link', 'set', 'dev', d.name, 'master', topo.devices.get(d.master)!.name));
  for (const d of topo.devices.values()) for (const c of d.addrs) out.push(ipn(lab(d.key).labNs, 'addr', 'add', c.text, 'dev', d.name));
  for (const d of topo.devices.values()) out.push(ipn(lab(d.key).labNs, 'link', 'set', 'dev', d.name, 'up'));
  for (const w of plan.worldPeers.values()) out.push(ipn(w.labNs, 'link', 'set', 'dev', w.name, 'up'));
  return out;
}

/** Per device: rp_filter 0 (the kernel takes max(all, dev)), proxy_arp where the paths need it. */
export function deviceSysctlCommands(topo: Topology, plan: DevicePlan, proxyArp: Set<DevKey>): Cmd[] {
  const byNs = new Map<string, string[]>();
  const add = (ns: string, line: string) => byNs.set(ns, [...(byNs.get(ns) ?? []), line]);
  for (const d of topo.devices.values()) {
    const ns = plan.devices.get(d.key)!.labNs;
    add(ns, devSysctl(d.name, 'rp_filter', 0));
    add(ns, devSysctl(d.name, 'proxy_arp', proxyArp.has(d.key) ? 1 : 0));
  }
  for (const w of plan.worldPeers.values()) add(w.labNs, devSysctl(w.name, 'rp_filter', 0));
  return [...byNs].map(([ns, lines]) => nsShell(ns, lines));
}

/** `route` statements; `onlink` when the gateway is outside every prefix of the named device. */
export function routeCommands(topo: Topology, plan: DevicePlan): Cmd[] {
  return topo.routes.map((r) => {
    const args = ['route', 'add', r.dest ? r.dest.text : 'default'];
    if (r.viaText) args.push('via', r.viaText);
    if (r.dev) args.push('dev', topo.devices.get(r.dev)!.name);
    if (r.via !== undefined && r.dev && !topo.devices.get(r.dev)!.addrs.some((c) => contains(c, r.via!))) args.push('onlink');
    return ipn(plan.nsOf.get(r.ns)!, ...args);
  });
}

export interface NeighbourNeed {
  /** The device that sends, and the address it must resolve. */
  dev: DevKey;
  ip: number;
  /** Whose MAC answers: a topology device, or the world peer of a NIC without a wire. */
  owner: { dev: DevKey } | { worldPeerOf: DevKey };
  why: string;
}

/**
 * Proxy ARP: a route without a gateway (`default dev eth0`) makes the namespace ARP for every
 * destination on that link; the link partner answers by proxy ARP when its namespace forwards
 * (arp_fwd_proxy). The same for every proxy answer the predicted paths rely on.
 */
export function proxyArpDevices(topo: Topology, paths: PathResult[], fib: Fib, links: Links): Set<DevKey> {
  const out = new Set<DevKey>();
  for (const r of topo.routes) {
    if (r.via !== undefined || !r.dev) continue;
    const d = topo.devices.get(r.dev)!;
    const p = partnerOf(d);
    const partner = p ? topo.devices.get(p) : undefined;
    if (partner && !partner.master && (partner.ns === HOST_NS || topo.namespaces.get(partner.ns)?.forwarding)) out.add(partner.key);
  }
  for (const n of neighbourResolutions(paths, fib, links)) {
    if (n.res.dest.kind === 'mac' && !topo.devices.get(n.res.dest.owner)!.addrs.some((c) => c.addr === n.ip)) out.add(n.res.dest.owner);
  }
  return out;
}

/** Each (device, next hop) that a predicted path resolves with ARP after a routing decision. */
function neighbourResolutions(paths: PathResult[], fib: Fib, links: Links) {
  const out: Array<{ dev: Device; ip: number; res: NonNullable<ReturnType<Links['resolve']>> }> = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (p.dstIp === undefined) continue;
    for (const h of p.hops) {
      if (h.role !== 'egress' || h.via !== 'stack') continue;
      const hit = fib.lookup(h.ns, p.dstIp);
      const ip = hit && hit.dev === h.dev ? hit.nextHop : p.dstIp;
      const k = `${h.dev}|${ip}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const dev = links.dev(h.dev);
      const res = links.resolve(dev, ip);
      if (res) out.push({ dev, ip, res });
    }
  }
  return out;
}

/**
 * Permanent neighbour entries: where the next hop is outside the model (its MAC is the world
 * peer's), and where an eBPF program sits on the link the ARP would cross (it may drop or
 * redirect the ARP itself: the paths assume neighbours are resolved).
 */
export function neighbourNeeds(topo: Topology, paths: PathResult[], fib: Fib, links: Links): NeighbourNeed[] {
  const out: NeighbourNeed[] = [];
  for (const { dev, ip, res } of neighbourResolutions(paths, fib, links)) {
    const seg = links.segment(dev.key);
    if (res.dest.kind === 'external') {
      const nic = seg.find((d) => d.kind === 'nic' && !d.wire);
      if (nic) out.push({ dev: dev.key, ip, owner: { worldPeerOf: nic.key }, why: `${formatIp(ip)} is outside the model, behind ${nic.key}` });
      continue;
    }
    if (res.dest.kind !== 'mac') continue;
    const progs = topo.attachments.filter((a) => seg.some((d) => d.key === a.dev));
    if (progs.length) out.push({ dev: dev.key, ip, owner: { dev: res.dest.owner }, why: `${progs.map((a) => `${a.prog} at ${a.hook} of ${a.dev}`).join(', ')} sits on the link the ARP would cross` });
  }
  return out;
}

export function neighbourCommands(topo: Topology, plan: DevicePlan, needs: NeighbourNeed[], macOf: (d: LabDeviceState) => string): Cmd[] {
  return needs.map((n) => {
    const d = plan.devices.get(n.dev)!;
    const owner = 'dev' in n.owner ? plan.devices.get(n.owner.dev)! : plan.worldPeers.get(n.owner.worldPeerOf)!;
    return ipn(d.labNs, 'neigh', 'replace', formatIp(n.ip), 'lladdr', macOf(owner), 'dev', topo.devices.get(n.dev)!.name, 'nud', 'permanent');
  });
}

/** `ip -j link show` of one namespace → name → (ifindex, MAC). */
export function parseLinks(json: string): Map<string, { ifindex: number; mac: string }> {
  const out = new Map<string, { ifindex: number; mac: string }>();
  for (const l of JSON.parse(json || '[]') as Array<{ ifindex: number; ifname: string; address?: string }>) {
    out.set(l.ifname, { ifindex: l.ifindex, mac: l.address ?? '' });
  }
  return out;
}
