// Walks one packet through a topology, device by device (topology-dsl.md "Semantics"):
// each hop gets the device's role, how the packet got there, the kernel stages and the
// programs that ran; eBPF programs act through ProgramEffects.
import { addressOwner, formatIp } from '../topology/address';
import { HOST_NS, type Attachment, type Device, type DevKey, type Hook, type PathSpec, type Topology } from '../topology/model';
import { Links, macOf, type L2Dest } from './links';
import {
  unknownEffects,
  type Hop, type HookRun, type PathResult, type ProgramEffects, type ProgramOutcome, type Role, type Verdict, type Via,
} from './path';
import { Fib } from './routing';
import { skbDevOf } from './skb-dev';
import * as S from './stages';

export const MAX_HOPS = 64;

interface Step {
  dev: Device;
  role: Role;
  via: Via;
  /** Stages that belong to this hop before its own (how the packet got here). */
  prefix: string[];
  l2: L2Dest;
  notes: string[];
}

type Next = { step: Step } | { verdict: Verdict; reason: string | null };

const TC_INGRESS: Hook[] = ['tcx-ingress', 'tc-ingress'];
const TC_EGRESS: Hook[] = ['tcx-egress', 'tc-egress'];

/** Walks every `path` statement; `fib`/`links` are shared across paths of one topology. */
export function walkAll(topo: Topology, effects: ProgramEffects = unknownEffects): PathResult[] {
  const w = new Walker(topo, effects);
  return topo.paths.map((p) => w.walk(p));
}

export class Walker {
  readonly fib: Fib;
  readonly links: Links;

  /** Devices with an address, by namespace, in declaration order (a path's destination). */
  private readonly addressed = new Map<string, Device[]>();

  constructor(readonly topo: Topology, private readonly effects: ProgramEffects = unknownEffects) {
    this.fib = new Fib(topo);
    this.links = new Links(topo, this.fib);
    for (const d of topo.devices.values()) {
      if (d.addrs.length && !d.master) this.addressed.set(d.ns, [...(this.addressed.get(d.ns) ?? []), d]);
    }
  }

  walk(spec: PathSpec): PathResult {
    const base = { spec, from: spec.from.text, to: spec.to.text };
    const start = this.start(spec);
    if ('reason' in start) return { ...base, verdict: 'dropped', reason: start.reason, hops: [] };
    const { ns, dstIp } = start;
    const result: PathResult = { ...base, dstIp, verdict: 'dropped', reason: null, hops: [] };
    if (this.fib.isLocal(ns, dstIp)) {
      return { ...result, verdict: 'delivered', reason: `${formatIp(dstIp)} is an address of namespace "${ns}": delivered over loopback, no device is crossed` };
    }
    const hit = start.dev
      ? { dev: start.dev.key, nextHop: this.fib.lookup(ns, dstIp)?.dev === start.dev.key ? this.fib.lookup(ns, dstIp)!.nextHop : dstIp, text: `bound to ${start.dev.name}` }
      : this.fib.lookup(ns, dstIp);
    if (!hit) return { ...result, reason: `no route to ${formatIp(dstIp)} in namespace "${ns}" (ip_route_output_flow returns -ENETUNREACH)` };
    const out = this.dev(hit.dev);
    result.srcIp = start.srcIp ?? this.fib.sourceFor(ns, out);
    const srcIp = result.srcIp ?? 0;
    const nb = this.links.resolve(out, hit.nextHop);
    if (!nb) {
      result.hops.push(this.hop({ dev: out, role: 'egress', via: 'stack', prefix: [], l2: { kind: 'none' }, notes: [] }, [...S.LOCAL_OUT.slice(0, -2), 'neigh_resolve_output']));
      return { ...result, reason: `no device answers ARP for ${formatIp(hit.nextHop)} on ${out.key}'s segment: the neighbour stays unresolved and the packet is dropped` };
    }
    let step: Step | undefined = {
      dev: out, role: 'egress', via: 'stack', prefix: S.LOCAL_OUT, l2: nb.dest,
      notes: [`route: ${hit.text}`, ...(nb.note ? [nb.note] : [])],
    };
    const seen = new Set<string>();
    const ctx = { srcIp, dstIp, proto: spec.proto.kind };
    while (step) {
      const key = `${step.dev.key}|${step.role}|${JSON.stringify(step.l2)}`;
      if (seen.has(key) || result.hops.length >= MAX_HOPS) {
        return { ...result, verdict: 'loop', reason: seen.has(key) ? `the packet comes back to ${step.dev.key} as ${step.role} unchanged: a loop` : `more than ${MAX_HOPS} hops` };
      }
      seen.add(key);
      const next: Next = step.role === 'egress' ? this.egress(step, result.hops, ctx) : this.ingress(step, result.hops, ctx);
      if ('verdict' in next) return { ...result, verdict: next.verdict, reason: next.reason };
      step = next.step;
    }
    return result;
  }

  private dev(key: DevKey): Device {
    return this.topo.devices.get(key)!;
  }

  /** Where the path starts and which address it goes to. */
  private start(spec: PathSpec): { ns: string; dstIp: number; srcIp?: number; dev?: Device } | { reason: string } {
    let ns = HOST_NS;
    let srcIp: number | undefined;
    let dev: Device | undefined;
    const f = spec.from;
    if (f.kind === 'ns') ns = f.ns;
    else if (f.kind === 'dev') { dev = this.dev(f.dev); ns = dev.ns; srcIp = dev.addrs[0]?.addr; }
    else {
      const owner = addressOwner(this.topo, f.ip);
      if (!owner) return { reason: `no device has the address ${f.text}: a path starts at a namespace, a device or one of the topology's addresses` };
      ns = owner.ns;
      srcIp = f.ip;
    }
    const t = spec.to;
    if (t.kind === 'ip') return { ns, dstIp: t.ip, srcIp, dev };
    const target = t.kind === 'dev' ? (this.dev(t.dev).addrs.length ? this.dev(t.dev) : undefined) : this.addressed.get(t.ns)?.[0];
    if (!target) return { reason: t.kind === 'dev' ? `${t.dev} has no address to send to` : `namespace "${t.text}" has no address to send to` };
    return { ns, dstIp: target.addrs[0].addr, srcIp, dev };
  }

  private hop(step: Step, stages: string[]): Hop {
    const d = step.dev;
    return { dev: d.key, name: d.name, ns: d.ns, kind: d.kind, role: step.role, via: step.via, hooks: [], stages, notes: [...step.notes] };
  }

  /** The programs at these hooks of `dev`, in the kernel's order: tcx links first, then classic filters by priority. */
  chain(dev: DevKey, hooks: Hook[]): Attachment[] {
    return this.topo.attachments
      .filter((a) => a.dev === dev && hooks.includes(a.hook))
      .sort((a, b) => hooks.indexOf(a.hook) - hooks.indexOf(b.hook) || (a.priority ?? Infinity) - (b.priority ?? Infinity) || a.order - b.order);
  }

  /** Runs a chain until a program ends it; returns the ending outcome (or a pass). */
  private runChain(hop: Hop, atts: Attachment[], role: Role, ctx: { srcIp: number; dstIp: number }): ProgramOutcome | undefined {
    for (const attachment of atts) {
      const outcome = this.effects.outcome({ attachment, dev: hop.dev, role, srcIp: ctx.srcIp, dstIp: ctx.dstIp });
      const run: HookRun = { hook: attachment.hook, prog: attachment.prog, result: outcome.result, attachment, outcome, ...(attachment.file ? { file: attachment.file } : {}) };
      hop.hooks.push(run);
      // TC_ACT_UNSPEC / TCX_NEXT hand on to the next program; an unknown effect is assumed to.
      if (outcome.action === 'next' || outcome.action === 'unknown') continue;
      return outcome;
    }
    return undefined;
  }

  private egress(step: Step, hops: Hop[], ctx: { srcIp: number; dstIp: number; proto: 'icmp' | 'udp' | 'tcp' }): Next {
    const d = step.dev;
    const hop = this.hop(step, [...step.prefix]);
    hops.push(hop);
    if (step.via !== 'xdp-redirect') {
      hop.stages.push(...S.EGRESS_HOOK);
      const o = this.runChain(hop, this.chain(d.key, TC_EGRESS), 'egress', ctx);
      const ended = o && this.verdictOf(hop, o, step, ctx);
      if (ended) return ended;
    }
    if (d.kind === 'netkit') {
      // netkit_xmit runs the pair's programs after skb->dev has become the peer (drivers/net/netkit.c).
      const primary = d.netkitEnd === 'primary' ? d.key : d.peer!;
      hop.stages.push(...S.NETKIT_XMIT);
      const o = this.runChain(hop, this.chain(primary, [d.netkitEnd === 'primary' ? 'netkit-primary' : 'netkit-peer']), 'egress', ctx);
      const ended = o && this.verdictOf(hop, o, step, ctx);
      if (ended) return ended;
    }
    const peer = d.peer ? this.dev(d.peer) : undefined;
    const peerHasXdp = !!peer && this.chain(peer.key, ['xdp']).length > 0;
    if (step.via === 'xdp-redirect') {
      // ndo_xdp_xmit: no skb, no qdisc, no tc egress on the target.
      if (d.kind === 'veth') {
        hop.stages.push('veth_ndo_xdp_xmit', 'veth_xdp_xmit');
        if (!peerHasXdp) return { verdict: 'dropped', reason: `XDP redirect into ${d.key}: its peer ${d.peer} has no XDP program (nor GRO), so veth_xdp_xmit drops the frame silently; attach an XDP program (XDP_PASS will do) to ${d.peer}` };
        return { step: { dev: peer!, role: 'ingress', via: 'xdp-redirect', prefix: [], l2: step.l2, notes: [] } };
      }
      hop.stages.push('ndo_xdp_xmit');
    } else if (d.kind === 'netkit') {
      hop.stages.push(...S.NETKIT_TO_BACKLOG);
    } else {
      hop.stages.push(...S.transmit(d, peerHasXdp));
    }
    switch (d.kind) {
      case 'veth':
      case 'netkit':
        // A pair end whose statement had an error (e.g. the other end reused) has no peer in the model.
        if (!peer) return { verdict: 'dropped', reason: `${d.key} has no peer in the model (its ${d.kind} statement has an error)` };
        return { step: { dev: peer, role: 'ingress', via: d.kind === 'veth' ? 'veth' : 'netkit', prefix: [], l2: step.l2, notes: [] } };
      case 'nic':
        if (!d.wire) return { verdict: 'left', reason: `${d.key} has no wire in the model: the packet leaves it` };
        return { step: { dev: this.dev(d.wire), role: 'ingress', via: 'wire', prefix: [], l2: step.l2, notes: [] } };
      case 'bridge':
        return this.bridgeForward(d, undefined, step, hop);
    }
  }

  private ingress(step: Step, hops: Hop[], ctx: { srcIp: number; dstIp: number; proto: 'icmp' | 'udp' | 'tcp' }): Next {
    const d = step.dev;
    // Native XDP runs in the driver's poll: on a wire's NIC, or in veth_poll when the veth has XDP.
    const nativeXdp = (step.via === 'wire' || step.via === 'veth' || step.via === 'xdp-redirect') ? this.chain(d.key, ['xdp']) : [];
    const hop = this.hop(step, [...step.prefix, ...S.receive(d, step.via, nativeXdp.length > 0)]);
    hops.push(hop);
    for (const stageAtts of [nativeXdp, this.chain(d.key, ['xdp-generic'])]) {
      if (!stageAtts.length) continue;
      if (stageAtts === nativeXdp) {
        // bpf_prog_run_xdp is already among the receive stages, at its place in the poll.
      } else {
        const i = hop.stages.indexOf('__netif_receive_skb_core');
        hop.stages.splice(i + 1, 0, ...S.GENERIC_XDP);
      }
      const o = this.runChain(hop, stageAtts, 'ingress', ctx);
      const ended = o && this.verdictOf(hop, o, step, ctx);
      if (ended) return ended;
    }
    hop.stages.push(...S.INGRESS_HOOK);
    const o = this.runChain(hop, this.chain(d.key, TC_INGRESS), 'ingress', ctx);
    const ended = o && this.verdictOf(hop, o, step, ctx);
    if (ended) return ended;

    if (d.master) {
      hop.stages.push(...S.BRIDGE_IN);
      const br = this.dev(d.master);
      if (this.links.bridgeOwns(br, step.l2)) {
        hop.notes.push(`the frame is addressed to ${br.key} (a local FDB entry): br_pass_frame_up hands it to the bridge device`);
        return { step: { dev: br, role: 'ingress', via: 'up', prefix: [], l2: step.l2, notes: [] } };
      }
      return this.bridgeForward(br, d.key, step, hop);
    }

    // eth_type_trans on the receiving device decided pkt_type; ip_rcv_core drops PACKET_OTHERHOST.
    if (step.via !== 'peer-redirect' && step.via !== 'up' && !this.links.addressedTo(d, step.l2)) {
      hop.stages.push('ip_rcv', 'ip_rcv_core');
      const owner = step.l2.kind === 'mac' ? step.l2.owner : 'a MAC outside the model';
      return { verdict: 'dropped', reason: `the frame is addressed to ${owner}'s MAC, not to ${d.key}: eth_type_trans sets PACKET_OTHERHOST and ip_rcv_core drops it (rewrite h_dest, or use bpf_redirect_neigh / bpf_redirect_peer)` };
    }
    hop.stages.push(...S.IP_IN);
    if (this.fib.isLocal(d.ns, ctx.dstIp)) {
      hop.stages.push(...S.localDeliver(ctx.proto));
      return { verdict: 'delivered', reason: null };
    }
    if (!this.topo.namespaces.get(d.ns)?.forwarding) {
      return { verdict: 'dropped', reason: `forwarding disabled in namespace "${d.ns}" (net.ipv4.ip_forward=0): ${formatIp(ctx.dstIp)} is not local and ip_route_input_slow refuses to forward it` };
    }
    const hit = this.fib.lookup(d.ns, ctx.dstIp);
    if (!hit) return { verdict: 'dropped', reason: `no route to ${formatIp(ctx.dstIp)} in namespace "${d.ns}": ip_route_input_slow finds none (ICMP unreachable)` };
    hop.stages.push('ip_forward');
    const out = this.dev(hit.dev);
    const nb = this.links.resolve(out, hit.nextHop);
    if (!nb) {
      hops.push({ ...this.hop({ dev: out, role: 'egress', via: 'stack', prefix: [], l2: { kind: 'none' }, notes: [] }, ['ip_forward_finish', 'ip_output', 'ip_finish_output2', 'neigh_resolve_output']) });
      return { verdict: 'dropped', reason: `no device answers ARP for ${formatIp(hit.nextHop)} on ${out.key}'s segment: the neighbour stays unresolved` };
    }
    return { step: { dev: out, role: 'egress', via: 'stack', prefix: S.FORWARD_OUT, l2: nb.dest, notes: [`route in "${d.ns}": ${hit.text}`, ...(nb.note ? [nb.note] : [])] } };
  }

  /** br_handle_frame_finish / br_dev_xmit: forward to the port behind the MAC, else flood. */
  private bridgeForward(br: Device, inPort: DevKey | undefined, step: Step, hop: Hop): Next {
    const port = this.links.portToward(br, inPort, step.l2);
    const others = br.ports.filter((p) => p !== inPort);
    if (port && step.l2.kind === 'mac') {
      return { step: { dev: this.dev(port), role: 'egress', via: 'bridge', prefix: S.BRIDGE_OUT, l2: step.l2, notes: [`${br.name}'s FDB: the destination MAC is behind port ${this.dev(port).name}`] } };
    }
    // Unknown unicast (or a MAC outside the model): br_flood copies it to every other port.
    hop.copies = others.filter((p) => p !== port);
    if (port) {
      return { step: { dev: this.dev(port), role: 'egress', via: 'bridge', prefix: S.BRIDGE_FLOOD_OUT, l2: step.l2, notes: [`${br.name} floods the frame (unknown destination); this copy leads on`] } };
    }
    return { verdict: 'dropped', reason: `${br.name} floods the frame to ${others.length} port(s), but no device behind them owns its destination MAC` };
  }

  /** Applies a chain's ending outcome: undefined means the packet goes on at this hop. */
  private verdictOf(hop: Hop, o: ProgramOutcome, step: Step, ctx: { srcIp: number; dstIp: number }): Next | undefined {
    const d = step.dev;
    if (o.action !== 'redirect') return o.action === 'drop' ? { verdict: 'dropped', reason: o.reason } : undefined;
    if (o.kind === 'clone-egress' || o.kind === 'clone-ingress') {
      hop.notes.push(`bpf_clone_redirect sent a copy to ${o.target ?? 'another device'}; the original goes on`);
      return undefined;
    }
    const last = hop.hooks[hop.hooks.length - 1];
    const lastHook = last?.hook;
    if (o.kind === 'peer' && !(step.role === 'ingress' && (lastHook === 'tc-ingress' || lastHook === 'tcx-ingress'))) {
      hop.stages.push('skb_do_redirect');
      return { verdict: 'dropped', reason: `bpf_redirect_peer from ${lastHook ?? step.role}: skb_do_redirect drops the packet, because a peer redirect only works from tc ingress (skb_at_tc_ingress)` };
    }
    const here = last ? skbDevOf(this.dev(last.attachment.dev), last.hook, this.topo.devices) : d;
    const target = this.redirectTarget(o, here, ctx.dstIp);
    if (!target.dev) return { verdict: 'dropped', reason: target.why };
    const t = target.dev;
    hop.notes.push(`${o.helper} → ${t.key} (${target.why})`);
    hop.stages.push(...(S.REDIRECT_STAGES[o.kind] ?? S.REDIRECT_STAGES.egress));
    const readdressed = (): L2Dest => {
      const hit = this.fib.lookup(t.ns, ctx.dstIp);
      return this.links.resolve(t, hit ? hit.nextHop : ctx.dstIp)?.dest ?? step.l2;
    };
    switch (o.kind) {
      case 'peer': {
        const peer = t.peer ? this.dev(t.peer) : undefined;
        if (!peer || peer.ns === here.ns) {
          return { verdict: 'dropped', reason: `bpf_redirect_peer to ${t.key}: ${peer ? `its peer ${peer.key} is in the same namespace as ${here.key}` : `a ${t.kind} has no peer device (ndo_get_peer_dev)`}, so skb_do_redirect drops the packet` };
        }
        // The scrub sets pkt_type = PACKET_HOST and the next round runs no eth_type_trans.
        return { step: { dev: peer, role: 'ingress', via: 'peer-redirect', prefix: [], l2: { kind: 'mac', mac: macOf(peer), owner: peer.key }, notes: [`peer redirect from ${d.key}: no backlog queue, no second softirq`] } };
      }
      case 'ingress':
        if (t.key === d.key && step.role === 'ingress') {
          return { verdict: 'loop', reason: `bpf_redirect(${d.name}, BPF_F_INGRESS) at ${d.key}'s own ingress: the packet goes round through the backlog queue` };
        }
        // A frame readdressed for an ingress redirect is taken to name the target itself (the
        // only address that makes the redirect do anything: PACKET_HOST on the target, then the
        // target's namespace routes it), not the next hop beyond it. Checked on 6.18 (test/lab).
        return { step: { dev: t, role: 'ingress', via: 'redirect', prefix: [], l2: o.rewritesL2 ? { kind: 'mac', mac: macOf(t), owner: t.key } : step.l2, notes: [`redirected from ${d.key} with BPF_F_INGRESS: ${t.name} plays Ingress, as if it had received the packet${o.rewritesL2 ? ` (the program rewrote h_dest: taken to be ${t.name}'s MAC)` : ''}`] } };
      case 'neigh':
        return { step: { dev: t, role: 'egress', via: 'redirect', prefix: S.REDIRECT_OUT, l2: readdressed(), notes: [`bpf_redirect_neigh from ${d.key}: the neighbour subsystem fills the Ethernet header`] } };
      case 'xdp-egress':
      case 'map':
        return { step: { dev: t, role: 'egress', via: 'xdp-redirect', prefix: [], l2: o.rewritesL2 ? readdressed() : step.l2, notes: [`XDP redirect from ${d.key}: ndo_xdp_xmit, no tc egress on ${t.name}`] } };
      default:
        if (t.key === d.key && step.role === 'egress') {
          hop.notes.push(`every redirect re-enters dev_queue_xmit of ${d.name}, so its tc egress programs run again and again (10 or 11 runs in all on kernel 6.18) until __bpf_tx_skb finds the recursion limit`);
          return { verdict: 'dropped', reason: `bpf_redirect(${d.name}, 0) at ${d.key}'s own egress: dev_xmit_recursion hits its limit and the packet is dropped` };
        }
        return { step: { dev: t, role: 'egress', via: 'redirect', prefix: S.REDIRECT_OUT, l2: o.rewritesL2 ? readdressed() : step.l2, notes: [`redirected from ${d.key}: ${t.name} plays Egress; routing, netfilter and bridging of "${d.ns}" are skipped`] } };
    }
  }

  /** The helper's target: what the analysis resolved, else the device the routes pick. */
  private redirectTarget(o: Extract<ProgramOutcome, { action: 'redirect' }>, d: Device, dstIp: number): { dev?: Device; why: string } {
    if (o.target) {
      const t = this.topo.devices.get(o.target);
      if (!t) return { why: `${o.helper} names ${o.target}, which is not in the topology` };
      // skb_do_redirect looks the ifindex up in the namespace of skb->dev only.
      if (t.ns !== d.ns) return { why: `${o.helper} names ${t.key}, but skb_do_redirect looks the ifindex up in namespace "${d.ns}" only: dropped` };
      return { dev: t, why: o.targetHow ?? 'the program names it' };
    }
    const hit = this.fib.lookup(d.ns, dstIp);
    if (!hit) return { why: `${o.helper}'s target is computed at run time and namespace "${d.ns}" has no route to ${formatIp(dstIp)}: target unknown` };
    return { dev: this.dev(hit.dev), why: `the target is computed at run time; assumed to be ${hit.dev}, the device the routes of "${d.ns}" pick for ${formatIp(dstIp)}` };
  }
}
