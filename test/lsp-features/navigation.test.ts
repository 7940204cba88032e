// Go to definition, references, document symbols and rename.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SymbolKind } from 'vscode-languageserver';
import { definition, references } from '../../server/src/lsp/navigation';
import { prepareRename, rename } from '../../server/src/lsp/rename';
import { documentSymbols } from '../../server/src/lsp/symbols';
import * as fs from 'node:fs';
import { at, CASES, ctxFor, EXAMPLES, rangeIn, uriOf, workspace } from './helpers';

const LXC = path.join(CASES, 'lxc.bpf.c');
const PEER = path.join(CASES, 'redirect-peer.topo');
const EGRESS = path.join(CASES, 'redirect-peer-at-egress.topo');
const r = (line: number, s: number, e: number) => ({ start: { line, character: s }, end: { line, character: e } });
const text = (f: string) => fs.readFileSync(f, 'utf8');
/** Where `needle` is written on 1-based `line` of a file. */
const inPeer = (line: number, needle: string, nth = 0) => rangeIn(text(PEER), line, needle, nth);
const inEgress = (line: number, needle: string, nth = 0) => rangeIn(text(EGRESS), line, needle, nth);

describe('definition', () => {
  it('a device reference goes to its declaration', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    // `lxc-a` on the attach line (14) is declared on the veth line (6)
    expect(definition(ctx, at(ctx, 14, 'lxc-a', 2))).toEqual([{ uri: uriOf(PEER), range: inPeer(6, 'lxc-a') }]);
    // `eth0` in `route @pod-a default dev eth0` is eth0@pod-a
    expect(definition(ctx, at(ctx, 9, 'eth0'))).toEqual([{ uri: uriOf(PEER), range: inPeer(6, 'eth0') }]);
  });

  it('a namespace reference goes to its netns line', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    expect(definition(ctx, at(ctx, 16, 'pod-b'))).toEqual([{ uri: uriOf(PEER), range: r(3, 6, 11) }]);
    expect(definition(ctx, at(ctx, 10, 'pod-b'))).toEqual([{ uri: uriOf(PEER), range: r(3, 6, 11) }]);
  });

  it('prog NAME goes to the C function', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    expect(definition(ctx, at(ctx, 14, 'to_pod_peer', 3))).toEqual([{ uri: uriOf(LXC), range: r(23, 4, 15) }]);
  });

  it('nothing on keywords, blanks, or the implicit host namespace', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    expect(definition(ctx, at(ctx, 14, 'attach'))).toEqual([]);
    expect(definition(ctx, { line: 4, character: 0 })).toEqual([]);
    expect(definition(ctx, { line: 500, character: 0 })).toEqual([]);
  });
});

describe('references', () => {
  it('in C on a program name: every attach line in every topology, plus the declaration if asked', async () => {
    const ws = await workspace(PEER, EGRESS, path.join(CASES, 'redirect-xmit.topo'));
    const ctx = ctxFor(ws, LXC);
    const pos = at(ctx, 24, 'to_pod_peer', 2);
    const refs = references(ctx, pos, false);
    expect(refs).toEqual([
      { uri: uriOf(PEER), range: inPeer(14, 'to_pod_peer') },
      { uri: uriOf(EGRESS), range: inEgress(13, 'to_pod_peer') },
    ]);
    expect(references(ctx, pos, true)).toEqual([{ uri: uriOf(LXC), range: r(23, 4, 15) }, ...refs]);
  });

  it('in a topology on a program: the same set', async () => {
    const ws = await workspace(PEER, EGRESS);
    const ctx = ctxFor(ws, EGRESS);
    expect(references(ctx, at(ctx, 13, 'to_pod_peer'), true).map((l) => l.uri)).toEqual([uriOf(LXC), uriOf(PEER), uriOf(EGRESS)]);
  });

  it('in a topology on a device: every ref of that device in the file', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    const pos = at(ctx, 7, 'lxc-b');
    expect(references(ctx, pos, true)).toEqual([
      { uri: uriOf(PEER), range: inPeer(7, 'lxc-b') },
      { uri: uriOf(PEER), range: inPeer(12, 'lxc-b') },
      { uri: uriOf(PEER), range: inPeer(14, 'lxc-b') },
    ]);
    expect(references(ctx, pos, false)).toHaveLength(2);
  });

  it('devices of the same name in two namespaces stay apart', async () => {
    const file = path.join(EXAMPLES, 'veth-pair/veth-pair.topo');
    const ws = await workspace(file);
    const ctx = ctxFor(ws, file);
    expect(references(ctx, at(ctx, 6, 'eth0', 0), true)).toEqual([{ uri: uriOf(file), range: r(5, 5, 9) }]);
    expect(references(ctx, at(ctx, 6, 'red'), true).map((l) => l.range.start.line)).toEqual([2, 5, 9, 10]);
  });
});

describe('document symbols', () => {
  it('topology: namespaces holding their devices, host devices, routes, attach lines, paths', async () => {
    const ws = await workspace(PEER);
    const syms = documentSymbols(ctxFor(ws, PEER));
    expect(syms.map((s) => [s.name, s.kind])).toEqual([
      ['pod-a', SymbolKind.Namespace], ['pod-b', SymbolKind.Namespace],
      ['lxc-a@host', SymbolKind.Interface], ['lxc-b@host', SymbolKind.Interface],
      ['route default @pod-a', SymbolKind.Field], ['route default @pod-b', SymbolKind.Field],
      ['route 10.0.1.10/32', SymbolKind.Field], ['route 10.0.1.20/32', SymbolKind.Field],
      ['tc-ingress lxc-a@host: to_pod_peer', SymbolKind.Event],
      ['path pod-a -> pod-b', SymbolKind.Function],
    ]);
    expect(syms[0].children?.map((c) => [c.name, c.detail])).toEqual([['eth0@pod-a', 'veth 10.0.1.10/32 peer lxc-a@host']]);
    expect(syms[0].selectionRange).toEqual(r(2, 6, 11));
    // the namespace spans its devices
    expect(syms[0].range).toEqual({ start: { line: 2, character: 0 }, end: inPeer(6, 'lxc-a').end });
  });

  it('C: programs with their section', async () => {
    const ws = await workspace(path.join(CASES, 'sections.bpf.c'));
    const syms = documentSymbols(ctxFor(ws, path.join(CASES, 'sections.bpf.c')));
    expect(syms.map((s) => [s.name, s.detail, s.kind])).toEqual([
      ['count_ingress', 'SEC("tc/ingress")', SymbolKind.Function], ['count_egress', 'SEC("tcx/egress")', SymbolKind.Function],
      ['drop_nothing', 'SEC("xdp")', SymbolKind.Function], ['who_knows', 'SEC("classifier")', SymbolKind.Function],
      ['xdp_bad_flags', 'SEC("xdp")', SymbolKind.Function], ['xdp_wrong_code', 'SEC("xdp")', SymbolKind.Function],
      ['peer_from_egress', 'SEC("tc/egress")', SymbolKind.Function],
    ]);
    expect(syms[0].selectionRange).toEqual(r(6, 4, 17));
  });
});

describe('rename', () => {
  it('a device: every ref in the file, only the NAME part of NAME@NS', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    const pos = at(ctx, 14, 'lxc-b');
    expect(prepareRename(ctx, pos)).toEqual(inPeer(14, 'lxc-b'));
    const edit = rename(ctx, pos, 'lxc-pod-b');
    expect(edit?.changes?.[uriOf(PEER)]?.map((e) => [e.range, e.newText])).toEqual([
      [inPeer(7, 'lxc-b'), 'lxc-pod-b'], [inPeer(12, 'lxc-b'), 'lxc-pod-b'], [inPeer(14, 'lxc-b'), 'lxc-pod-b'],
    ]);
    const eth0 = rename(ctx, at(ctx, 6, 'eth0'), 'veth0');
    expect(eth0?.changes?.[uriOf(PEER)]?.map((e) => e.range)).toEqual([inPeer(6, 'eth0'), inPeer(9, 'eth0')]);
  });

  it('a namespace: declaration, @NS parts, route namespaces and path endpoints', async () => {
    const ws = await workspace(PEER);
    const ctx = ctxFor(ws, PEER);
    const edit = rename(ctx, at(ctx, 3, 'pod-a'), 'client');
    expect(edit?.changes?.[uriOf(PEER)]?.map((e) => e.range.start.line)).toEqual([2, 5, 8, 15]);
  });

  it('a program: the C function and the attach lines of every topology', async () => {
    const ws = await workspace(PEER, EGRESS);
    const ctx = ctxFor(ws, LXC);
    const edit = rename(ctx, at(ctx, 24, 'to_pod_peer'), 'to_pod_fast');
    expect(edit?.changes).toEqual({
      [uriOf(LXC)]: [{ range: r(23, 4, 15), newText: 'to_pod_fast' }],
      [uriOf(PEER)]: [{ range: inPeer(14, 'to_pod_peer'), newText: 'to_pod_fast' }],
      [uriOf(EGRESS)]: [{ range: inEgress(13, 'to_pod_peer'), newText: 'to_pod_fast' }],
    });
    // from the topology side too
    const t = ctxFor(ws, PEER);
    expect(Object.keys(rename(t, at(t, 14, 'to_pod_peer'), 'x1')?.changes ?? {})).toHaveLength(3);
  });

  it('invalid names, clashes, host and keywords are refused', async () => {
    const ws = await workspace(PEER);
    const t = ctxFor(ws, PEER);
    expect(rename(t, at(t, 14, 'lxc-b'), 'lxc b')).toBeNull();
    expect(rename(t, at(t, 14, 'lxc-b'), '9lives')).toBeNull();
    expect(rename(t, at(t, 14, 'lxc-b'), 'lxc-a')).toBeNull();
    expect(rename(t, at(t, 3, 'pod-a'), 'pod-b')).toBeNull();
    expect(rename(t, at(t, 3, 'pod-a'), 'host')).toBeNull();
    expect(rename(t, at(t, 14, 'to_pod_peer'), 'to-pod')).toBeNull();
    expect(rename(t, at(t, 14, 'to_pod_peer'), 'return')).toBeNull();
    expect(prepareRename(t, at(t, 14, 'attach'))).toBeNull();
    expect(prepareRename(t, at(t, 11, '10.0.1.10'))).toBeNull();
    const c = ctxFor(ws, LXC);
    expect(prepareRename(c, at(c, 26, 'lookup_ifindex'))).toBeNull();
  });

  it('the host namespace cannot be renamed', async () => {
    const file = path.join(CASES, 'virtual-host.topo');
    const ws = await workspace();
    const ctx = ctxFor(ws, file, 'netns host\nnic eth0@host 10.0.0.1/24\n');
    expect(prepareRename(ctx, at(ctx, 1, 'host'))).toBeNull();
    expect(rename(ctx, at(ctx, 2, 'host'), 'root')).toBeNull();
  });
});
