// Code lenses: one line above each program (where it runs, in which role), each redirect
// (where the packet goes next) and each `path` statement (the engine's verdict).
import * as path from 'node:path';
import type { CodeLens, Range } from 'vscode-languageserver';
import type { PathResult } from '../datapath/path';
import { roleOfHook, type Placement } from '../inference/placement';
import type { ProgramModel, RedirectFacts } from '../inference/program';
import { resolveTarget } from '../inference/targets';
import { hookWord } from '../preview/mermaid';
import { isHook, type Attachment, type Hook, type Topology } from '../topology/model';
import { verdictTitle, type FileVerification } from '../verify/verify';
import { Commands, type DocumentContext } from './context';
import { roleName } from './markdown';
import { isCDoc, placementOf, programsOf, topologyOf } from './navigation';

export function codeLenses(ctx: DocumentContext): CodeLens[] {
  try {
    if (isCDoc(ctx)) return cLenses(ctx);
    const topo = topologyOf(ctx);
    return topo ? pathLenses(ctx, topo) : [];
  } catch {
    return [];
  }
}

const lineRange = (line: number): Range => ({ start: { line, character: 0 }, end: { line, character: 0 } });

function cLenses(ctx: DocumentContext): CodeLens[] {
  const out: CodeLens[] = [];
  for (const p of programsOf(ctx)) {
    const pl = placementOf(ctx.ws, p)?.placement;
    const preview = { title: '', command: Commands.showPreview, arguments: [{ uri: ctx.uri, program: p.name }] };
    const range = lineRange(p.range.start.line);
    if (!pl || pl.hook === 'unknown') {
      out.push({ range, command: addAttachCommand(ctx, p) });
    } else {
      out.push({ range, command: { ...preview, title: programTitle(pl) } });
    }
    for (const r of p.redirects) {
      const titles = new Set(redirectTitles(p, r, pl));
      for (const title of titles) out.push({ range: lineRange(r.range.start.line), command: { ...preview, title } });
    }
  }
  return out;
}

/** "tc ingress · lxc-a@host · Ingress", or what the section, a loader or the name says. */
export function programTitle(pl: Placement): string {
  const declared = pl.attachments.filter((a) => a.attachment);
  if (pl.confidence === 'declared' && declared.length) {
    return declared.map((a) => `${hookWord(a.hook)} · ${a.dev} · ${roleName(roleOfHook(a.hook))}`).join(' | ');
  }
  if (pl.confidence === 'section') {
    if (pl.hook === 'other') return `section ${pl.program.section} · ${pl.role === 'unknown' ? 'not a device hook' : `${roleName(pl.role)}, not a device hook`} (from SEC)`;
    const loader = pl.attachments.filter((a) => a.loader && isHook(pl.hook) && roleOfHook(a.hook) === roleOfHook(pl.hook as Hook));
    const via = loader.length ? ` · ${loader.map((a) => `${hookWord(a.hook)} ${a.dev} (loader ${path.basename(a.loader!.file)})`).join(', ')}` : '';
    return `section ${pl.program.section} · ${roleName(pl.role)} (from SEC)${via}`;
  }
  if (pl.confidence === 'loader') {
    return pl.attachments.map((a) => `${hookWord(a.hook)} · ${a.dev} · ${roleName(roleOfHook(a.hook))} (from loader ${a.loader ? path.basename(a.loader.file) : ''})`).join(' | ');
  }
  if (pl.confidence === 'name' && isHook(pl.hook)) return `${hookWord(pl.hook)}? · ${roleName(pl.role)} (guessed from the name)`;
  return `${pl.hook} · ${roleName(pl.role)}`;
}

/** "direction unknown: add an attach line" into the first topology file (else open the preview). */
function addAttachCommand(ctx: DocumentContext, p: ProgramModel): CodeLens['command'] {
  const title = 'direction unknown: add an attach line';
  const add = addAttachLine(ctx, p);
  if (!add) return { title, command: Commands.showPreview, arguments: [{ uri: ctx.uri, program: p.name }] };
  return { title, command: Commands.insertText, arguments: [add.args] };
}

/** The insertText arguments adding an attach line for `p` to the first topology file (this lens and the hook-unknown quick fix). */
export function addAttachLine(ctx: DocumentContext, p: ProgramModel): { topo: Topology; args: { uri: string; line: number; text: string } } | undefined {
  const topo = ctx.ws.topologies()[0]?.topology;
  if (!topo) return undefined;
  const rel = path.relative(path.dirname(topo.file), p.file).split(path.sep).join('/');
  return { topo, args: { uri: ctx.uriOf(topo.file), line: attachInsertLine(topo), text: `attach tc-ingress DEV prog ${p.name} file "${rel}"` } };
}

/** Where a new attach line goes: after the last attach line, else before the first path, else at the end. */
export function attachInsertLine(topo: Topology): number {
  if (topo.attachments.length) return Math.max(...topo.attachments.map((a) => a.range.end.line)) + 1;
  if (topo.paths.length) return Math.min(...topo.paths.map((p) => p.range.start.line));
  const lines = [
    ...[...topo.namespaces.values()].map((n) => n.range?.end.line ?? -1),
    ...[...topo.devices.values()].map((d) => d.range.end.line),
    ...topo.routes.map((r) => r.range.end.line),
    ...topo.maps.map((m) => m.range.end.line),
  ];
  return lines.length ? Math.max(...lines) + 1 : 0;
}

/** One title per topology attachment of the program (or one from its placement). */
function redirectTitles(p: ProgramModel, r: RedirectFacts, pl: Placement | undefined): string[] {
  const atts = (pl?.attachments ?? []).filter((a) => a.attachment && a.topology);
  if (!atts.length) return [redirectTitle(p, r, pl && isHook(pl.hook) ? pl.hook : undefined)];
  return atts.map((a) => redirectTitle(p, r, a.hook, a.attachment, a.topology));
}

export function redirectTitle(p: ProgramModel, r: RedirectFacts, hook?: Hook, att?: Attachment, topo?: Topology): string {
  if (!r.resultUsed) return '⚠ no redirect: result ignored';
  if (!r.flagsLegal) return `⚠ dropped: ${r.helper} refuses flags ${r.flagsText}`;
  if (r.kind === 'peer' && hook && hook !== 'tc-ingress' && hook !== 'tcx-ingress') return `⚠ dropped: bpf_redirect_peer at ${hookWord(hook)}`;
  const here = att && topo ? topo.devices.get(att.dev) : undefined;
  const t = att && topo ? resolveTarget(r, att, topo).dev : undefined;
  if (t && here && t.ns !== here.ns && !r.kind.startsWith('xdp') && r.kind !== 'map') return `⚠ dropped: ${t.key} is not in namespace ${here.ns}`;
  const peer = t?.peer ? topo?.devices.get(t.peer) : undefined;
  const then = (): string => {
    if (!t) return '';
    if ((t.kind === 'veth' || t.kind === 'netkit') && peer) return `, then ${peer.key} Ingress via backlog`;
    if (t.kind === 'nic') return t.wire ? `, then ${t.wire} Ingress via wire` : ', leaves on the wire';
    return '';
  };
  const tName = t?.key ?? `target (${r.ifindexText})`;
  switch (r.kind) {
    case 'peer':
      if (t && (!peer || peer.ns === t.ns)) return `⚠ dropped: ${t.key} has no peer in another namespace`;
      return `→ ${peer ? peer.key : 'the target\'s peer'} Ingress, peer, no backlog`;
    case 'egress': return `→ ${tName} Egress${then()}`;
    case 'ingress': return `→ ${tName} Ingress via backlog`;
    case 'neigh': return `→ ${tName} Egress, L2 from the neighbour table${then()}`;
    case 'clone-egress': return `⎘ clone → ${tName} Egress; the original goes on`;
    case 'clone-ingress': return `⎘ clone → ${tName} Ingress via backlog; the original goes on`;
    case 'xdp-egress': return `→ ${tName} Egress via ndo_xdp_xmit (no tc egress)`;
    case 'map': return '→ the map\'s entry (devmap: Egress via ndo_xdp_xmit)';
  }
}

function pathLenses(ctx: DocumentContext, topo: Topology): CodeLens[] {
  const results = ctx.ws.paths(ctx.file);
  return topo.paths.map((spec, index) => {
    const r = results[index];
    const title = r ? pathTitle(r) : 'not walked';
    return { range: lineRange(spec.range.start.line), command: { title, command: Commands.showPreview, arguments: [{ uri: ctx.uri, path: index }] } };
  });
}

/** "delivered · 4 hops" / "dropped at lxc-b@host · 3 hops". */
export function pathTitle(r: PathResult): string {
  const n = `${r.hops.length} hop${r.hops.length === 1 ? '' : 's'}`;
  if (r.verdict === 'delivered') return `delivered · ${n}`;
  const last = r.hops[r.hops.length - 1];
  return `${r.verdict}${last ? ` at ${last.dev}` : ''} · ${n}`;
}


/** One lens above each verified program: "verified · 123 insns · 0.08 ms" or "✗ rejected: line 42". */
export function verifyLenses(v: FileVerification | undefined): CodeLens[] {
  if (!v) return [];
  return v.programs.map((p) => ({
    range: lineRange(p.line),
    command: p.failure?.line !== undefined
      ? { title: verdictTitle(p), command: Commands.revealLine, arguments: [{ line: p.failure.line - 1 }] }
      : { title: verdictTitle(p), command: '' },
  }));
}
