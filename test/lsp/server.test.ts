// The real server process over JSON-RPC: diagnostics, hovers, lenses, navigation, completion
// and edits, at exact positions of the acceptance files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, uri } from './client';

const cases = path.resolve(__dirname, '../../../shared/acceptance/cases');
const have = fs.existsSync(cases) && fs.existsSync(path.resolve(__dirname, '../../dist/cli.js'));

interface Hover { contents: { kind: string; value: string } }
interface Lens { range: { start: { line: number } }; command?: { title: string; command: string } }
interface Location { uri: string; range: { start: { line: number; character: number } } }

describe.skipIf(!have)('language server over JSON-RPC', () => {
  let dir: string;
  let client: TestClient;
  let c: string;
  let topo: string;
  let lxcText: string;
  let topoText: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lsp-'));
    lxcText = fs.readFileSync(path.join(cases, 'lxc.bpf.c'), 'utf8');
    topoText = fs.readFileSync(path.join(cases, 'redirect-wrong-way.topo'), 'utf8');
    c = path.join(dir, 'lxc.bpf.c');
    topo = path.join(dir, 'lab.topo');
    fs.writeFileSync(c, lxcText);
    fs.writeFileSync(topo, topoText);
    fs.writeFileSync(path.join(dir, 'attach.sh'), fs.readFileSync(path.join(cases, 'attach.sh')));
    fs.writeFileSync(path.join(dir, 'egress.bpf.c'), fs.readFileSync(path.join(cases, 'egress.bpf.c')));
    client = new TestClient();
    const init = await client.initialize(dir) as { capabilities: Record<string, unknown> };
    expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, referencesProvider: true, documentFormattingProvider: true });
    await client.ready();
    client.open(c, lxcText);
    client.open(topo, topoText);
    await client.until(() => (client.diagnostics.get(uri(c)) ?? []).length > 0, 10_000, 'diagnostics of lxc.bpf.c');
  });

  afterAll(async () => {
    await client?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('indexes the workspace and reports what it found', () => {
    const last = client.statuses[client.statuses.length - 1];
    expect(last.state).toBe('ready');
    expect(last.programs).toBe(6);
  });

  it('publishes the contract diagnostics at their lines', () => {
    const ds = client.diagnostics.get(uri(c))!.map((d) => `${d.range.start.line + 1} ${d.code}`);
    expect(ds).toContain('49 redirect-wrong-direction');
    expect(ds).toContain('58 redirect-result-ignored');
    const t = client.diagnostics.get(uri(topo))!.map((d) => `${d.range.start.line + 1} ${d.code}`);
    expect(t).toContain('16 path-dropped');
  });

  it('hovers a program with its hook, device, role and evidence', async () => {
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri: uri(c) }, position: { line: 43, character: 6 } });
    expect(h.contents.kind).toBe('markdown');
    expect(h.contents.value).toMatch(/tc-ingress|tc ingress/);
    expect(h.contents.value).toContain('lxc-a@host');
    expect(h.contents.value).toContain('Ingress');
    expect(h.contents.value).toMatch(/declared|attach/);
  });

  it('hovers a redirect with where the packet goes', async () => {
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri: uri(c) }, position: { line: 48, character: 10 } });
    expect(h.contents.value).toContain('lxc-b@host');
    expect(h.contents.value).toMatch(/Ingress/);
  });

  it('hovers return codes', async () => {
    const line = lxcText.split('\n').findIndex((l) => l.includes('return TC_ACT_OK'));
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri: uri(c) }, position: { line, character: lxcText.split('\n')[line].indexOf('TC_ACT_OK') + 3 } });
    expect(h.contents.value).toContain('TC_ACT_OK');
  });

  it('puts code lenses above programs and redirects', async () => {
    const lenses = await client.request<Lens[]>('textDocument/codeLens', { textDocument: { uri: uri(c) } });
    const titles = lenses.map((l) => `${l.range.start.line + 1}: ${l.command?.title}`);
    expect(titles.some((t) => t.startsWith('44: ') && t.includes('lxc-a@host') && /ingress/i.test(t))).toBe(true);
    expect(titles.some((t) => t.startsWith('49: ') && t.includes('lxc-b'))).toBe(true);
    expect(titles.some((t) => /direction unknown/.test(t))).toBe(true);
  });

  it('goes from an attach line to the C function, and back', async () => {
    const lines = topoText.split('\n');
    const line = lines.findIndex((l) => l.startsWith('attach'));
    const def = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: uri(topo) }, position: { line, character: lines[line].indexOf('to_pod_wrong_way') + 2 } });
    expect(def.map((d) => `${path.basename(d.uri)}:${d.range.start.line + 1}`)).toContain('lxc.bpf.c:44');
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri: uri(c) }, position: { line: 43, character: 6 }, context: { includeDeclaration: false } });
    expect(refs.map((d) => `${path.basename(d.uri)}:${d.range.start.line + 1}`)).toContain(`lab.topo:${line + 1}`);
  });

  it('completes hooks after attach', async () => {
    const items = await client.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri: uri(topo) }, position: { line: topoText.split('\n').findIndex((l) => l.startsWith('attach')), character: 7 } });
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['tc-ingress', 'tc-egress', 'xdp']));
  });

  it('follows edits as the user types', async () => {
    const lines = topoText.split('\n');
    const line = lines.findIndex((l) => l.startsWith('attach'));
    client.change(topo, 2, [{ range: { start: { line, character: 7 }, end: { line, character: 17 } }, text: 'tc-ingres' }]);
    await client.until(() => (client.diagnostics.get(uri(topo)) ?? []).some((d) => d.code === 'topo-unknown-hook'), 5000, 'topo-unknown-hook');
    client.change(topo, 3, [{ range: { start: { line, character: 7 }, end: { line, character: 16 } }, text: 'tc-ingress' }]);
    await client.until(() => !(client.diagnostics.get(uri(topo)) ?? []).some((d) => d.code === 'topo-unknown-hook'), 5000, 'the fix');
    // An incremental C edit: two lines inserted above shift every C diagnostic down by two.
    client.change(c, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// one\n// two\n' }]);
    await client.until(() => (client.diagnostics.get(uri(c)) ?? []).some((d) => d.code === 'redirect-wrong-direction' && d.range.start.line === 50), 5000, 'shifted diagnostics');
  });

  it('lists document symbols and formats topology files', async () => {
    const syms = await client.request<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri: uri(c) } });
    expect(syms.map((s) => s.name)).toEqual(expect.arrayContaining(['to_pod_peer', 'to_pod_wrong_way']));
    const f = path.join(dir, 'messy.topo');
    const messy = 'netns   a\n\n\n\nnic  eth0@a   10.0.0.1/24   # up\n';
    client.open(f, messy);
    const edits = await client.request<Array<{ newText: string }>>('textDocument/formatting', { textDocument: { uri: uri(f) }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits[0].newText).toBe('netns a\n\nnic eth0@a 10.0.0.1/24 # up\n');
  });

  it('answers no request with an error for odd positions', async () => {
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uri(c) }, position: { line: 9999, character: 0 } });
    expect(h).toBeNull();
  });
});
