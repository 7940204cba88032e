// Quick fixes: the core's own `Diagnostic.fix` (misspelt names, flags, ignored results), and
// fixes that edit another file: moving an attach line's hook to where the program can work.
import * as path from 'node:path';
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type Range } from 'vscode-languageserver';
import type { ProgramModel } from '../inference/program';
import { contains, lineOf, sameRange } from '../topology/at-position';
import type { Attachment, Diagnostic, Hook, Topology } from '../topology/model';
import { Commands, type DocumentContext } from './context';
import { addAttachLine } from './lenses';
import { isCDoc, placementOf, programsOf, topologyOf } from './navigation';

export function codeActions(ctx: DocumentContext, range: Range, diagnostics: LspDiagnostic[]): CodeAction[] {
  try {
    const core = ctx.ws.diagnostics().filter((d) => d.file === ctx.file);
    const out: CodeAction[] = [];
    for (const ld of diagnostics ?? []) {
      const code = ld.code === undefined ? '' : String(ld.code);
      const matching = core.filter((d) => d.code === code && sameRange(d.range, ld.range));
      const actions: CodeAction[] = [];
      for (const d of matching) if (d.fix) actions.push(edit(d.fix.title, { [ctx.uri]: [{ range: d.fix.range, newText: d.fix.text }] }, ld));
      if (matching.length) actions.push(...extraFixes(ctx, code, matching[0], ld));
      const seen = new Set<string>();
      const unique = actions.filter((a) => !seen.has(a.title) && !!seen.add(a.title));
      // The first is the most obvious: the core's own fix, else the first hook change.
      if (unique[0] && unique[0].edit) unique[0].isPreferred = true;
      out.push(...unique);
    }
    return out;
  } catch {
    return [];
  }
}

function edit(title: string, changes: Record<string, Array<{ range: Range; newText: string }>>, d: LspDiagnostic): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes } };
}

function extraFixes(ctx: DocumentContext, code: string, d: Diagnostic, ld: LspDiagnostic): CodeAction[] {
  switch (code) {
    case 'attach-mismatch': return attachMismatchFixes(ctx, d, ld);
    case 'redirect-peer-not-ingress': return peerNotIngressFixes(ctx, d, ld);
    case 'redirect-bad-flags': return badFlagsFixes(ctx, d, ld);
    case 'hook-unknown': return hookUnknownFixes(ctx, d, ld);
    default: return [];
  }
}

const hookEdit = (ctx: DocumentContext, topo: Topology, a: Attachment, hook: Hook) =>
  ({ [ctx.uriOf(topo.file)]: [{ range: a.hookRange, newText: hook }] });

/** A topology attach line at a hook the program's type or section does not fit. */
function attachMismatchFixes(ctx: DocumentContext, d: Diagnostic, ld: LspDiagnostic): CodeAction[] {
  const topo = topologyOf(ctx);
  const a = topo?.attachments.find((x) => sameRange(x.hookRange, d.range));
  if (!topo || !a) return [];
  const p = ctx.ws.programFor(a);
  if (!p) return [];
  const hook: Hook | undefined = p.progType === 'xdp' ? 'xdp' : p.progType === 'sched_cls' ? p.sectionHook ?? 'tc-ingress' : undefined;
  if (!hook || hook === a.hook) return [];
  return [edit(`Change the attach hook to ${hook} (what SEC("${p.section}") expects)`, hookEdit(ctx, topo, a, hook), ld)];
}

function programAt(ctx: DocumentContext, r: Range): ProgramModel | undefined {
  return programsOf(ctx).find((p) => p.redirects.some((x) => sameRange(x.range, r)) || contains(p.range, r.start));
}

/** bpf_redirect_peer where the program is attached away from tc ingress. */
function peerNotIngressFixes(ctx: DocumentContext, d: Diagnostic, ld: LspDiagnostic): CodeAction[] {
  if (!isCDoc(ctx)) return [];
  const p = programAt(ctx, d.range);
  if (!p) return [];
  const out: CodeAction[] = [];
  for (const a of placementOf(ctx.ws, p)?.placement.attachments ?? []) {
    if (!a.attachment || !a.topology || a.hook === 'tc-ingress' || a.hook === 'tcx-ingress') continue;
    const to: Hook = a.hook.startsWith('tcx-') ? 'tcx-ingress' : 'tc-ingress';
    const where = `${path.basename(a.topology.file)}:${a.attachment.range.start.line + 1}`;
    out.push(edit(`Change the attach hook to ${to} (${a.dev}, ${where})`, hookEdit(ctx, a.topology, a.attachment, to), ld));
  }
  // Or keep the hook and transmit instead: bpf_redirect(ifindex, 0) makes the target play Egress.
  const r = p.redirects.find((x) => sameRange(x.range, d.range) && x.kind === 'peer' && !x.innerRange);
  const line = r ? lineOf(ctx.text, r.range.start.line) : undefined;
  if (r && line?.startsWith('bpf_redirect_peer', r.range.start.character)) {
    const at = r.range.start;
    out.push(edit('Use bpf_redirect(ifindex, 0) here (the target plays Egress, its peer receives the packet)',
      { [ctx.uri]: [{ range: { start: at, end: { line: at.line, character: at.character + 'bpf_redirect_peer'.length } }, newText: 'bpf_redirect' }] }, ld));
  }
  return out;
}

/** Illegal flags: 0 is legal for every redirect helper. */
function badFlagsFixes(ctx: DocumentContext, d: Diagnostic, ld: LspDiagnostic): CodeAction[] {
  if (d.range.start.line !== d.range.end.line) return [];
  const text = lineOf(ctx.text, d.range.start.line)?.slice(d.range.start.character, d.range.end.character);
  if (!text || text.trim() === '0') return [];
  return [edit('Pass 0 as the flags', { [ctx.uri]: [{ range: d.range, newText: '0' }] }, ld)];
}

/** Nothing says where the program runs: add an attach line to the first topology file. */
function hookUnknownFixes(ctx: DocumentContext, d: Diagnostic, ld: LspDiagnostic): CodeAction[] {
  const p = programsOf(ctx).find((x) => sameRange(x.nameRange, d.range));
  const add = p && addAttachLine(ctx, p);
  if (!p || !add) return [];
  return [{
    title: `Add an attach line for ${p.name} to ${path.basename(add.topo.file)}`, kind: CodeActionKind.QuickFix, diagnostics: [ld],
    command: { title: 'Add an attach line', command: Commands.insertText, arguments: [add.args] },
  }];
}
