// Code lens titles and commands above programs, redirects and path statements.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Commands } from '../../server/src/lsp/context';
import { codeLenses } from '../../server/src/lsp/lenses';
import { CASES, ctxFor, EXAMPLES, uriOf, workspace } from './helpers';

const LXC = path.join(CASES, 'lxc.bpf.c');
const SECTIONS = path.join(CASES, 'sections.bpf.c');
const titlesAt = (lenses: ReturnType<typeof codeLenses>, line: number) => lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title);

describe('code lenses in C', () => {
  it('program and peer redirect attached at tc ingress', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-peer.topo'));
    const ctx = ctxFor(ws, LXC);
    const lenses = codeLenses(ctx);
    expect(titlesAt(lenses, 23)).toEqual(['tc ingress · lxc-a@host · Ingress']);
    expect(titlesAt(lenses, 28)).toEqual(['→ eth0@pod-b Ingress, peer, no backlog']);
    const program = lenses.find((l) => l.range.start.line === 23)!;
    expect(program.command).toEqual({ title: 'tc ingress · lxc-a@host · Ingress', command: Commands.showPreview, arguments: [{ uri: uriOf(LXC), program: 'to_pod_peer' }] });
  });

  it('bpf_redirect(.., 0): Egress of the target, then its peer via backlog', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-xmit.topo'));
    const lenses = codeLenses(ctxFor(ws, LXC));
    expect(titlesAt(lenses, 38)).toEqual(['→ lxc-b@host Egress, then eth0@pod-b Ingress via backlog']);
  });

  it('peer redirect at tc egress, and an ignored result', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-peer-at-egress.topo'), path.join(CASES, 'redirect-forgetful.topo'));
    const lenses = codeLenses(ctxFor(ws, LXC));
    expect(titlesAt(lenses, 23)).toEqual(['tc egress · lxc-b@host · Egress']);
    expect(titlesAt(lenses, 28)).toEqual(['⚠ dropped: bpf_redirect_peer at tc egress']);
    expect(titlesAt(lenses, 57)).toEqual(['⚠ no redirect: result ignored']);
  });

  it('a program attached twice gets both attachments and one redirect lens per attachment', async () => {
    const ws = await workspace(path.join(CASES, 'redirect-peer.topo'), path.join(CASES, 'redirect-peer-at-egress.topo'));
    const lenses = codeLenses(ctxFor(ws, LXC));
    expect(titlesAt(lenses, 23)).toEqual(['tc ingress · lxc-a@host · Ingress | tc egress · lxc-b@host · Egress']);
    expect(titlesAt(lenses, 28)).toEqual(['→ eth0@pod-b Ingress, peer, no backlog', '⚠ dropped: bpf_redirect_peer at tc egress']);
  });

  it('sections: direction from SEC; unknown ones offer an attach line in the first topology', async () => {
    const topo = path.join(CASES, 'veth-pair.topo');
    const ws = await workspace(topo, SECTIONS);
    const lenses = codeLenses(ctxFor(ws, SECTIONS));
    expect(titlesAt(lenses, 6)).toEqual(['section tc/ingress · Ingress (from SEC)']);
    expect(titlesAt(lenses, 12)).toEqual(['section tcx/egress · Egress (from SEC)']);
    expect(titlesAt(lenses, 42)).toEqual(['section tc/egress · Egress (from SEC)']);
    expect(titlesAt(lenses, 44)).toEqual(['⚠ dropped: bpf_redirect_peer at tc egress']);
    expect(titlesAt(lenses, 32)).toEqual(['⚠ dropped: bpf_redirect refuses flags BPF_F_INGRESS']);
    const unknown = lenses.find((l) => l.range.start.line === 24)!;
    expect(unknown.command).toEqual({
      title: 'direction unknown: add an attach line', command: Commands.insertText,
      // veth-pair.topo has no attach line: before its first path (line 6, 0-based 5)
      arguments: [{ uri: uriOf(topo), line: 5, text: 'attach tc-ingress DEV prog who_knows file "sections.bpf.c"' }],
    });
  });

  it('loader code: hook, device and the loader file', async () => {
    const ws = await workspace(path.join(CASES, 'shaper.bpf.c'));
    ws.setLoader(path.join(CASES, 'shaper.c'), fs.readFileSync(path.join(CASES, 'shaper.c'), 'utf8'));
    expect(titlesAt(codeLenses(ctxFor(ws, path.join(CASES, 'shaper.bpf.c'))), 6)).toEqual(['tc ingress · eth0 · Ingress (from loader shaper.c)']);
  });

  it('without any topology the unknown program opens the preview instead', async () => {
    const ws = await workspace(SECTIONS);
    const unknown = codeLenses(ctxFor(ws, SECTIONS)).find((l) => l.range.start.line === 24)!;
    expect(unknown.command).toEqual({ title: 'direction unknown: add an attach line', command: Commands.showPreview, arguments: [{ uri: uriOf(SECTIONS), program: 'who_knows' }] });
  });

  it('a relative path from another folder', async () => {
    const topo = path.join(EXAMPLES, 'veth-pair/veth-pair.topo');
    const ws = await workspace(topo, SECTIONS);
    const unknown = codeLenses(ctxFor(ws, SECTIONS)).find((l) => l.range.start.line === 24)!;
    const arg = (unknown.command!.arguments as Array<{ text: string }>)[0];
    expect(arg.text).toBe(`attach tc-ingress DEV prog who_knows file "${path.relative(path.dirname(topo), SECTIONS)}"`);
  });
});

describe('code lenses in topology files', () => {
  it('one per path: verdict and hop count, opening the preview on that path', async () => {
    const file = path.join(EXAMPLES, 'bridge-pods/bridge-pods.topo');
    const ws = await workspace(file);
    const lenses = codeLenses(ctxFor(ws, file));
    expect(lenses.map((l) => [l.range.start.line, l.command?.title])).toEqual([
      [18, 'delivered · 4 hops'], [20, 'delivered · 3 hops'], [22, 'left at eth0@host · 4 hops'],
    ]);
    expect(lenses[1].command?.arguments).toEqual([{ uri: uriOf(file), path: 1 }]);
  });

  it('a dropped path names the device', async () => {
    const file = path.join(CASES, 'redirect-peer-at-egress.topo');
    const ws = await workspace(file);
    expect(codeLenses(ctxFor(ws, file)).map((l) => l.command?.title)).toEqual(['dropped at lxc-b@host · 3 hops']);
  });

  it('nothing for a document the workspace does not hold', async () => {
    const ws = await workspace();
    expect(codeLenses({ ...ctxFor(ws, '/nowhere/x.topo'), text: 'path a -> b' })).toEqual([]);
    expect(codeLenses({ ...ctxFor(ws, '/nowhere/x.c'), text: 'int f(void) { return 0; }' })).toEqual([]);
  });
});
