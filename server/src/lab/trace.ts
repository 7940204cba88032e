// One marked echo request per `path`, sent from FROM's namespace; the probes' events say which
// hooks it passed, the destination's Icmp InEchos counter whether it arrived, the world
// namespace's probe whether it left the model. Then predicted and observed side by side.
import type { PathResult, Verdict } from '../datapath/path';
import { addressOwner, formatIp } from '../topology/address';
import type { Topology } from '../topology/model';
import type { Cmd, Runner } from './exec';
import { pingPattern } from './naming';
import { dumpCommands, MAX_EVENTS, parseCount, parseEvents, resetCounterCommand, type ProbeEvent, type ProbeFiles } from './probes';
import type { LabDeviceState } from './state';

export interface Side { verdict: Verdict; hops: string[] }

export interface TracedPath {
  from: string;
  to: string;
  dst: string | null;
  predicted: Side & { reason: string | null; compared: string[]; unseen: string[] };
  observed: Side & { note: string | null };
  match: boolean;
}

export const hopLabel = (h: { name: string; ns: string; role: string }) => `${h.name}@${h.ns}:${h.role}`;

/**
 * The predicted hops a tc probe can see: every hop whose tc hook runs (sch_handle_ingress /
 * sch_handle_egress). Not seen: the target of an XDP redirect (ndo_xdp_xmit, no tc egress), a
 * device whose XDP program ended the packet before tc ingress, an egress whose neighbour
 * never resolved (the packet waits in the neighbour queue, before dev_queue_xmit).
 */
export function visibleHops(p: PathResult): { compared: string[]; unseen: string[] } {
  const compared: string[] = [];
  const unseen: string[] = [];
  for (const h of p.hops) {
    const seen = h.stages.includes(h.role === 'ingress' ? 'sch_handle_ingress' : 'sch_handle_egress');
    (seen ? compared : unseen).push(hopLabel(h));
  }
  return { compared, unseen };
}

export interface Arrival {
  /** InEchos grew in the destination's namespace. */
  delivered: boolean;
}

/** Consecutive repeats of one hop folded into one, with their counts. */
export function collapse(hops: string[]): { hops: string[]; repeats: Array<[string, number]> } {
  const out: string[] = [];
  const repeats: Array<[string, number]> = [];
  for (let i = 0; i < hops.length; i++) {
    let n = 1;
    while (hops[i + 1] === hops[i]) { i++; n++; }
    out.push(hops[i]);
    if (n > 1) repeats.push([hops[i], n]);
  }
  return { hops: out, repeats };
}

/** Events → observed hops and verdict. `devices` maps the probes' ifindex to lab devices. */
export function observe(events: ProbeEvent[], tag: number[], devices: LabDeviceState[], topo: Topology, arrival: Arrival, total: number): Side & { note: string | null } {
  const byIndex = new Map(devices.map((d) => [d.ifindex, d]));
  const mine = events.filter((e) => e.tag.every((b, i) => b === tag[i]));
  const hops: string[] = [];
  let left = false;
  for (const e of mine) {
    const d = byIndex.get(e.ifindex);
    if (d?.world) { if (e.dir === 'ingress') left = true; continue; }
    const dev = d ? topo.devices.get(d.key) : undefined;
    hops.push(dev ? hopLabel({ name: dev.name, ns: dev.ns, role: e.dir }) : `ifindex ${e.ifindex}:${e.dir}`);
  }
  if (total >= MAX_EVENTS) return { verdict: 'loop', hops: collapse(hops).hops, note: `the probes counted ${total} hook runs for one packet (more than ${MAX_EVENTS}): it goes round` };
  // The same hook several times in a row is one hop whose redirect re-entered it (bounded by
  // dev_xmit_recursion); the same hop again after others is a loop.
  const { hops: once, repeats } = collapse(hops);
  const again = once.find((h, i) => once.indexOf(h) !== i);
  const notes = repeats.map(([h, n]) => `${h} ran ${n} times in a row`);
  if (again) notes.unshift(`${again} saw the packet again after other hops`);
  const note = notes.join('; ') || null;
  if (again) return { verdict: 'loop', hops: once, note };
  if (arrival.delivered) return { verdict: 'delivered', hops: once, note };
  if (left) return { verdict: 'left', hops: once, note: ['the world namespace behind a NIC without a wire received it', note].filter(Boolean).join('; ') };
  return { verdict: 'dropped', hops: once, note };
}

export function compare(p: PathResult, observed: Side & { note: string | null }): TracedPath {
  const { compared, unseen } = visibleHops(p);
  const predicted = { verdict: p.verdict, hops: p.hops.map(hopLabel), reason: p.reason, compared, unseen };
  const match = predicted.verdict === observed.verdict && compared.length === observed.hops.length && compared.every((h, i) => h === observed.hops[i]);
  return { from: p.from, to: p.to, dst: p.dstIp === undefined ? null : formatIp(p.dstIp), predicted, observed, match };
}

/** The InEchos counter of `cat /proc/net/snmp`. */
export function parseInEchos(snmp: string): number {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Icmp:'));
  if (lines.length < 2) throw new Error('no Icmp lines in /proc/net/snmp');
  const names = lines[0].split(/\s+/);
  const values = lines[1].split(/\s+/);
  const i = names.indexOf('InEchos');
  return Number(values[i]);
}

export interface Sender { ns: string; bind?: string }

/** Where a path's packet starts: FROM's lab namespace, bound to a device or address if named. */
export function senderOf(p: PathResult, topo: Topology, nsOf: (ns: string) => string): Sender | undefined {
  const f = p.spec.from;
  if (f.kind === 'ns') return { ns: nsOf(f.ns) };
  if (f.kind === 'dev') { const d = topo.devices.get(f.dev)!; return { ns: nsOf(d.ns), bind: d.name }; }
  const owner = addressOwner(topo, f.ip);
  return owner ? { ns: nsOf(owner.ns), bind: f.text } : undefined;
}

/** The namespace where the destination address is local, if the topology has it. */
export function receiverNs(p: PathResult, topo: Topology): string | undefined {
  if (p.dstIp === undefined) return undefined;
  return addressOwner(topo, p.dstIp)?.ns;
}

/** One echo request, at most one second of waiting for its reply. */
export function pingCommand(s: Sender, dst: number, pattern: string): Cmd {
  return {
    argv: ['ip', 'netns', 'exec', s.ns, 'ping', '-n', '-q', '-c', '1', '-W', '1', '-p', pattern, ...(s.bind ? ['-I', s.bind] : []), formatIp(dst)],
    timeoutMs: 5000, ignoreFailure: true,
  };
}

const snmpCommand = (ns: string): Cmd => ({ argv: ['ip', 'netns', 'exec', ns, 'cat', '/proc/net/snmp'] });

/** Sends every path's packet and compares; the probes must be attached. */
export function tracePaths(
  run: Runner, topo: Topology, paths: PathResult[], devices: LabDeviceState[], probe: ProbeFiles,
  nsOf: (ns: string) => string, nonce: number,
): TracedPath[] {
  const dump = dumpCommands(probe);
  return paths.map((p, i) => {
    const sender = senderOf(p, topo, nsOf);
    if (p.dstIp === undefined || !sender) {
      return compare(p, { verdict: 'dropped', hops: [], note: `nothing to send: ${p.reason ?? 'no source or destination address'}` });
    }
    const pattern = pingPattern(i, nonce);
    const tag = [0, 2, 4, 6].map((o) => parseInt(pattern.slice(o, o + 2), 16));
    const rx = receiverNs(p, topo);
    run(resetCounterCommand(probe));
    const before = rx ? parseInEchos(run(snmpCommand(nsOf(rx))).stdout) : 0;
    run(pingCommand(sender, p.dstIp, pattern));
    const after = rx ? parseInEchos(run(snmpCommand(nsOf(rx))).stdout) : 0;
    const count = parseCount(run(dump.count).stdout);
    const events = parseEvents(run(dump.events).stdout, count);
    return compare(p, observe(events, tag, devices, topo, { delivered: after > before }, count));
  });
}
