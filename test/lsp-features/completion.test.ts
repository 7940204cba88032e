// Completion in topology files: what each statement expects at the cursor.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InsertTextFormat, type CompletionItem, type TextEdit } from 'vscode-languageserver';
import { completion } from '../../server/src/lsp/completion';
import { CASES, ctxFor, workspace } from './helpers';

const FILE = path.join(CASES, 'virtual-completion.topo');
const BASE = [
  'netns pod-a',
  'netns pod-b forwarding',
  'veth eth0@pod-a 10.0.1.10/32 -- lxc-a',
  'veth eth0@pod-b 10.0.1.20/32 -- lxc-b',
  'nic eth1 192.168.1.10/24',
  'attach tc-ingress lxc-a prog to_pod_peer file "lxc.bpf.c"',
].join('\n');

/** Completions with the cursor at the end of `line`, typed as the last line of the file. */
async function complete(line: string, opts: { extraFiles?: string[]; after?: string } = {}): Promise<CompletionItem[]> {
  const ws = await workspace(...(opts.extraFiles ?? []));
  const text = `${BASE}\n${line}${opts.after ?? ''}\n`;
  const ctx = ctxFor(ws, FILE, text);
  return completion(ctx, { line: BASE.split('\n').length, character: line.length });
}
const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe('completion in topology files', () => {
  it('statement keywords with snippets at the start of a line', async () => {
    const items = await complete('');
    expect(labels(items)).toEqual(['netns', 'nic', 'veth', 'bridge', 'wire', 'netkit', 'route', 'attach', 'path', 'map']);
    const attach = items.find((i) => i.label === 'attach')!;
    expect(attach.insertTextFormat).toBe(InsertTextFormat.Snippet);
    expect((attach.textEdit as TextEdit).newText).toMatch(/^attach \$\{1\|tc-ingress,tc-egress,/);
    // a partly typed keyword is replaced as a whole
    const partial = await complete('att');
    expect((partial.find((i) => i.label === 'attach')!.textEdit as TextEdit).range).toEqual({ start: { line: 6, character: 0 }, end: { line: 6, character: 3 } });
  });

  it('hooks after attach, then devices, then prog', async () => {
    expect(labels(await complete('attach '))).toEqual(['tc-ingress', 'tc-egress', 'tcx-ingress', 'tcx-egress', 'xdp', 'xdp-generic', 'netkit-primary', 'netkit-peer']);
    expect(labels(await complete('attach tc-egress '))).toEqual(['eth0@pod-a', 'lxc-a', 'eth0@pod-b', 'lxc-b', 'eth1']);
    expect(labels(await complete('attach tc-egress lxc-b '))).toEqual(['prog']);
  });

  it('program names after prog, from the C files of the workspace', async () => {
    const items = await complete('attach tc-egress lxc-b prog ', { extraFiles: [path.join(CASES, 'sections.bpf.c')] });
    expect(labels(items)).toContain('to_pod_peer');
    expect(labels(items)).toContain('count_egress');
    expect(items.find((i) => i.label === 'to_pod_xmit')!.detail).toBe('SEC("tc") · lxc.bpf.c');
  });

  it('program names are limited to the file "..." on the line', async () => {
    const items = await complete('attach tc-egress lxc-b prog ', { extraFiles: [path.join(CASES, 'sections.bpf.c')], after: 'x file "sections.bpf.c"' });
    expect(labels(items)).toContain('count_egress');
    expect(labels(items)).not.toContain('to_pod_peer');
  });

  it('options after the program, without the ones already written', async () => {
    expect(labels(await complete('attach tc-egress lxc-b prog to_pod_xmit '))).toEqual(['file', 'redirect-to', 'priority']);
    expect(labels(await complete('attach tc-egress lxc-b prog to_pod_xmit file "lxc.bpf.c" '))).toEqual(['redirect-to', 'priority']);
    expect(labels(await complete('attach tc-egress lxc-b prog to_pod_xmit redirect-to '))).toContain('eth0@pod-b');
    expect(labels(await complete('attach tc-egress lxc-b prog to_pod_xmit file '))).toEqual(['lxc.bpf.c']);
    const inString = await complete('attach tc-egress lxc-b prog to_pod_xmit file "lx');
    expect(inString.map((i) => (i.textEdit as TextEdit).newText)).toEqual(['lxc.bpf.c"']);
  });

  it('namespaces after @', async () => {
    const items = await complete('attach tc-egress eth0@p');
    expect(labels(items)).toEqual(['host', 'pod-a', 'pod-b']);
    // only the part after @ is replaced
    expect((items[0].textEdit as TextEdit).range).toEqual({ start: { line: 6, character: 22 }, end: { line: 6, character: 23 } });
  });

  it('routes: namespaces and default, then via/dev, then devices of the route namespace', async () => {
    expect(labels(await complete('route '))).toEqual(['@host', '@pod-a', '@pod-b', 'default']);
    expect(labels(await complete('route @pod-b '))).toEqual(['default']);
    expect(labels(await complete('route @pod-b default '))).toEqual(['via', 'dev']);
    expect(labels(await complete('route @pod-b default via 10.0.1.1 '))).toEqual(['dev']);
    expect(labels(await complete('route @pod-b default dev '))).toEqual(['eth0']);
    expect(labels(await complete('route 10.0.1.20/32 dev '))).toEqual(['lxc-a', 'lxc-b', 'eth1']);
  });

  it('paths: namespaces and devices, ->, then protocols', async () => {
    const from = labels(await complete('path '));
    expect(from).toEqual(['host', 'pod-a', 'pod-b', 'eth0@pod-a', 'lxc-a', 'eth0@pod-b', 'lxc-b', 'eth1']);
    expect(labels(await complete('path pod-a '))).toEqual(['->']);
    expect(labels(await complete('path pod-a -> '))).toEqual(from);
    expect(labels(await complete('path pod-a -> pod-b '))).toEqual(['icmp', 'udp', 'tcp']);
    expect(labels(await complete('path pod-a -> pod-b tcp '))).toEqual([]);
  });

  it('device attributes, bridge ports, netns forwarding, wire NICs, netkit mode', async () => {
    expect(labels(await complete('nic eth2 10.0.0.1/24 '))).toEqual(['ifindex', 'mac']);
    expect(labels(await complete('veth a1 '))).toEqual(['--', 'ifindex', 'mac']);
    expect(labels(await complete('bridge br0 10.0.2.1/24 '))).toEqual(['ports', 'ifindex', 'mac']);
    expect(labels(await complete('bridge br0 ports lxc-a '))).toEqual(['lxc-b', 'eth1']);
    expect(labels(await complete('netns pod-c '))).toEqual(['forwarding']);
    expect(labels(await complete('wire '))).toEqual(['eth1']);
    expect(labels(await complete('netkit nk0 -- nk1@pod-a mode '))).toEqual(['l2', 'l3']);
  });

  it('nothing in comments, in names being declared, or in C files', async () => {
    expect(await complete('# attach ')).toEqual([]);
    expect(await complete('netns ')).toEqual([]);
    const ws = await workspace();
    expect(completion(ctxFor(ws, path.join(CASES, 'lxc.bpf.c')), { line: 0, character: 0 })).toEqual([]);
  });
});
