// Hovers: what the datapath does at the place under the cursor. C: a program's placement,
// role and return codes; a redirect's destination; a verdict or flag constant. Topology:
// devices, hooks, paths, namespaces and programs. Texts come from the core (explain.ts,
// the walk, the placement); this file only arranges them as Markdown.
import * as path from 'node:path';
import type { Hover, Position, Range } from 'vscode-languageserver';
import { explainHook, explainRole, explainStage, verdictTable } from '../datapath/explain';
import type { Hop, HookRun, PathResult, ProgramOutcome, Role, Via } from '../datapath/path';
import * as S from '../datapath/stages';
import { KERNEL_CONSTANTS } from '../ebpf/constants';
import { verdictMeaning } from '../ebpf/returns';
import { AnalysisEffects, verdictOfValue } from '../inference/effects';
import { progTypeOfHook, roleOfHook, type Confidence, type Placement } from '../inference/placement';
import type { ProgramModel, RedirectFacts } from '../inference/program';
import { resolveTarget } from '../inference/targets';
import type { Workspace } from '../inference/workspace';
import { contains, wordAt } from '../topology/at-position';
import { HOST_NS, isHook, type Attachment, type Device, type Hook, type Topology } from '../topology/model';
import { formatIp } from '../topology/address';
import type { DocumentContext } from './context';
import { blocks, bold, bullets, code, escape, markdownHover, roleName, table } from './markdown';
import { enclosingProgram, isCDoc, placementOf, programNameAt, programsOf, topologyTarget } from './navigation';

export function hover(ctx: DocumentContext, position: Position): Hover | null {
  try {
    if (isCDoc(ctx)) return cHover(ctx, position);
    const hit = topologyTarget(ctx, position);
    if (!hit) return null;
    const { topo, at } = hit;
    switch (at.kind) {
      case 'device': return deviceHover(ctx, topo, at.key, at.range);
      case 'namespace': return namespaceHover(ctx, topo, at.name, at.range);
      case 'hook': return hookHover(ctx, topo, at.attachment, at.range);
      case 'program': return attachedProgramHover(ctx, topo, at.attachment, at.range);
      case 'path': return pathHover(ctx, topo, at.index, at.range);
      case 'keyword': return KEYWORDS[at.word] ? markdownHover(KEYWORDS[at.word], at.range) : null;
    }
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// Shared pieces

const rel = (ctx: DocumentContext, file: string): string => path.relative(path.dirname(ctx.file), file) || path.basename(file);
const where = (ctx: DocumentContext, file: string | undefined, line: number | undefined): string =>
  file ? `${rel(ctx, file)}${line !== undefined ? `:${line + 1}` : ''}` : '';

/** The kernel function in which a hook's programs run. */
const HOOK_STAGE: Record<Hook, string> = {
  'tc-ingress': 'sch_handle_ingress', 'tcx-ingress': 'sch_handle_ingress',
  'tc-egress': 'sch_handle_egress', 'tcx-egress': 'sch_handle_egress',
  xdp: 'bpf_prog_run_xdp', 'xdp-generic': 'do_xdp_generic',
  'netkit-primary': 'netkit_run', 'netkit-peer': 'netkit_run',
};

/** How a device usually receives, when no path says: the default `via` for explainRole. */
function usualVia(d: Device): Via {
  switch (d.kind) {
    case 'veth': return 'veth';
    case 'nic': return 'wire';
    case 'netkit': return 'netkit';
    case 'bridge': return 'up';
  }
}

/** The stages a device passes in a role, when no path shows them (datapath/stages.ts). */
function typicalStages(d: Device, hook: Hook): string[] {
  // netkit programs run in netkit_xmit of the transmitting end: the egress side too.
  if (roleOfHook(hook) === 'egress') return ['dev_queue_xmit', ...S.EGRESS_HOOK, ...S.transmit(d, false)];
  const recv = S.receive(d, usualVia(d), hook === 'xdp');
  if (hook === 'xdp-generic') recv.push(...S.GENERIC_XDP);
  return [...recv, ...S.INGRESS_HOOK, ...(d.master ? S.BRIDGE_IN : S.IP_IN)];
}

function stageLine(fn: string | undefined): string | undefined {
  if (!fn) return undefined;
  const e = explainStage(fn);
  return `${code(fn)}${e ? `: ${escape(e)}` : ''}`;
}

/** "before → hook → after" around the hook's kernel function. */
function stagesAround(stages: string[], hook: Hook, next?: Hop): string | undefined {
  const fn = HOOK_STAGE[hook];
  const i = stages.indexOf(fn);
  if (i < 0) return undefined;
  const before = stages[i - 1];
  const after = stages[i + 1] ?? next?.stages[0];
  return bullets([
    ...(before ? [`just before: ${stageLine(before)}`] : []),
    `the hook: ${stageLine(fn)}`,
    ...(after ? [`just after: ${stageLine(after)}${stages[i + 1] ? '' : ' (on the next device)'}`] : []),
  ]);
}

/** Plain words for what the engine computed for one program run. */
function outcomeText(o: ProgramOutcome): string {
  switch (o.action) {
    case 'redirect':
      return `returns ${code(o.result)}: ${code(o.helper)} → ${o.target ? code(o.target) : 'a target the analysis cannot name'}${o.targetHow ? ` (${escape(o.targetHow)})` : ''}`;
    case 'drop':
      return `returns ${code(o.result)}: **dropped**: ${escape(o.reason)}`;
    case 'pass':
    case 'next':
      return `returns ${code(o.result)}: ${o.action === 'pass' ? 'the packet goes on' : 'the next program (or the default) decides'}${o.note ? ` (${escape(o.note)})` : ''}`;
    case 'unknown':
      return `unknown${o.note ? `: ${escape(o.note)}` : ''}`;
  }
}

/** Where each path runs this attachment: (path, hop index). */
function runsOf(ws: Workspace, topo: Topology, a: Attachment): Array<{ path: PathResult; i: number; run: HookRun }> {
  const out: Array<{ path: PathResult; i: number; run: HookRun }> = [];
  for (const p of ws.paths(topo.file)) {
    p.hops.forEach((h, i) => {
      const run = h.hooks.find((r) => r.attachment === a || (r.attachment.range.start.line === a.range.start.line && r.prog === a.prog && r.hook === a.hook && h.dev === a.dev));
      if (run) out.push({ path: p, i, run });
    });
  }
  return out;
}

/** The engine's outcome for an attachment that no path crosses. */
function outcomeOf(ws: Workspace, topo: Topology, a: Attachment): ProgramOutcome {
  return new AnalysisEffects(topo, (x) => ws.programFor(x)).outcome({ attachment: a, dev: a.dev, role: roleOfHook(a.hook), srcIp: 0, dstIp: 0 });
}

const pathName = (p: PathResult): string => `${p.from} -> ${p.to}`;
const hopName = (h: Hop): string => `${code(h.dev)} ${roleName(h.role)}`;

/** The evidence kind each confidence level rests on. */
const USED_EVIDENCE: Record<Confidence, string> = { declared: 'topology', section: 'section', loader: 'loader', name: 'name', unknown: '' };

const CONFIDENCE: Record<Confidence, string> = {
  declared: 'certain: a topology attach line in the workspace declares it',
  section: 'from the ELF section name (what libbpf\'s auto-attach uses): the direction is sure, the device is not known',
  loader: 'from loader code in the workspace that attaches it',
  name: 'a guess from the function\'s name only (the weakest evidence)',
  unknown: 'nothing says where it runs',
};

function evidenceList(ctx: DocumentContext, pl: Placement): string {
  const head = `**Evidence**: confidence ${bold(pl.confidence)}: ${escape(CONFIDENCE[pl.confidence])}.`;
  if (!pl.evidence.length) return head;
  const used = USED_EVIDENCE[pl.confidence];
  return `${head}\n\n${bullets(pl.evidence.map((e) => `${e.kind}: ${code(e.detail)}${e.file ? ` (${escape(where(ctx, e.file, e.line))})` : ''}${e.kind === used ? ' **(used)**' : pl.confidence === 'section' && e.kind === 'loader' ? ' (names the mechanism when it agrees with the section)' : ' (outweighed)'}`))}`;
}

/** The return-code table for one hook, with where this program returns each code. */
function verdictTableFor(hook: Hook, program?: ProgramModel): string {
  const returned = (value: number) => (program?.returns ?? []).filter((r) => r.value === value).map((r) => `line ${r.range.start.line + 1}`);
  const rows = verdictTable(hook).map((v) => [code(v.name), String(v.value), escape(v.effect), [...new Set(returned(v.value))].join(', ')]);
  return `**Return codes at ${code(hook)}**\n\n${table(['return', 'value', 'what happens', 'returned here'], rows)}`;
}

// ---------------------------------------------------------------------------------------
// C: programs, redirects, constants

function cHover(ctx: DocumentContext, position: Position): Hover | null {
  const named = programNameAt(ctx, position);
  if (named) return programHover(ctx, named);
  const w = wordAt(ctx.text, position);
  for (const p of programsOf(ctx)) {
    for (const r of p.redirects) {
      if (contains(r.range, position) || (r.innerRange && (r.innerFile ?? p.file) === ctx.file && contains(r.innerRange, position))) {
        // Arguments (a flag constant, a variable) get their own hover; the helper name gets this one.
        if (!w || w.word === r.helper || w.word.startsWith('bpf_') || !CONSTANTS[w.word]) return redirectHover(ctx, p, r);
      }
    }
  }
  if (w && CONSTANTS[w.word]) return constantHover(ctx, w.word, w.range, enclosingProgram(ctx, position));
  return null;
}

function programHover(ctx: DocumentContext, p: ProgramModel): Hover {
  const placed = placementOf(ctx.ws, p);
  const pl = placed?.placement;
  const head = `${bold(p.name)}: ${code(`SEC("${p.section}")`)}, a ${escape(p.progType)} program`;
  if (!pl) return markdownHover(head, p.nameRange);

  const summary = summaryOf(pl);
  const sections: string[] = [];
  for (const a of pl.attachments) {
    if (a.attachment && a.topology) sections.push(attachmentSection(ctx, p, a.topology, a.attachment));
  }
  if (!sections.length && isHook(pl.hook)) {
    sections.push(blocks(
      `**At ${code(pl.hook)}**${pl.attachments.length ? ` of ${pl.attachments.map((a) => code(a.dev)).join(', ')}` : ''}: ${escape(explainHook(pl.hook))}`,
      `The device plays **${roleName(roleOfHook(pl.hook))}** when it runs; add an attach line to a topology file to see where the packet comes from and goes next.`,
      `**What its returns mean at ${code(pl.hook)}**${returnsSummary(p, pl.hook)}`,
    ));
  }
  if (pl.hook === 'other' && pl.role !== 'unknown') {
    sections.push(`Runs for ${roleName(pl.role)}, but not at a device hook of the datapath (${escape(pl.evidence[0]?.detail ?? p.section)}).`);
  }
  if (pl.hook === 'unknown') {
    sections.push(`Nothing says where ${code(p.name)} runs. Add ${code(`attach tc-ingress DEV prog ${p.name}`)} to a topology file, or use ${code('SEC("tc/ingress")')} / ${code('SEC("tc/egress")')}.`);
  }
  const hooks = pl.attachments.length ? [...new Set(pl.attachments.map((a) => a.hook))] : isHook(pl.hook) ? [pl.hook] : [];
  // One table per verdict family the program meets (tc, tcx, xdp read the same numbers differently).
  const families = new Map<string, Hook>();
  for (const h of hooks) {
    const fam = progTypeOfHook(h) === 'xdp' ? 'xdp' : h.startsWith('tcx-') || h.startsWith('netkit-') ? 'tcx' : 'tc';
    if (!families.has(fam)) families.set(fam, h);
  }
  if (!families.size) {
    if (p.progType === 'xdp') families.set('xdp', 'xdp');
    else if (p.progType === 'sched_cls') families.set('tc', 'tc-ingress');
  }
  return markdownHover(blocks(head, summary, ...sections, evidenceList(ctx, pl), ...[...families.values()].map((h) => verdictTableFor(h, p))), p.nameRange);
}

function summaryOf(pl: Placement): string {
  const roles = pl.role === 'multiple' ? 'Ingress or Egress (it is attached at hooks of both directions)' : roleName(pl.role);
  if (pl.attachments.length) {
    const list = pl.attachments.map((a) => `${code(a.hook)} of ${code(a.dev === '?' ? '(device unknown)' : a.dev)}`).join(', ');
    return `Runs at ${list}: the device plays **${roles}**.`;
  }
  if (isHook(pl.hook)) return `Runs at ${code(pl.hook)}: the device plays **${roles}**.`;
  return pl.hook === 'other' ? `Not a device hook (${escape(pl.role)}).` : 'Where it runs is **unknown**.';
}

/** What the program's returns mean at a hook, when no attachment lets the engine run it. */
function returnsSummary(p: ProgramModel, hook: Hook): string {
  const parts: string[] = [];
  for (const r of p.returns) {
    if (r.value !== undefined) {
      const v = verdictOfValue(r.value, hook);
      parts.push(`line ${r.range.start.line + 1}: ${code(r.text)} → ${code(v.name)}${v.why ? ` (${escape(v.why)})` : v.action === 'pass' ? ' (the packet goes on)' : ''}`);
    } else if (r.helper) {
      parts.push(`line ${r.range.start.line + 1}: the result of ${code(r.helper)}`);
    } else {
      parts.push(`line ${r.range.start.line + 1}: ${code(r.text)} (computed at run time)`);
    }
  }
  return parts.length ? `\n\n${bullets(parts)}` : ': no return value found.';
}

/** One topology attachment of a program: role, neighbours in each path, stages, engine verdict. */
function attachmentSection(ctx: DocumentContext, p: ProgramModel, topo: Topology, a: Attachment): string {
  const dev = topo.devices.get(a.dev);
  const role: Role = roleOfHook(a.hook);
  const out: string[] = [`**At ${code(a.hook)} of ${code(a.dev)}** (${escape(where(ctx, topo.file, a.range.start.line))}): ${escape(explainHook(a.hook))}`];
  const runs = runsOf(ctx.ws, topo, a);
  if (dev) {
    const via = runs[0]?.path.hops[runs[0].i].via ?? usualVia(dev);
    out.push(`${code(dev.key)} plays **${roleName(role)}** here. ${escape(explainRole(dev.kind, role, via))}`);
  }
  if (runs.length) {
    for (const { path: pr, i, run } of runs) {
      const hops = pr.hops;
      const prev = hops[i - 1];
      const next = hops[i + 1];
      const from = prev ? `came from ${hopName(prev)} (hop ${i})` : 'starts here';
      const to = next
        ? `goes next to ${hopName(next)} (hop ${i + 2}, via ${escape(next.via)})`
        : `the path ends here: **${pr.verdict}**${pr.reason ? `: ${escape(pr.reason)}` : ''}`;
      out.push(blocks(
        `In path ${code(pathName(pr))}, hop ${i + 1} of ${hops.length}: the packet ${from}; it ${to}.`,
        stagesAround(hops[i].stages, a.hook, next),
        `**Engine verdict**: ${outcomeText(run.outcome)}`,
      ));
    }
  } else {
    out.push(`No ${code('path')} of ${escape(rel(ctx, topo.file))} crosses this hook.`);
    if (dev) out.push(stagesAround(typicalStages(dev, a.hook), a.hook) ?? '');
    out.push(`**Engine verdict**: ${outcomeText(outcomeOf(ctx.ws, topo, a))}`);
  }
  if ((p.progType === 'xdp' || p.progType === 'sched_cls') && p.progType !== progTypeOfHook(a.hook)) {
    out.push(`⚠ ${code(`SEC("${p.section}")`)} is a ${escape(p.progType)} program: the kernel refuses to attach it at ${code(a.hook)}.`);
  }
  return blocks(...out);
}

// --- redirects

const KIND_TEXT: Record<RedirectFacts['kind'], string> = {
  peer: 'a peer redirect (BPF_F_PEER)', egress: 'a redirect to the target\'s Egress', ingress: 'a redirect to the target\'s Ingress (BPF_F_INGRESS)',
  neigh: 'a neighbour redirect (BPF_F_NEIGH)', 'clone-egress': 'a clone to the target\'s Egress', 'clone-ingress': 'a clone to the target\'s Ingress',
  'xdp-egress': 'an XDP redirect to the target\'s Egress', map: 'an XDP redirect through a map',
};

/** Kernel functions in call order. */
const chain = (...fns: string[]): string => fns.map(code).join(' → ');

/** Where a redirect sends the packet, in words, for a known target. */
export function redirectDestination(kind: RedirectFacts['kind'], t: Device | undefined, topo: Topology | undefined): string {
  const name = (d: Device | undefined) => (d ? code(d.key) : 'the target');
  const peerOf = (d: Device | undefined) => (d?.peer && topo ? topo.devices.get(d.peer) : undefined);
  const onward = (d: Device | undefined): string => {
    if (!d) return '';
    const peer = peerOf(d);
    if (d.kind === 'veth' && peer) return `; then ${code(peer.key)} plays **Ingress** via the backlog queue (${chain('veth_xmit', 'enqueue_to_backlog', 'process_backlog')})`;
    if (d.kind === 'netkit' && peer) return `; then ${code(peer.key)} plays **Ingress** via the backlog queue (${code('netkit_xmit')})`;
    if (d.kind === 'nic') return d.wire ? `; then the frame crosses the wire to ${code(d.wire)} (Ingress)` : '; then it leaves on the wire';
    if (d.kind === 'bridge') return `; ${code('br_dev_xmit')} then picks the out-port by FDB lookup`;
    return '';
  };
  switch (kind) {
    case 'peer': {
      const peer = peerOf(t);
      if (t && (!peer || peer.ns === t.ns)) {
        return `nowhere: ${name(t)} ${peer ? `has its peer ${code(peer.key)} in the same namespace` : `is a ${escape(t.kind)} without a peer device (no ndo_get_peer_dev)`}, so skb_do_redirect drops the packet`;
      }
      return `${peer ? code(peer.key) : `the peer of ${name(t)}`} plays **Ingress** directly (${code('skb_do_redirect')} → another round of ${code('__netif_receive_skb_core')}), no backlog queue: no ${t ? code(t.name) : 'target'} Egress, no ${code('veth_xmit')}, no second softirq, no peer XDP`;
    }
    case 'egress':
      return `${name(t)} plays **Egress** (${chain('skb_do_redirect', '__bpf_tx_skb', 'dev_queue_xmit')}; its tc egress runs; routing, netfilter and the bridge of this namespace are skipped)${onward(t)}`;
    case 'ingress':
      return `${name(t)} plays **Ingress** via the backlog queue (${chain('skb_do_redirect', '__bpf_rx_skb', 'dev_forward_skb', 'enqueue_to_backlog')}), as if it had received the packet`;
    case 'neigh':
      return `${name(t)} plays **Egress** (${chain('skb_do_redirect', '__bpf_redirect_neigh', 'neigh_output', 'dev_queue_xmit')}); the Ethernet header comes from the neighbour table; no SNAT, no TTL decrement${onward(t)}`;
    case 'clone-egress':
      return `a clone goes at once (inside ${code('bpf_clone_redirect')}) to ${name(t)}, which plays **Egress**; the original continues with the program's verdict`;
    case 'clone-ingress':
      return `a clone goes at once (inside ${code('bpf_clone_redirect')}) to ${name(t)}, which plays **Ingress** (backlog queue); the original continues with the program's verdict`;
    case 'xdp-egress':
      return `${name(t)} plays **Egress** via ${code('ndo_xdp_xmit')} (${code('xdp_do_redirect')}): no skb, no qdisc, no tc egress on the target`;
    case 'map':
      return `the map decides: a devmap entry plays **Egress** via ${code('ndo_xdp_xmit')} (no tc egress), a cpumap sends the frame to another CPU's stack, an xskmap to an AF_XDP socket`;
  }
}

/** Is this redirect legal at this hook? */
export function redirectLegality(r: RedirectFacts, hook: Hook | undefined, progType: string): { legal: boolean; why: string } {
  if (!r.flagsLegal) return { legal: false, why: `the flags ${r.flagsText} are not allowed for ${r.helper}: ${flagsRule(r, progType)}; the helper fails and the packet is dropped` };
  if (!hook) return { legal: true, why: 'the hook is unknown, so only the flags could be checked' };
  const tc = progTypeOfHook(hook) === 'sched_cls';
  if (r.kind === 'peer' && hook !== 'tc-ingress' && hook !== 'tcx-ingress') {
    return { legal: false, why: `bpf_redirect_peer at ${hook}: skb_do_redirect honours BPF_F_PEER only at tc ingress (skb_at_tc_ingress) and drops every packet` };
  }
  if ((r.kind === 'peer' || r.kind === 'neigh' || r.kind.startsWith('clone')) && !tc) return { legal: false, why: `${r.helper} is a tc helper: the verifier refuses it in XDP` };
  if ((r.kind === 'xdp-egress' || r.kind === 'map') && tc) return { legal: true, why: `${r.helper} at ${hook}` };
  return { legal: true, why: `${r.helper} is allowed at ${hook}` };
}

function flagsRule(r: RedirectFacts, progType: string): string {
  switch (r.helper) {
    case 'bpf_redirect': return progType === 'xdp' ? 'XDP bpf_redirect takes 0 only (else XDP_ABORTED)' : 'tc bpf_redirect takes 0 (target Egress) or BPF_F_INGRESS (target Ingress); other bits return TC_ACT_SHOT';
    case 'bpf_redirect_peer': return 'must be 0';
    case 'bpf_redirect_neigh': return 'must be 0';
    case 'bpf_clone_redirect': return '0 or BPF_F_INGRESS (else -EINVAL)';
    case 'bpf_redirect_map': return 'the low 2 bits are the action if the lookup fails; BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS for devmaps';
    default: return 'see the helper\'s documentation';
  }
}

function redirectHover(ctx: DocumentContext, p: ProgramModel, r: RedirectFacts): Hover {
  const pl = placementOf(ctx.ws, p)?.placement;
  const head = `${bold(r.helper)} ${code(`(${r.ifindexText}, ${r.flagsText})`)}: ${KIND_TEXT[r.kind]}, in ${code(p.name)}`;
  const parts: string[] = [head];
  // The findings the core made about this very call (wrong direction, stale L2, peer at egress...).
  const findings = ctx.ws.diagnostics().filter((d) => d.file === ctx.file && d.code.startsWith('redirect-') && contains(r.range, d.range.start) && contains(r.range, d.range.end));
  if (findings.length) parts.push(bullets(findings.map((d) => `⚠ ${code(d.code)}: ${escape(d.message)}`)));
  if (!r.resultUsed) {
    parts.push(`⚠ **No redirect happens**: the program does not return the helper's result (or ${p.progType === 'xdp' ? code('XDP_REDIRECT') : code('TC_ACT_REDIRECT')}) on this path. The helper only records the target; ${p.progType === 'xdp' ? 'xdp_do_redirect' : 'skb_do_redirect'} acts on it only after that return.`);
  } else {
    parts.push(`The result is returned: the redirect happens when the program returns it.`);
  }
  parts.push(`**Flags** ${code(r.flagsText)}${r.flagsValue !== undefined && String(r.flagsValue) !== r.flagsText ? ` (= ${r.flagsValue})` : ''}: ${r.flagsLegal ? 'legal' : '**not legal**'}; ${escape(flagsRule(r, p.progType))}.`);

  const atts = (pl?.attachments ?? []).filter((a) => a.attachment && a.topology);
  if (atts.length) {
    for (const a of atts) {
      const topo = a.topology!;
      const att = a.attachment!;
      const target = resolveTarget(r, att, topo);
      const legal = redirectLegality(r, att.hook, p.progType);
      const section = [
        `**At ${code(att.hook)} of ${code(att.dev)}** (${escape(where(ctx, topo.file, att.range.start.line))})`,
        bullets([
          `Goes to: ${legal.legal && r.resultUsed ? redirectDestination(r.kind, target.dev, topo) : `nowhere: ${r.resultUsed ? 'the kernel drops the packet (see below)' : 'the result is ignored'}`}`,
          `Target: ${target.dev ? code(target.dev.key) : 'unknown'}, resolved from ${escape(target.how)}`,
          `Legal here: ${legal.legal ? 'yes' : '**no**'}: ${escape(legal.why)}`,
          ...runsOf(ctx.ws, topo, att).map(({ path: pr, i }) => {
            const next = pr.hops[i + 1];
            return `In path ${code(pathName(pr))}: ${next ? `next hop ${hopName(next)} via ${escape(next.via)}` : `the path ends at hop ${i + 1}: **${pr.verdict}**${pr.reason ? `: ${escape(pr.reason)}` : ''}`}`;
          }),
        ]),
      ];
      parts.push(section.join('\n\n'));
    }
  } else {
    const hook = pl && isHook(pl.hook) ? pl.hook : undefined;
    const legal = redirectLegality(r, hook, p.progType);
    parts.push(bullets([
      `Goes to: ${redirectDestination(r.kind, undefined, undefined)}`,
      `Target: ${code(r.ifindexText)}${r.ifindex !== undefined ? ` = ifindex ${r.ifindex}` : ''}; no topology attaches ${code(p.name)}, so the device is not known (an attach line with ${code('redirect-to DEV')} names it)`,
      `Legal${hook ? ` at ${code(hook)}` : ''}: ${legal.legal ? 'yes' : '**no**'}: ${escape(legal.why)}`,
    ]));
  }
  if (r.kind === 'egress' || r.kind === 'ingress') {
    parts.push(r.l2Rewritten
      ? 'The program rewrites the Ethernet destination first: the receiving device accepts the frame.'
      : 'The Ethernet header is not rewritten: a receiving device whose MAC is not the destination drops the frame (PACKET_OTHERHOST), unless it is a bridge port.');
  }
  return markdownHover(blocks(...parts), r.range);
}

// --- constants

type Family = 'tc' | 'tcx' | 'xdp' | 'flag';
const CONSTANTS: Record<string, Family> = Object.fromEntries(Object.keys(KERNEL_CONSTANTS)
  .filter((n) => /^(TC_ACT_|TCX_|XDP_)/.test(n) || ['BPF_F_INGRESS', 'BPF_F_BROADCAST', 'BPF_F_EXCLUDE_INGRESS'].includes(n))
  .map((n) => [n, n.startsWith('TC_ACT_') ? 'tc' : n.startsWith('TCX_') ? 'tcx' : n.startsWith('XDP_') ? 'xdp' : 'flag'] as const));

const FLAGS: Record<string, string> = {
  BPF_F_INGRESS: 'for tc `bpf_redirect` and `bpf_clone_redirect`: the target plays **Ingress**, via the backlog queue (skb_do_redirect → __bpf_rx_skb → dev_forward_skb), as if it had received the packet. Without it the target plays **Egress** (dev_queue_xmit). Not allowed for `bpf_redirect_peer`, `bpf_redirect_neigh` or XDP `bpf_redirect` (flags must be 0 there).',
  BPF_F_BROADCAST: 'for XDP `bpf_redirect_map` on a devmap: a copy goes to every device in the map (each plays Egress via ndo_xdp_xmit).',
  BPF_F_EXCLUDE_INGRESS: 'for XDP `bpf_redirect_map` with BPF_F_BROADCAST: skips the device the frame came in on.',
};

function constantHover(ctx: DocumentContext, name: string, range: Range, program: ProgramModel | undefined): Hover {
  const value = KERNEL_CONSTANTS[name];
  const fam = CONSTANTS[name];
  const parts = [`${code(name)} = ${code(String(value))}`];
  if (fam === 'flag') {
    parts.push(FLAGS[name]);
    return markdownHover(blocks(...parts), range);
  }
  if (fam === 'tc') {
    const m = verdictMeaning('sched_cls', value);
    parts.push(`A tc action (include/uapi/linux/pkt_cls.h): ${escape(m.effect)}. Under tcx (tcx_action_code) only -1/0/2/7 keep their meaning; every other code becomes ${code('TCX_NEXT')}.`);
  } else if (fam === 'tcx') {
    const row = verdictTable('tcx-ingress').find((v) => v.name === name);
    parts.push(`A tcx verdict (enum tcx_action_base): ${escape(row?.effect ?? '')}.`);
  } else {
    const m = verdictMeaning('xdp', value);
    parts.push(`An XDP action (enum xdp_action): ${escape(m.effect)}.`);
  }
  // The numbers overlap across families: say what this one means to the enclosing program.
  if (program && (program.progType === 'xdp' || program.progType === 'sched_cls')) {
    const pFam = program.progType === 'xdp' ? 'xdp' : 'tc';
    const cFam = fam === 'xdp' ? 'xdp' : 'tc';
    if (pFam !== cFam) {
      const pl = placementOf(ctx.ws, program)?.placement;
      const hook: Hook = pl && isHook(pl.hook) ? pl.hook : pFam === 'xdp' ? 'xdp' : 'tc-ingress';
      const v = verdictOfValue(value, hook);
      const effect = verdictTable(hook).find((r) => r.name === v.name)?.effect ?? v.why ?? '';
      parts.push(`⚠ ${code(program.name)} is ${pFam === 'xdp' ? 'an XDP' : 'a tc'} program (${code(`SEC("${program.section}")`)}): ${pFam === 'xdp' ? 'in XDP' : 'at tc'}, ${code(name)} (${value}) is ${code(v.name)}${effect ? `: ${escape(effect)}` : ''}.`);
    } else {
      parts.push(`In ${code(program.name)} (${code(`SEC("${program.section}")`)}) it means what it says.`);
    }
  } else {
    parts.push(`The numbers overlap across program types: in XDP, ${code('TC_ACT_OK')} (0) is ${code('XDP_ABORTED')} and ${code('TC_ACT_SHOT')} (2) is ${code('XDP_PASS')}; at tc, ${code('XDP_PASS')} (2) is ${code('TC_ACT_SHOT')}.`);
  }
  return markdownHover(blocks(...parts), range);
}

// ---------------------------------------------------------------------------------------
// Topology

function deviceHover(ctx: DocumentContext, topo: Topology, key: string, range: Range): Hover | null {
  const d = topo.devices.get(key);
  if (!d) return null;
  const facts: string[] = [
    `namespace ${code(d.ns)}`,
    `addresses: ${d.addrs.length ? d.addrs.map((a) => code(a.text)).join(', ') : 'none'}`,
  ];
  if (d.mac) facts.push(`MAC ${code(d.mac)}`);
  if (d.ifindex !== undefined) facts.push(`ifindex ${d.ifindex}`);
  if (d.peer) facts.push(`${d.kind === 'netkit' ? `netkit ${d.netkitEnd ?? ''} end, mode ${d.netkitMode ?? 'l3'}; ` : ''}peer ${code(d.peer)}`);
  if (d.wire) facts.push(`wired to ${code(d.wire)}`);
  if (d.master) facts.push(`port of bridge ${code(d.master)} (a port has no role of its own: ${code(d.name)} has it)`);
  if (d.kind === 'bridge') facts.push(`ports: ${d.ports.length ? d.ports.map((p) => code(p)).join(', ') : 'none'}`);
  const atts = topo.attachments.filter((a) => a.dev === d.key);
  if (atts.length) facts.push(`programs: ${atts.map((a) => `${code(a.hook)} → ${code(a.prog)}`).join(', ')}`);

  const rows: string[][] = [];
  const meanings = new Map<string, string>();
  for (const pr of ctx.ws.paths(topo.file)) {
    pr.hops.forEach((h, i) => {
      if (h.dev !== d.key) return;
      rows.push([code(pathName(pr)), `${i + 1} of ${pr.hops.length}`, `**${roleName(h.role)}**`, escape(h.via)]);
      meanings.set(`${h.role}|${h.via}`, explainRole(d.kind, h.role, h.via));
    });
  }
  const roles = rows.length
    ? `**Roles in this file's paths**\n\n${table(['path', 'hop', 'role', 'via'], rows)}\n\n${bullets([...meanings.values()].map(escape))}`
    : `No ${code('path')} in this file crosses ${code(d.key)}.`;
  return markdownHover(blocks(`${code(d.key)}: a ${bold(d.kind)}`, bullets(facts), roles), range);
}

function namespaceHover(ctx: DocumentContext, topo: Topology, name: string, range: Range): Hover | null {
  const ns = topo.namespaces.get(name);
  if (!ns) return null;
  const devs = [...topo.devices.values()].filter((d) => d.ns === name);
  const routes = topo.routes.filter((r) => r.ns === name);
  const fwd = name === HOST_NS
    ? 'forwarding **on** (the root namespace always forwards here)'
    : ns.forwarding ? 'forwarding **on** (net.ipv4.ip_forward=1): it routes packets that are not for it' : 'forwarding **off** (net.ipv4.ip_forward=0): packets not addressed to it are dropped';
  return markdownHover(blocks(
    `namespace ${code(name)}${ns.range ? '' : ' (implicit)'}`,
    fwd,
    `**Devices**${devs.length ? `\n\n${bullets(devs.map((d) => `${code(d.name)}: ${escape(d.kind)}${d.addrs.length ? `, ${d.addrs.map((a) => code(a.text)).join(', ')}` : ''}${d.peer ? `, peer ${code(d.peer)}` : ''}`))}` : ': none'}`,
    routes.length ? `**Routes**\n\n${bullets(routes.map((r) => code(`${r.destText}${r.viaText ? ` via ${r.viaText}` : ''}${r.dev ? ` dev ${topo.devices.get(r.dev)?.name ?? r.dev}` : ''}`)))}` : undefined,
  ), range);
}

function hookHover(ctx: DocumentContext, topo: Topology, a: Attachment, range: Range): Hover {
  const d = topo.devices.get(a.dev);
  const program = ctx.ws.programFor(a);
  const parts = [
    `${code(a.hook)}: ${escape(explainHook(a.hook))}`,
    `${code(a.dev)} plays **${roleName(roleOfHook(a.hook))}** when ${code(a.prog)} runs here.${d ? ` ${escape(explainRole(d.kind, roleOfHook(a.hook), usualVia(d)))}` : ''}`,
  ];
  parts.push(program
    ? `Program ${code(a.prog)}: ${code(`SEC("${program.section}")`)} in ${escape(where(ctx, program.file, program.nameRange.start.line))}.`
    : `Program ${code(a.prog)} is not found in the workspace's eBPF C files.`);
  const runs = runsOf(ctx.ws, topo, a);
  if (runs.length) parts.push(bullets(runs.map(({ path: pr, i, run }) => `path ${code(pathName(pr))}, hop ${i + 1}: ${outcomeText(run.outcome)}`)));
  else parts.push(`**Engine verdict**: ${outcomeText(outcomeOf(ctx.ws, topo, a))}`);
  parts.push(verdictTableFor(a.hook, program));
  return markdownHover(blocks(...parts), range);
}

function attachedProgramHover(ctx: DocumentContext, topo: Topology, a: Attachment, range: Range): Hover {
  const program = ctx.ws.programFor(a);
  if (!program) {
    return markdownHover(`Program ${code(a.prog)}: no eBPF function of that name${a.file ? ` in ${code(a.file)}` : ' in the workspace\'s C files'} (a function placed in a section with ${code('SEC(...)')}).`, range);
  }
  const parts = [
    `Program ${code(program.name)}: defined in ${escape(where(ctx, program.file, program.nameRange.start.line))}, section ${code(`SEC("${program.section}")`)} (a ${escape(program.progType)} program)`,
  ];
  if (program.sectionHook && program.sectionHook !== a.hook) parts.push(`Its section implies ${code(program.sectionHook)}; this line attaches it at ${code(a.hook)}.`);
  if ((program.progType === 'xdp' || program.progType === 'sched_cls') && program.progType !== progTypeOfHook(a.hook)) {
    parts.push(`⚠ the kernel refuses to attach a ${escape(program.progType)} program at ${code(a.hook)}.`);
  }
  if (program.redirects.length) parts.push(`Redirects: ${program.redirects.map((r) => `${code(r.helper)} (line ${r.range.start.line + 1})`).join(', ')}`);
  const runs = runsOf(ctx.ws, topo, a);
  parts.push(runs.length
    ? bullets(runs.map(({ path: pr, i, run }) => `path ${code(pathName(pr))}, hop ${i + 1}: ${outcomeText(run.outcome)}`))
    : `**Engine verdict**: ${outcomeText(outcomeOf(ctx.ws, topo, a))}`);
  return markdownHover(blocks(...parts), range);
}

function pathHover(ctx: DocumentContext, topo: Topology, index: number, range: Range): Hover | null {
  const pr = ctx.ws.paths(topo.file)[index];
  if (!pr) return null;
  const spec = topo.paths[index];
  const proto = spec.proto.kind === 'icmp' ? 'icmp' : `${spec.proto.kind} ${spec.proto.port}`;
  const rows = pr.hops.map((h, i) => [
    String(i + 1), code(h.dev), `**${roleName(h.role)}**`, escape(h.via),
    h.hooks.map((r) => `${code(r.prog)} (${escape(r.hook)}) → ${code(r.result)}`).join('<br>') || '',
  ]);
  const ips = pr.srcIp !== undefined && pr.dstIp !== undefined ? ` (${formatIp(pr.srcIp)} → ${formatIp(pr.dstIp)})` : '';
  const verdict = `**${pr.verdict}**${pr.hops.length ? ` at hop ${pr.hops.length} (${code(pr.hops[pr.hops.length - 1].dev)})` : ''}${pr.reason ? `: ${escape(pr.reason)}` : ''}`;
  return markdownHover(blocks(
    `path ${code(pathName(pr))}, ${escape(proto)}${escape(ips)}: ${pr.hops.length} hop${pr.hops.length === 1 ? '' : 's'}`,
    rows.length ? table(['#', 'device', 'role', 'via', 'programs'], rows) : undefined,
    `Verdict: ${verdict}`,
  ), range);
}

const KEYWORDS: Record<string, string> = {
  netns: '`netns NAME [forwarding]`: a network namespace. `host` (the root namespace) always exists and forwards; others forward only with `forwarding`.',
  nic: '`nic DEV [CIDR] [ifindex N] [mac M]`: a physical NIC.',
  veth: '`veth DEV [CIDR] -- DEV [CIDR]`: a veth pair; each end lives in its own namespace. One end\'s Egress is the other\'s Ingress, through the backlog queue.',
  bridge: '`bridge DEV [CIDR] [ports DEV ...]`: a Linux bridge; ports are devices of the bridge\'s namespace.',
  wire: '`wire DEV -- DEV`: a cable between two NICs: one NIC\'s Egress is the other\'s Ingress.',
  netkit: '`netkit DEV [CIDR] -- DEV [CIDR] [mode l2|l3]`: a netkit pair (primary first, then the peer).',
  route: '`route [@NS] DEST [via IP] [dev NAME]`: a route in `NS` (default `host`); `DEST` is a CIDR or `default`.',
  attach: '`attach HOOK DEV prog NAME [file "PATH"] [redirect-to DEV] [priority N]`: eBPF program `NAME` runs at `HOOK` of `DEV`.',
  path: '`path FROM -> TO [icmp | udp PORT | tcp PORT]`: a packet path to explain.',
  map: '`map NAME [file "PATH"] KEY => VALUE`: what a program\'s map holds.',
  forwarding: 'The namespace forwards (net.ipv4.ip_forward=1).',
  ports: 'The devices enslaved to this bridge.',
  via: 'The gateway of the route.',
  dev: 'The device of the route, in the route\'s namespace.',
  prog: 'The program (a C function placed with `SEC(...)`).',
  file: 'The C file of the program, relative to this topology file.',
  'redirect-to': 'The target of the program\'s redirect, when the C code computes the ifindex at run time.',
  priority: 'The order at one hook: lower first; tcx programs run before classic tc ones.',
  ifindex: 'The interface index: literal ifindex arguments in C code resolve to this device.',
  mac: 'The device\'s MAC address (otherwise every device has its own).',
  mode: 'netkit mode: `l3` (default, no ARP, no MACs) or `l2`.',
  default: 'The default route (0.0.0.0/0).',
  icmp: 'An ICMP echo.', udp: 'A UDP datagram to PORT.', tcp: 'A TCP segment to PORT.',
};
