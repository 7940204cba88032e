// Where a program runs: all the evidence of datapath.md §4, strongest first. Topology attach
// lines decide; then the section name; then loader code; names last. Every placement carries
// the evidence it used, so hovers and the CLI can say why.
import type { Attachment, DevKey, Hook, Range, Topology } from '../topology/model';
import type { LoaderEvidence } from './loaders/evidence';

export type Confidence = 'declared' | 'section' | 'loader' | 'name' | 'unknown';
export type PlacementHook = Hook | 'other' | 'multiple' | 'unknown';
export type PlacementRole = 'ingress' | 'egress' | 'multiple' | 'unknown';

/** What the placement needs to know about a program (from the C analysis). */
export interface ProgramFacts {
  name: string;
  file: string;
  section: string;
  /** The program type its section implies: sched_cls, xdp, cgroup_skb, lwt_*, ... */
  progType: string;
  /** The hook the section alone implies (tc/ingress → tc-ingress), if any. */
  sectionHook?: Hook;
  /** A section tied to the datapath but not to a device hook (cgroup_skb/ingress, xdp/devmap). */
  sectionNote?: { role: 'ingress' | 'egress'; what: string };
  nameRange: Range;
}

export interface Evidence {
  kind: 'topology' | 'section' | 'loader' | 'name';
  file?: string;
  /** 0-based. */
  line?: number;
  detail: string;
  hook?: Hook;
}

export interface PlacedAttachment {
  dev: DevKey;
  name: string;
  ns: string;
  hook: Hook;
  attachment?: Attachment;
  topology?: Topology;
  loader?: LoaderEvidence;
}

export interface Placement {
  program: ProgramFacts;
  hook: PlacementHook;
  role: PlacementRole;
  confidence: Confidence;
  attachments: PlacedAttachment[];
  evidence: Evidence[];
}

export function roleOfHook(h: Hook): 'ingress' | 'egress' {
  // netkit programs run in netkit_xmit of the transmitting end: the sending side's last step.
  return h === 'tc-egress' || h === 'tcx-egress' || h === 'netkit-primary' || h === 'netkit-peer' ? 'egress' : 'ingress';
}

/** The program type a hook needs: what the kernel checks at attach time. */
export function progTypeOfHook(h: Hook): 'sched_cls' | 'xdp' {
  return h === 'xdp' || h === 'xdp-generic' ? 'xdp' : 'sched_cls';
}

/** Does an attach line name this program? A `file` on the line must be this file. */
export function attachmentNames(a: Attachment, p: { name: string; file: string }): boolean {
  if (a.prog !== p.name) return false;
  return !a.fileAbs || samePath(a.fileAbs, p.file);
}

function samePath(a: string, b: string): boolean {
  return a === b || a.replace(/\\/g, '/') === b.replace(/\\/g, '/');
}

export interface PlacementInputs {
  topologies: Topology[];
  loaders: LoaderEvidence[];
  matchesLoader: (ev: LoaderEvidence, p: ProgramFacts) => boolean;
  nameEvidence: (name: string) => { direction: 'ingress' | 'egress'; hook?: Hook; detail: string } | undefined;
}

export function place(p: ProgramFacts, inputs: PlacementInputs): Placement {
  const evidence: Evidence[] = [];
  const attachments: PlacedAttachment[] = [];

  for (const topo of inputs.topologies) {
    for (const a of topo.attachments) {
      if (!attachmentNames(a, p)) continue;
      const d = topo.devices.get(a.dev)!;
      attachments.push({ dev: a.dev, name: d.name, ns: d.ns, hook: a.hook, attachment: a, topology: topo });
      evidence.push({ kind: 'topology', file: topo.file, line: a.range.start.line, hook: a.hook, detail: `attach ${a.hook} ${a.dev} prog ${a.prog}` });
    }
  }
  if (attachments.length) return decide(p, 'declared', attachments, evidence);

  if (p.sectionHook) {
    evidence.push({ kind: 'section', file: p.file, line: p.nameRange.start.line, hook: p.sectionHook, detail: `SEC("${p.section}")` });
  }

  const loaderAttachments: PlacedAttachment[] = [];
  for (const ev of inputs.loaders) {
    if (!inputs.matchesLoader(ev, p)) continue;
    loaderAttachments.push({ dev: ev.dev ?? '?', name: ev.dev ?? '?', ns: '?', hook: ev.hook, loader: ev });
    evidence.push({ kind: 'loader', file: ev.file, line: ev.range.start.line, hook: ev.hook, detail: ev.detail });
  }

  if (p.sectionHook) {
    // The section decides the direction; a loader that agrees names the mechanism (tc or tcx).
    const agreeing = loaderAttachments.filter((l) => roleOfHook(l.hook) === roleOfHook(p.sectionHook!) && progTypeOfHook(l.hook) === progTypeOfHook(p.sectionHook!));
    const hooks = new Set(agreeing.map((l) => l.hook));
    const hook = hooks.size === 1 ? [...hooks][0] : p.sectionHook;
    return { program: p, hook, role: roleOfHook(hook), confidence: 'section', attachments: loaderAttachments, evidence };
  }
  if (p.sectionNote) {
    evidence.push({ kind: 'section', file: p.file, line: p.nameRange.start.line, detail: `SEC("${p.section}"): ${p.sectionNote.what}` });
    return { program: p, hook: 'other', role: p.sectionNote.role, confidence: 'section', attachments: [], evidence };
  }
  if (loaderAttachments.length) return decide(p, 'loader', loaderAttachments, evidence);

  const byName = inputs.nameEvidence(p.name);
  if (byName && (p.progType === 'sched_cls' || p.progType === 'xdp')) {
    const hook: Hook = p.progType === 'xdp' ? 'xdp' : byName.hook ?? (byName.direction === 'ingress' ? 'tc-ingress' : 'tc-egress');
    if (p.progType !== 'xdp' || byName.direction === 'ingress') {
      evidence.push({ kind: 'name', file: p.file, line: p.nameRange.start.line, hook, detail: byName.detail });
      return { program: p, hook, role: roleOfHook(hook), confidence: 'name', attachments: [], evidence };
    }
  }
  if (p.progType !== 'sched_cls' && p.progType !== 'xdp' && p.progType !== 'unknown') {
    return { program: p, hook: 'other', role: 'unknown', confidence: 'unknown', attachments: [], evidence };
  }
  return { program: p, hook: 'unknown', role: 'unknown', confidence: 'unknown', attachments: [], evidence };
}

function decide(p: ProgramFacts, confidence: Confidence, attachments: PlacedAttachment[], evidence: Evidence[]): Placement {
  const hooks = new Set(attachments.map((a) => a.hook));
  const roles = new Set(attachments.map((a) => roleOfHook(a.hook)));
  return {
    program: p,
    hook: hooks.size === 1 ? [...hooks][0] : 'multiple',
    role: roles.size === 1 ? [...roles][0] : 'multiple',
    confidence, attachments, evidence,
  };
}
