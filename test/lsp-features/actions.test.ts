// Quick fixes: the core's own fixes, found again by code and range, and hook changes in topologies.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Workspace } from '../../server/src/inference/workspace';
import { codeActions } from '../../server/src/lsp/actions';
import { Commands, type DocumentContext } from '../../server/src/lsp/context';
import { CASES, ctxFor, rangeIn, uriOf, workspace } from './helpers';

const LXC = path.join(CASES, 'lxc.bpf.c');
const SECTIONS = path.join(CASES, 'sections.bpf.c');

/** The diagnostics of one file as the server publishes them. */
function published(ws: Workspace, file: string, code: string): LspDiagnostic[] {
  return ws.diagnostics().filter((d) => d.file === file && d.code === code)
    .map((d) => ({ range: d.range, severity: d.severity === 'error' ? 1 : d.severity === 'warning' ? 2 : 3, code: d.code, source: 'datapath-lens', message: d.message }));
}

function actionsFor(ctx: DocumentContext, code: string): CodeAction[] {
  const diags = published(ctx.ws, ctx.file, code);
  expect(diags.length, `a ${code} diagnostic in ${path.basename(ctx.file)}`).toBeGreaterThan(0);
  return codeActions(ctx, diags[0].range, [diags[0]]);
}

const summary = (a: CodeAction) => ({ title: a.title, preferred: !!a.isPreferred, edit: a.edit?.changes });

describe('quick fixes from the core', () => {
  it('a misspelt device: Change to the closest name', async () => {
    const ws = await workspace();
    const file = path.join(CASES, 'virtual-actions.topo');
    const text = 'netns pod-a\nveth eth0@pod-a 10.0.1.10/32 -- lxc-a\nroute 10.0.1.10/32 dev lxc-aa\n';
    const ctx = ctxFor(ws, file, text);
    const [a, ...rest] = actionsFor(ctx, 'topo-unknown-name');
    expect(rest).toEqual([]);
    expect(summary(a)).toEqual({ title: 'Change to "lxc-a"', preferred: true, edit: { [uriOf(file)]: [{ range: rangeIn(text, 3, 'lxc-aa'), newText: 'lxc-a' }] } });
    expect(a.kind).toBe(CodeActionKind.QuickFix);
    expect(a.diagnostics?.[0].code).toBe('topo-unknown-name');
  });

  it('a misspelt hook', async () => {
    const ws = await workspace();
    const file = path.join(CASES, 'virtual-actions-hook.topo');
    const text = 'nic eth0 10.0.0.1/24\nattach tc-ingres eth0 prog to_pod_peer file "lxc.bpf.c"\n';
    const [a] = actionsFor(ctxFor(ws, file, text), 'topo-unknown-hook');
    expect(summary(a)).toEqual({ title: 'Change to "tc-ingress"', preferred: true, edit: { [uriOf(file)]: [{ range: rangeIn(text, 2, 'tc-ingres'), newText: 'tc-ingress' }] } });
  });

  it('Drop BPF_F_INGRESS for a wrong-direction redirect', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-wrong-way.topo'));
    const ctx = ctxFor(ws, LXC);
    const [a] = actionsFor(ctx, 'redirect-wrong-direction');
    expect(a.title).toMatch(/^Drop BPF_F_INGRESS/);
    expect(a.isPreferred).toBe(true);
    expect(a.edit?.changes?.[uriOf(LXC)]).toEqual([{ range: rangeIn(ctx.text, 49, 'BPF_F_INGRESS'), newText: '0' }]);
  });

  it("Return the helper's result when it is ignored", async () => {
    const ws = await workspace(path.join(CASES, 'redirect-forgetful.topo'));
    const ctx = ctxFor(ws, LXC);
    const [a] = actionsFor(ctx, 'redirect-result-ignored');
    expect(a.title).toBe("Return the redirect helper's verdict");
    expect(a.edit?.changes?.[uriOf(LXC)]).toEqual([{ range: rangeIn(ctx.text, 58, 'bpf_redirect(ifindex, 0)'), newText: 'return bpf_redirect(ifindex, 0)' }]);
  });

  it('Return XDP_PASS for a tc code in an XDP program; Pass 0 for bad flags', async () => {
    const ws = await workspace(SECTIONS);
    const ctx = ctxFor(ws, SECTIONS);
    expect(actionsFor(ctx, 'return-code-mismatch').map(summary)).toEqual([
      { title: 'Return XDP_PASS', preferred: true, edit: { [uriOf(SECTIONS)]: [{ range: rangeIn(ctx.text, 39, 'TC_ACT_OK'), newText: 'XDP_PASS' }] } },
    ]);
    expect(actionsFor(ctx, 'redirect-bad-flags').map(summary)).toEqual([
      { title: 'Pass 0 as the flags', preferred: true, edit: { [uriOf(SECTIONS)]: [{ range: rangeIn(ctx.text, 33, 'BPF_F_INGRESS'), newText: '0' }] } },
    ]);
  });
});

describe('hook changes in topology files', () => {
  it('redirect-peer-not-ingress: move the attach line to tc-ingress (preferred), or use bpf_redirect', async () => {
    const topo = path.join(CASES, 'redirect-peer-at-egress.topo');
    const ws = await workspace(topo);
    const ctx = ctxFor(ws, LXC);
    const topoText = ctxFor(ws, topo).text;
    const actions = actionsFor(ctx, 'redirect-peer-not-ingress').map(summary);
    expect(actions).toEqual([
      { title: 'Change the attach hook to tc-ingress (lxc-b@host, redirect-peer-at-egress.topo:13)', preferred: true, edit: { [uriOf(topo)]: [{ range: rangeIn(topoText, 13, 'tc-egress'), newText: 'tc-ingress' }] } },
      { title: 'Use bpf_redirect(ifindex, 0) here (the target plays Egress, its peer receives the packet)', preferred: false, edit: { [uriOf(LXC)]: [{ range: rangeIn(ctx.text, 29, 'bpf_redirect_peer'), newText: 'bpf_redirect' }] } },
    ]);
  });

  it('attach-mismatch: an XDP program at tc-ingress goes to xdp; a tcx/egress program to tcx-egress', async () => {
    const ws = await workspace(SECTIONS);
    const file = path.join(CASES, 'virtual-mismatch.topo');
    const text = 'nic eth0 10.0.0.1/24\nattach tc-ingress eth0 prog drop_nothing file "sections.bpf.c"\nattach tc-ingress eth0 prog count_egress file "sections.bpf.c"\n';
    const ctx = ctxFor(ws, file, text);
    const diags = published(ws, file, 'attach-mismatch').sort((a, b) => a.range.start.line - b.range.start.line);
    expect(diags).toHaveLength(2);
    expect(codeActions(ctx, diags[0].range, [diags[0]]).map(summary)).toEqual([
      { title: 'Change the attach hook to xdp (what SEC("xdp") expects)', preferred: true, edit: { [uriOf(file)]: [{ range: rangeIn(text, 2, 'tc-ingress'), newText: 'xdp' }] } },
    ]);
    expect(codeActions(ctx, diags[1].range, [diags[1]]).map((a) => a.title)).toEqual(['Change the attach hook to tcx-egress (what SEC("tcx/egress") expects)']);
  });

  it('hook-unknown: a command that adds an attach line to the first topology', async () => {
    const topo = path.join(CASES, 'veth-pair.topo');
    const ws = await workspace(topo, SECTIONS);
    const ctx = ctxFor(ws, SECTIONS);
    const [a] = actionsFor(ctx, 'hook-unknown');
    expect(a.edit).toBeUndefined();
    expect(a.command).toEqual({ title: 'Add an attach line', command: Commands.insertText, arguments: [{ uri: uriOf(topo), line: 5, text: 'attach tc-ingress DEV prog who_knows file "sections.bpf.c"' }] });
  });

  it('nothing for diagnostics the core does not know, or none at all', async () => {
    const ws = await workspace(SECTIONS);
    const ctx = ctxFor(ws, SECTIONS);
    const fake: LspDiagnostic = { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }, message: 'x', code: 'return-code-mismatch' };
    expect(codeActions(ctx, fake.range, [fake])).toEqual([]);
    expect(codeActions(ctx, fake.range, [])).toEqual([]);
  });
});
