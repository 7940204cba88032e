// Diagnostics that need to know where a program runs (contract.md codes): a peer redirect
// away from tc ingress, a target without a peer, wrong-direction and stale-L2 redirects,
// programs attached at a hook of another type or direction, programs nobody places.
import { skbDevOf } from '../datapath/skb-dev';
import type { Attachment, Device, Diagnostic, Hook, Topology } from '../topology/model';
import type { LoaderEvidence } from './loaders/evidence';
import { progTypeOfHook, roleOfHook, type Placement } from './placement';
import type { ProgramModel, RedirectFacts } from './program';
import { resolveTarget } from './targets';

const isTcIngress = (h: Hook) => h === 'tc-ingress' || h === 'tcx-ingress';

export function placementDiagnostics(pl: Placement, program: ProgramModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const file = program.file;
  if (pl.confidence === 'unknown' && pl.hook === 'unknown') {
    out.push({
      file, range: program.nameRange, severity: 'info', code: 'hook-unknown',
      message: `Nothing says where ${program.name} runs: SEC("${program.section}") names no direction, no topology attach line or loader attaches it, and its name gives no hint. Add "attach tc-ingress DEV prog ${program.name}" to a topology file, or use SEC("tc/ingress") / SEC("tc/egress").`,
    });
  }
  // The hooks the program is known to run at: every attachment, else the placement's own.
  const hooks: Hook[] = pl.attachments.length ? [...new Set(pl.attachments.map((a) => a.hook))]
    : pl.hook !== 'unknown' && pl.hook !== 'multiple' && pl.hook !== 'other' ? [pl.hook] : [];
  for (const r of program.redirects) {
    if (r.kind !== 'peer' || program.progType === 'xdp') continue;
    const wrong = hooks.filter((h) => !isTcIngress(h));
    if (wrong.length) {
      out.push({
        file, range: r.range, severity: 'error', code: 'redirect-peer-not-ingress',
        message: `bpf_redirect_peer in ${program.name}, which runs at ${wrong.join(', ')}: skb_do_redirect only honours BPF_F_PEER at tc ingress (skb_at_tc_ingress), so the kernel drops every packet this redirects. Attach it at tc ingress, or use bpf_redirect(ifindex, 0) here.`,
      });
    }
  }
  for (const a of pl.attachments) {
    if (!a.attachment || !a.topology) continue;
    out.push(...redirectChecks(program, a.attachment, a.topology));
  }
  const netkit = hooks.filter((h) => h.startsWith('netkit-'));
  if (netkit.length && program.progType !== 'xdp') out.push(...netkitReturnChecks(program, netkit));
  return out;
}

/** The codes netkit_xmit acts on (drivers/net/netkit.c); any other return drops the packet. */
const NETKIT_CODES = new Set([-1, 0, 2, 7]);

function netkitReturnChecks(program: ProgramModel, hooks: Hook[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of program.returns) {
    if (r.value === undefined || NETKIT_CODES.has(r.value)) continue;
    const what = r.name ?? String(r.value);
    out.push({
      file: program.file, range: r.range, severity: 'warning', code: 'return-code-mismatch',
      message: `${program.name} runs at ${hooks.join(', ')}, and netkit_xmit knows only NETKIT_NEXT (-1), NETKIT_PASS (0), NETKIT_DROP (2) and NETKIT_REDIRECT (7): it drops every packet for which this returns ${what}${r.name ? ` (${r.value})` : ''}. A tc filter would read it as "next"; here return TC_ACT_UNSPEC for that.`,
      ...(r.name && r.text === r.name ? { fix: { title: 'Return TC_ACT_UNSPEC (NETKIT_NEXT)', range: r.range, text: 'TC_ACT_UNSPEC' } } : {}),
    });
  }
  return out;
}

/** Checks of each redirect against the device it runs at and the device it names. */
function redirectChecks(program: ProgramModel, att: Attachment, topo: Topology): Diagnostic[] {
  const out: Diagnostic[] = [];
  const attached = topo.devices.get(att.dev);
  if (!attached) return out;
  const here = skbDevOf(attached, att.hook, topo.devices);
  const role = roleOfHook(att.hook);
  const netkit = att.hook.startsWith('netkit-');
  for (const r of program.redirects) {
    // An ignored result never redirects: redirect-result-ignored already says so.
    if (!r.resultUsed) continue;
    const t = resolveTarget(r, att, topo).dev;
    if (!t) continue;
    const d = (severity: Diagnostic['severity'], code: string, message: string, fix?: Diagnostic['fix']): void => {
      out.push({ file: program.file, range: r.range, severity, code, message, ...(fix ? { fix } : {}) });
    };
    if (r.kind === 'peer') {
      const peer = t.peer ? topo.devices.get(t.peer) : undefined;
      if (!peer || peer.ns === here.ns) {
        d('error', 'redirect-peer-no-peer', `bpf_redirect_peer to ${t.key} (attached at ${att.hook} of ${here.key}): ${peer ? `its peer ${peer.key} is in the same namespace as ${here.key}` : `a ${t.kind} has no peer device (no ndo_get_peer_dev)`}, so skb_do_redirect drops the packet. Redirect to a veth or netkit whose peer lives in another namespace.`);
      }
      continue;
    }
    if (r.kind !== 'egress' && r.kind !== 'ingress') continue;
    if (t.key === here.key) {
      // From netkit_xmit a redirect to skb->dev is neither a hairpin at a tc hook nor a
      // dev_queue_xmit recursion of the same device: none of the messages below would be true.
      if (netkit) continue;
      if (r.kind === 'egress' && role === 'ingress') d('warning', 'redirect-wrong-direction', `${r.helper}(${here.name}, 0) at ${here.key}'s ingress sends the packet straight back out of ${here.name}, toward the sender (a hairpin).`);
      else if (r.kind === 'ingress' && role === 'ingress') d('warning', 'redirect-wrong-direction', `${r.helper}(${here.name}, BPF_F_INGRESS) at ${here.key}'s own ingress puts the packet back through the backlog queue into the same hook: a loop.`);
      else if (r.kind === 'egress' && role === 'egress') d('warning', 'redirect-wrong-direction', `${r.helper}(${here.name}, 0) at ${here.key}'s own egress re-enters dev_queue_xmit of the same device: the dev_xmit_recursion limit drops the packet.`);
      continue;
    }
    const peer = t.peer ? topo.devices.get(t.peer) : undefined;
    if (r.kind === 'ingress' && peer && peer.ns !== t.ns) {
      d('warning', 'redirect-wrong-direction',
        `BPF_F_INGRESS makes ${t.key} play Ingress: the packet re-enters namespace "${t.ns}" as if ${peer.key} had sent it, instead of reaching ${peer.key}. Drop BPF_F_INGRESS (then ${t.name} plays Egress and ${peer.name} receives it), or use bpf_redirect_peer from tc ingress.`,
        flagsFix(r));
      continue;
    }
    if (r.l2Rewritten || t.kind === 'bridge') continue;
    const receiver: Device | undefined = r.kind === 'ingress' ? t : (t.kind === 'veth' && peer) || (t.wire ? topo.devices.get(t.wire) : undefined);
    if (!receiver || receiver.master || (receiver.kind === 'netkit' && receiver.netkitMode !== 'l2')) continue;
    d('warning', 'redirect-stale-l2',
      `${r.helper} to ${t.key} keeps the Ethernet destination the frame had when it reached ${here.key}: ${receiver.key} is not that address, so eth_type_trans marks it PACKET_OTHERHOST and ip_rcv drops it. Rewrite eth->h_dest first (bpf_skb_store_bytes at offset 0), or use bpf_redirect_neigh${r.kind === 'egress' && role === 'ingress' ? ' or bpf_redirect_peer' : ''}.`);
  }
  return out;
}

/** Dropping BPF_F_INGRESS: the flags argument becomes 0 (where the program writes it). */
function flagsFix(r: RedirectFacts): Diagnostic['fix'] | undefined {
  if (!r.flagsRange || r.flagsText === '0') return undefined;
  return { title: 'Drop BPF_F_INGRESS (the target plays Egress, its peer receives the packet)', range: r.flagsRange, text: '0' };
}

/** A program attached (by a topology or a loader) where its type or section does not fit. */
export function attachMismatch(program: ProgramModel, hook: Hook, where: { file: string; range: Diagnostic['range'] }, by: string): Diagnostic | undefined {
  const type = progTypeOfHook(hook);
  if ((program.progType === 'xdp' || program.progType === 'sched_cls') && program.progType !== type) {
    return {
      ...where, severity: 'error', code: 'attach-mismatch',
      message: `${program.name} is SEC("${program.section}"), a ${program.progType === 'xdp' ? 'BPF_PROG_TYPE_XDP' : 'BPF_PROG_TYPE_SCHED_CLS'} program; ${by} attaches it at ${hook}, which takes ${type === 'xdp' ? 'XDP' : 'SCHED_CLS (tc)'} programs only: the kernel refuses the attach.`,
    };
  }
  if (program.sectionHook && program.progType === 'sched_cls' && type === 'sched_cls' && roleOfHook(program.sectionHook) !== roleOfHook(hook)) {
    return {
      ...where, severity: 'warning', code: 'attach-mismatch',
      message: `${program.name} is SEC("${program.section}") (${roleOfHook(program.sectionHook)}), but ${by} attaches it at ${hook} (${roleOfHook(hook)}): the kernel allows it, libbpf's auto-attach would put it at ${program.sectionHook}. Make the section and the attach agree.`,
    };
  }
  return undefined;
}

export function topologyAttachMismatches(program: ProgramModel, pl: Placement): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const a of pl.attachments) {
    if (a.attachment && a.topology) {
      const d = attachMismatch(program, a.hook, { file: a.topology.file, range: a.attachment.hookRange }, `the attach line`);
      if (d) out.push(d);
    }
  }
  return out;
}

export function loaderAttachMismatches(program: ProgramModel, loaders: LoaderEvidence[], matches: (ev: LoaderEvidence) => boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ev of loaders) {
    if (!matches(ev)) continue;
    const d = attachMismatch(program, ev.hook, { file: ev.file, range: ev.range }, `"${ev.detail}"`);
    if (d) out.push(d);
  }
  return out;
}
