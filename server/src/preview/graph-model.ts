// What the preview draws, as plain JSON data: the topology (namespaces, devices, links) and
// its walked paths hop by hop, with every explanation from explain.ts and the source range
// each element came from. No Markdown, no HTML: the webview and mermaid.ts present it.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { explainHook, explainRole, explainStage } from '../datapath/explain';
import type { Hop, PathResult, ProgramOutcome, Role, Verdict, Via } from '../datapath/path';
import { formatIp } from '../topology/address';
import type { Attachment, Diagnostic, DevKey, DeviceKind, Hook, Range, Topology } from '../topology/model';

export const GRAPH_MODEL_VERSION = 1;

/** Where an element is written: a click in the picture reveals it. */
export interface Source { uri: string; range: Range }

export interface GraphNamespace {
  /** Generated (`ns0`, ...): never a user name, so it is safe as a mermaid id. */
  id: string;
  name: string;
  forwarding: boolean;
  source?: Source;
}

export interface GraphAttached {
  hook: Hook;
  prog: string;
  source: Source;
  /** The C function, when the workspace has it. */
  programSource?: Source;
}

export interface GraphDevice {
  /** Generated (`d0`, ...). */
  id: string;
  key: DevKey;
  name: string;
  ns: string;
  nsId: string;
  kind: DeviceKind;
  addrs: string[];
  mac?: string;
  ifindex?: number;
  netkit?: { end: 'primary' | 'peer'; mode: 'l2' | 'l3' };
  /** The bridge it is a port of (device id). */
  master?: string;
  attached: GraphAttached[];
  source: Source;
}

export type LinkKind = 'veth' | 'netkit' | 'wire' | 'bridge-port';

export interface GraphLink {
  id: string;
  kind: LinkKind;
  /** Device ids; for a bridge port `a` is the port and `b` the bridge. */
  a: string;
  b: string;
}

export interface GraphHookRun {
  hook: Hook;
  hookExplanation: string;
  prog: string;
  file?: string;
  /** The return code as the analysis knows it (TC_ACT_REDIRECT, unknown, ...). */
  result: string;
  action: ProgramOutcome['action'];
  /** One sentence: what the program did with the packet. */
  effect: string;
  /** The attach line. */
  source: Source;
  programSource?: Source;
  /** A program the preview was opened for (C documents). */
  focus?: boolean;
}

export interface GraphHop {
  /** 1-based position on the path. */
  n: number;
  /** Device id. */
  device: string;
  dev: DevKey;
  name: string;
  ns: string;
  kind: DeviceKind;
  role: Role;
  via: Via;
  /** explainRole: what the role means for this kind of device, given how the packet came. */
  roleExplanation: string;
  /** One sentence: what the device (or its programs) did with the packet. */
  did: string;
  hooks: GraphHookRun[];
  /** Kernel functions in order; their explanations are in GraphModel.glossary. */
  stages: string[];
  notes: string[];
  /** Bridge ports that got a flooded copy (device ids). */
  copies: string[];
}

/** How the packet moves from hop `from` to hop `to` (1-based). */
export interface GraphStep {
  id: string;
  from: number;
  to: number;
  via: Via;
  /** A redirect done by a program rather than the device's own transmit/forwarding. */
  redirect: boolean;
  /** The queue the packet waits in between: the per-CPU backlog, a veth's XDP ring, or none. */
  queue: 'backlog' | 'xdp-ring' | null;
  /** Short, for the edge: "veth_xmit", "bpf_redirect_peer". */
  label: string;
  explanation: string;
  /** For a peer redirect: the device whose Egress and backlog queue are skipped. */
  skips?: string;
}

export interface GraphEnd {
  verdict: Verdict;
  reason: string | null;
  /** Short enough for the picture. */
  summary: string;
  /** The namespace it ends in (for drawing), when known. */
  ns?: string;
}

export interface GraphPath {
  index: number;
  /** "pod1 -> pod2 icmp" */
  label: string;
  from: string;
  to: string;
  proto: string;
  dstIp?: string;
  /** The namespace whose socket sends (where the path starts), when known. */
  startNs?: string;
  verdict: Verdict;
  reason: string | null;
  source: Source;
  hops: GraphHop[];
  steps: GraphStep[];
  end: GraphEnd;
  /** The path runs a program the preview was opened for (C documents). */
  runsFocus?: boolean;
  /** File name for an SVG export of this path (`bridge-pod1-pod2.svg`). */
  exportName: string;
}

export interface GraphError {
  code: string;
  message: string;
  range: Range;
}

export interface GraphModel {
  version: typeof GRAPH_MODEL_VERSION;
  /** The topology file's name without `.topo`: names exports. */
  title: string;
  file: string;
  uri: string;
  namespaces: GraphNamespace[];
  devices: GraphDevice[];
  links: GraphLink[];
  paths: GraphPath[];
  /** Index into `paths` of the path to draw, or null. */
  selected: number | null;
  /** Kernel function → what it does (explain.ts), for every stage the paths pass. */
  glossary: Record<string, string>;
  /** Errors of the topology text (a picture with errors is partial). */
  errors: GraphError[];
  /** File name for an SVG export without a path. */
  exportName: string;
}

export interface GraphModelInput {
  topology: Topology;
  paths: PathResult[];
  /** The chosen path index (out of range or undefined: the first path, if any). */
  selected?: number | null;
  diagnostics?: Diagnostic[];
  /** A file's URI as the client knows it (default: a file: URL). */
  uriOf?: (file: string) => string;
  /** Where an attached program's function is written, when known. */
  programSource?: (a: Attachment) => { file: string; range: Range } | undefined;
  /** The programs the preview was opened for (C documents): their hook runs are marked. */
  focus?: { progs: string[]; file?: string };
}

const defaultUriOf = (file: string): string => pathToFileURL(file).href;

export function buildGraphModel(input: GraphModelInput): GraphModel {
  const { topology: topo } = input;
  const uriOf = input.uriOf ?? defaultUriOf;
  const src = (range: Range): Source => ({ uri: uriOf(topo.file), range });
  const progSrc = (a: Attachment): Source | undefined => {
    const p = input.programSource?.(a);
    return p ? { uri: uriOf(p.file), range: p.range } : undefined;
  };

  const namespaces: GraphNamespace[] = [];
  const nsId = new Map<string, string>();
  const addNs = (name: string) => {
    if (nsId.has(name)) return;
    const n = topo.namespaces.get(name);
    const id = `ns${namespaces.length}`;
    nsId.set(name, id);
    namespaces.push({ id, name, forwarding: n?.forwarding ?? false, ...(n?.range ? { source: src(n.range) } : {}) });
  };
  for (const name of topo.namespaces.keys()) addNs(name);

  const devId = new Map<DevKey, string>();
  [...topo.devices.keys()].forEach((k, i) => devId.set(k, `d${i}`));
  const devices: GraphDevice[] = [...topo.devices.values()].map((d) => {
    addNs(d.ns);
    return {
      id: devId.get(d.key)!, key: d.key, name: d.name, ns: d.ns, nsId: nsId.get(d.ns)!, kind: d.kind,
      addrs: d.addrs.map((c) => c.text),
      ...(d.mac ? { mac: d.mac } : {}),
      ...(d.ifindex !== undefined ? { ifindex: d.ifindex } : {}),
      ...(d.kind === 'netkit' ? { netkit: { end: d.netkitEnd ?? 'primary', mode: d.netkitMode ?? 'l3' } } : {}),
      ...(d.master && devId.has(d.master) ? { master: devId.get(d.master)! } : {}),
      attached: topo.attachments.filter((a) => a.dev === d.key).map((a) => {
        const ps = progSrc(a);
        return { hook: a.hook, prog: a.prog, source: src(a.range), ...(ps ? { programSource: ps } : {}) };
      }),
      source: src(d.nameRange),
    };
  });

  const links: GraphLink[] = [];
  const linked = new Set<string>();
  const link = (kind: LinkKind, a: DevKey, b: DevKey) => {
    const ia = devId.get(a);
    const ib = devId.get(b);
    if (!ia || !ib) return;
    const k = kind === 'bridge-port' ? `${ia}>${ib}` : [ia, ib].sort().join('|');
    if (linked.has(k)) return;
    linked.add(k);
    links.push({ id: `l${links.length}`, kind, a: ia, b: ib });
  };
  for (const d of topo.devices.values()) {
    if (d.peer && (d.kind === 'veth' || d.kind === 'netkit')) link(d.kind, d.key, d.peer);
    if (d.wire) link('wire', d.key, d.wire);
    if (d.master) link('bridge-port', d.key, d.master);
  }

  const glossary: Record<string, string> = {};
  const title = path.basename(topo.file).replace(/\.topo$/, '');
  const paths = input.paths.map((r, index) => graphPath(r, index, { topo, devId, src, progSrc, glossary, focus: input.focus, title }));
  const n = paths.length;
  let selected: number | null = input.selected ?? null;
  if (selected === null || selected < 0 || selected >= n) selected = n ? 0 : null;

  const errors = (input.diagnostics ?? [])
    .filter((d) => d.severity === 'error' && d.file === topo.file)
    .map((d) => ({ code: d.code, message: d.message, range: d.range }));

  return {
    version: GRAPH_MODEL_VERSION,
    title,
    file: topo.file,
    uri: uriOf(topo.file),
    namespaces, devices, links, paths, selected, glossary, errors,
    exportName: exportName([title]),
  };
}

interface PathCtx {
  topo: Topology;
  devId: Map<DevKey, string>;
  src: (r: Range) => Source;
  progSrc: (a: Attachment) => Source | undefined;
  glossary: Record<string, string>;
  focus?: { progs: string[]; file?: string };
  title: string;
}

function protoText(r: PathResult): string {
  const p = r.spec.proto;
  return p.kind === 'icmp' ? 'icmp' : `${p.kind} ${p.port}`;
}

function graphPath(r: PathResult, index: number, c: PathCtx): GraphPath {
  const proto = protoText(r);
  const isFocus = (a: Attachment) => !!c.focus && c.focus.progs.includes(a.prog) && (!c.focus.file || !a.fileAbs || a.fileAbs === c.focus.file);
  const hops: GraphHop[] = r.hops.map((h, i) => {
    for (const fn of h.stages) {
      const e = explainStage(fn);
      if (e) c.glossary[fn] = e;
    }
    return {
      n: i + 1,
      device: c.devId.get(h.dev) ?? h.dev,
      dev: h.dev, name: h.name, ns: h.ns, kind: h.kind, role: h.role, via: h.via,
      roleExplanation: explainRole(h.kind, h.role, h.via),
      did: '',
      hooks: h.hooks.map((run) => {
        const ps = c.progSrc(run.attachment);
        return {
          hook: run.hook, hookExplanation: explainHook(run.hook), prog: run.prog,
          ...(run.file ? { file: run.file } : {}),
          result: run.result, action: run.outcome.action, effect: effectOf(run.outcome),
          source: c.src(run.attachment.range),
          ...(ps ? { programSource: ps } : {}),
          ...(isFocus(run.attachment) ? { focus: true } : {}),
        };
      }),
      stages: [...h.stages],
      notes: [...h.notes],
      copies: (h.copies ?? []).map((k) => c.devId.get(k) ?? k),
    };
  });
  const steps: GraphStep[] = [];
  for (let i = 0; i + 1 < r.hops.length; i++) steps.push(stepBetween(r.hops[i], r.hops[i + 1], i + 1, c));
  const end = endOf(r);
  hops.forEach((h, i) => { h.did = didOf(r.hops[i], r.hops[i + 1], r, c); });
  const startNs = r.hops[0]?.ns ?? (r.spec.from.kind === 'ns' ? r.spec.from.ns : r.spec.from.kind === 'dev' ? c.topo.devices.get(r.spec.from.dev)?.ns : undefined);
  return {
    index,
    label: `${r.from} -> ${r.to}${proto === 'icmp' ? '' : ` ${proto}`}`,
    from: r.from, to: r.to, proto,
    ...(r.dstIp !== undefined ? { dstIp: formatIp(r.dstIp) } : {}),
    ...(startNs ? { startNs } : {}),
    verdict: r.verdict, reason: r.reason,
    source: c.src(r.spec.range),
    hops, steps,
    end: { ...end, ...(r.hops.length ? { ns: r.hops[r.hops.length - 1].ns } : startNs ? { ns: startNs } : {}) },
    ...(hops.some((h) => h.hooks.some((k) => k.focus)) ? { runsFocus: true } : {}),
    exportName: exportName([c.title, r.from, r.to]),
  };
}

/** The program outcome that moved the packet on from this hop, if a program did. */
function redirectOf(h: Hop): Extract<ProgramOutcome, { action: 'redirect' }> | undefined {
  for (let i = h.hooks.length - 1; i >= 0; i--) {
    const o = h.hooks[i].outcome;
    if (o.action === 'redirect' && o.kind !== 'clone-egress' && o.kind !== 'clone-ingress') return o;
  }
  return undefined;
}

function stepBetween(a: Hop, b: Hop, n: number, c: PathCtx): GraphStep {
  const queue: GraphStep['queue'] = a.stages.includes('enqueue_to_backlog') && b.role === 'ingress'
    ? 'backlog'
    : a.stages.includes('ptr_ring_produce') || a.stages.includes('veth_xdp_xmit') ? 'xdp-ring' : null;
  const base = { id: `s${n}`, from: n, to: n + 1, via: b.via, queue };
  const o = redirectOf(a);
  const helper = o?.helper ?? 'a redirect';
  const bridge = (k: DevKey | undefined) => (k ? c.topo.devices.get(k)?.name ?? k : 'the bridge');
  switch (b.via) {
    case 'veth':
      return { ...base, redirect: false, label: queue === 'xdp-ring' ? 'veth_xmit → XDP ring' : 'veth_xmit', explanation: queue === 'xdp-ring'
        ? `${a.dev} transmits (veth_xmit); its peer runs XDP, so the skb goes to the peer's ptr_ring and NAPI (veth_poll) instead of the backlog queue.`
        : `${a.dev} transmits (veth_xmit → __dev_forward_skb → enqueue_to_backlog): the skb waits in this CPU's backlog queue (softnet_data.input_pkt_queue) until NET_RX_SOFTIRQ runs process_backlog for ${b.dev}.` };
    case 'netkit':
      return { ...base, redirect: false, label: 'netkit_xmit', explanation: `${a.dev} transmits (netkit_xmit runs the pair's programs), then ${b.dev} receives through the backlog queue.` };
    case 'wire':
      return { ...base, redirect: false, label: 'wire', explanation: `${a.dev}'s driver puts the frame on its TX ring; it crosses the cable and ${b.dev}'s NIC DMA-writes it into its RX ring (IRQ, NAPI poll).` };
    case 'bridge':
      return { ...base, redirect: false, label: `${bridge(c.topo.devices.get(a.dev)?.master ?? (a.kind === 'bridge' ? a.dev : undefined))} forwards`, explanation: a.kind === 'bridge'
        ? `The bridge device transmits (br_dev_xmit): the FDB lookup picks the port ${b.dev}, which plays Egress.`
        : `The bridge's rx_handler (br_handle_frame) takes the frame from ${a.dev}, looks the destination MAC up in the FDB and forwards it (br_forward → dev_queue_xmit) to the port ${b.dev}, which plays Egress. The bridge itself plays no role.` };
    case 'up':
      return { ...base, redirect: false, label: 'br_pass_frame_up', explanation: `The frame is addressed to the bridge itself: br_pass_frame_up hands it to the bridge device ${b.dev}, which plays Ingress (netif_receive_skb again).` };
    case 'stack':
      return { ...base, redirect: false, label: 'ip_forward', explanation: `${a.ns} routes the packet (ip_route_input → ip_forward → ip_output → dev_queue_xmit) out of ${b.dev}, which plays Egress.` };
    case 'redirect':
      return b.role === 'ingress'
        ? { ...base, redirect: true, label: `${helper} (BPF_F_INGRESS)`, explanation: `${helper} with BPF_F_INGRESS: skb_do_redirect → __bpf_rx_skb → dev_forward_skb → the backlog queue: ${b.dev} plays Ingress, as if it had received the packet.` }
        : { ...base, redirect: true, label: helper, explanation: `${helper}: skb_do_redirect → dev_queue_xmit of ${b.dev}, which plays Egress; routing, netfilter and bridging of "${a.ns}" are skipped.` };
    case 'peer-redirect': {
      const target = o?.target ? c.topo.devices.get(o.target) : undefined;
      const skip = target ? c.devId.get(target.key) : undefined;
      return {
        ...base, redirect: true, label: 'bpf_redirect_peer · no backlog',
        explanation: `bpf_redirect_peer: skb_do_redirect switches skb->dev to ${b.dev}${target ? ` (the peer of ${target.key})` : ''} and runs another round of __netif_receive_skb_core there: no ${target ? `${target.name} ` : ''}Egress, no veth_xmit, no backlog queue, no second softirq.`,
        ...(skip ? { skips: skip } : {}),
      };
    }
    case 'xdp-redirect':
      return { ...base, redirect: true, label: 'XDP redirect', explanation: `XDP_REDIRECT: xdp_do_redirect → ndo_xdp_xmit of ${b.dev}: no skb, no qdisc, no tc egress.` };
  }
}

function didOf(h: Hop, next: Hop | undefined, r: PathResult, c: PathCtx): string {
  if (next) {
    const o = redirectOf(h);
    switch (next.via) {
      case 'redirect':
      case 'peer-redirect':
      case 'xdp-redirect': {
        const prog = h.hooks.find((k) => k.outcome === o)?.prog;
        return `${prog ? `${prog} ` : 'A program '}redirects it with ${o?.helper ?? 'a redirect'} to ${next.dev}, which plays ${next.role === 'ingress' ? 'Ingress' : 'Egress'}${next.via === 'peer-redirect' ? ' directly: no backlog queue' : ''}.`;
      }
      case 'veth': return `Transmits it to its peer ${next.dev} (veth_xmit), through ${h.stages.includes('enqueue_to_backlog') ? 'the per-CPU backlog queue' : 'the peer\'s XDP ring'}.`;
      case 'netkit': return `Transmits it to its peer ${next.dev} (netkit_xmit).`;
      case 'wire': return `Puts it on the wire to ${next.dev} (ndo_start_xmit).`;
      case 'bridge': {
        const br = c.topo.devices.get(h.dev)?.master;
        return h.kind === 'bridge' ? `Transmits through the bridge (br_dev_xmit): the FDB picks port ${next.dev}.` : `Hands it to the bridge${br ? ` ${br}` : ''}, which forwards it to port ${next.dev}.`;
      }
      case 'up': return `The frame is for the bridge itself: it goes up to ${next.dev}.`;
      case 'stack': return `Routes it: ${h.ns} forwards it (ip_forward) out of ${next.dev}.`;
    }
  }
  switch (r.verdict) {
    case 'delivered': {
      const sock = h.stages[h.stages.length - 1];
      return `Delivers it to the local socket${sock ? ` (${sock})` : ''}.`;
    }
    case 'dropped': return `Drops it: ${r.reason ?? 'no reason given'}.`.replace(/\.\.$/, '.');
    case 'left': return 'Sends it out of the model (no wire beyond this NIC).';
    case 'loop': return `Loops: ${r.reason ?? ''}`;
  }
}

function endOf(r: PathResult): GraphEnd {
  const short = (s: string) => {
    const first = s.split(/: |; | \(/)[0];
    return first.length > 64 ? `${first.slice(0, 61)}…` : first;
  };
  switch (r.verdict) {
    case 'delivered': return { verdict: 'delivered', reason: r.reason, summary: 'delivered' };
    case 'left': return { verdict: 'left', reason: r.reason, summary: 'leaves the model' };
    case 'loop': return { verdict: 'loop', reason: r.reason, summary: `loop${r.reason ? `: ${short(r.reason)}` : ''}` };
    case 'dropped': return { verdict: 'dropped', reason: r.reason, summary: `dropped${r.reason ? `: ${short(r.reason)}` : ''}` };
  }
}

/** What a program did, in one sentence. */
function effectOf(o: ProgramOutcome): string {
  switch (o.action) {
    case 'unknown': return o.note ?? 'effect not analysed; the packet is assumed to go on';
    case 'pass': return `returns ${o.result}: the packet goes on`;
    case 'next': return `returns ${o.result}: the next program runs`;
    case 'drop': return `returns ${o.result}: dropped (${o.reason})`;
    case 'redirect': return `${o.helper}${o.target ? ` → ${o.target}` : ''}, returns ${o.result}${o.targetHow ? ` (target: ${o.targetHow})` : ''}`;
  }
}

/** The name an export gets: topology, then the path's ends (`bridge-pod1-pod2.svg`). */
export function exportName(parts: string[]): string {
  const name = parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return `${name || 'datapath'}.svg`;
}
