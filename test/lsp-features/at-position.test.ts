// What the cursor is on (topology/at-position.ts), and every feature's promise never to throw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeActions } from '../../server/src/lsp/actions';
import { completion } from '../../server/src/lsp/completion';
import { formatting } from '../../server/src/lsp/formatting';
import { hover } from '../../server/src/lsp/hover';
import { codeLenses } from '../../server/src/lsp/lenses';
import { definition, references } from '../../server/src/lsp/navigation';
import { prepareRename, rename } from '../../server/src/lsp/rename';
import { documentSymbols } from '../../server/src/lsp/symbols';
import { lineBefore, tokenAt, whatIsAt, wordAt } from '../../server/src/topology/at-position';
import { parseTopology } from '../../server/src/topology/parse';
import { at, CASES, ctxFor, EXAMPLES, workspace } from './helpers';

const PEER = path.join(CASES, 'redirect-peer.topo');
const peerText = fs.readFileSync(PEER, 'utf8');
const peer = parseTopology(peerText, PEER).topology;
const pos = (line: number, needle: string, offset = 0, nth = 0) => at({ text: peerText } as never, line, needle, offset, nth);

describe('whatIsAt', () => {
  it('devices, namespaces, programs, hooks, paths and keywords', () => {
    expect(whatIsAt(peer, peerText, pos(14, 'lxc-a', 2))).toMatchObject({ kind: 'device', key: 'lxc-a@host' });
    expect(whatIsAt(peer, peerText, pos(6, 'eth0'))).toMatchObject({ kind: 'device', key: 'eth0@pod-a' });
    expect(whatIsAt(peer, peerText, pos(6, 'pod-a', 1))).toMatchObject({ kind: 'namespace', name: 'pod-a' });
    expect(whatIsAt(peer, peerText, pos(9, 'pod-a'))).toMatchObject({ kind: 'namespace', name: 'pod-a' });
    const prog = whatIsAt(peer, peerText, pos(14, 'to_pod_peer', 5));
    expect(prog).toMatchObject({ kind: 'program', name: 'to_pod_peer' });
    expect(prog && prog.kind === 'program' && prog.attachment.hook).toBe('tc-ingress');
    expect(whatIsAt(peer, peerText, pos(14, 'tc-ingress', 3))).toMatchObject({ kind: 'hook' });
    expect(whatIsAt(peer, peerText, pos(16, 'path'))).toMatchObject({ kind: 'path', index: 0 });
    expect(whatIsAt(peer, peerText, pos(16, '->'))).toMatchObject({ kind: 'path', index: 0 });
    expect(whatIsAt(peer, peerText, pos(16, 'pod-b'))).toMatchObject({ kind: 'namespace', name: 'pod-b' });
    expect(whatIsAt(peer, peerText, pos(14, 'redirect-to'))).toMatchObject({ kind: 'keyword', word: 'redirect-to' });
    expect(whatIsAt(peer, peerText, pos(9, 'route'))).toMatchObject({ kind: 'keyword', word: 'route' });
    expect(whatIsAt(peer, peerText, pos(11, '10.0.1.10/32'))).toBeNull();
    expect(whatIsAt(peer, peerText, pos(1, 'Two'))).toBeNull();
    expect(whatIsAt(peer, peerText, { line: 99, character: 0 })).toBeNull();
  });

  it('the cursor just after a name is still on it', () => {
    expect(whatIsAt(peer, peerText, pos(14, 'lxc-a', 5))).toMatchObject({ kind: 'device', key: 'lxc-a@host' });
  });

  it('tokenAt, wordAt, lineBefore', () => {
    expect(tokenAt('veth a@b -- c', { line: 0, character: 6 })?.text).toBe('a@b');
    expect(tokenAt('veth a@b -- c', { line: 0, character: 9 })?.kind).toBe('pair');
    expect(tokenAt('x', { line: 3, character: 0 })).toBeUndefined();
    expect(wordAt('  return TC_ACT_OK;', { line: 0, character: 12 })).toEqual({ word: 'TC_ACT_OK', range: { start: { line: 0, character: 9 }, end: { line: 0, character: 18 } } });
    expect(wordAt('a\r\nreturn x;', { line: 1, character: 0 })?.word).toBe('return');
    const lc = lineBefore('attach tc-ingress lx', { line: 0, character: 20 });
    expect(lc.tokens.map((t) => t.text)).toEqual(['attach', 'tc-ingress']);
    expect(lc.partial?.text).toBe('lx');
    expect(lineBefore('path a # b', { line: 0, character: 10 }).inComment).toBe(true);
    expect(lineBefore('attach x y prog p file "ab', { line: 0, character: 26 }).inString?.text).toBe('ab');
  });
});

describe('every feature returns null or [] on odd input, never throws', () => {
  it('all positions of every acceptance file and example, and beyond', async () => {
    const topos = fs.readdirSync(CASES).filter((f) => f.endsWith('.topo')).map((f) => path.join(CASES, f));
    const ws = await workspace(...topos, path.join(CASES, 'sections.bpf.c'), path.join(EXAMPLES, 'ebpf-redirects/ebpf-redirects.topo'));
    const files = [...topos, path.join(CASES, 'lxc.bpf.c'), path.join(CASES, 'sections.bpf.c'), path.join(EXAMPLES, 'ebpf-redirects/redirect.bpf.c')];
    let calls = 0;
    for (const f of files) {
      const ctx = ctxFor(ws, f);
      const lines = ctx.text.split('\n');
      expect(() => codeLenses(ctx)).not.toThrow();
      expect(() => documentSymbols(ctx)).not.toThrow();
      expect(() => formatting(ctx)).not.toThrow();
      for (let line = -1; line <= lines.length + 1; line++) {
        const len = lines[line]?.length ?? 3;
        for (let character = -1; character <= len + 1; character += 2) {
          const p = { line, character };
          hover(ctx, p); completion(ctx, p); definition(ctx, p); references(ctx, p, true);
          prepareRename(ctx, p); rename(ctx, p, 'x_1');
          codeActions(ctx, { start: p, end: p }, []);
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(1000);
  });

  it('documents the workspace does not hold, empty and garbage text', async () => {
    const ws = await workspace();
    for (const [file, text] of [['/nowhere/a.topo', ''], ['/nowhere/b.c', ''], ['/nowhere/c.topo', '"\n@@@ -> ->\nattach'], ['/nowhere/d.c', 'SEC("tc") int f(']] as const) {
      const ctx = { ...ctxFor(ws, file), text };
      const p = { line: 0, character: 1 };
      expect(hover(ctx, p)).toBeNull();
      expect(codeLenses(ctx)).toEqual([]);
      expect(definition(ctx, p)).toEqual([]);
      expect(references(ctx, p, true)).toEqual([]);
      expect(documentSymbols(ctx)).toEqual([]);
      expect(prepareRename(ctx, p)).toBeNull();
      expect(rename(ctx, p, 'x')).toBeNull();
      expect(codeActions(ctx, { start: p, end: p }, [{ range: { start: p, end: p }, message: 'm', code: 'topo-syntax' }])).toEqual([]);
      expect(() => completion(ctx, p)).not.toThrow();
      expect(() => formatting(ctx)).not.toThrow();
    }
  });
});
