// A crash in one request handler fails that request only: the error is logged, the server
// stays up, and every other feature keeps answering (fault injected with DATAPATH_LENS_FAULT).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { TestClient, uri } from './client';

const root = path.resolve(__dirname, '../..');
const have = fs.existsSync(path.join(root, 'dist/cli.js'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-crash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it.skipIf(!have)('a throwing hover handler fails only that request; the server goes on', async () => {
  const topo = path.join(dir, 'x.topo');
  const text = fs.readFileSync(path.join(root, 'examples/bridge-pods/bridge-pods.topo'), 'utf8');
  fs.writeFileSync(topo, text);
  const client = new TestClient(['lsp', '--stdio'], { DATAPATH_LENS_FAULT: 'hover' });
  try {
    await client.initialize(dir);
    await client.ready();
    client.open(topo, text);
    const position = { line: text.split('\n').findIndex((l) => l.startsWith('path')), character: 1 };
    await expect(client.request('textDocument/hover', { textDocument: { uri: uri(topo) }, position })).rejects.toThrow(/hover failed: fault injected/);
    await client.until(() => client.logs.some((l) => l.includes('hover failed')), 5000, 'the logged error');
    // The same server still answers everything else, and publishes diagnostics after edits.
    const lenses = await client.request<Array<{ command?: { title: string } }>>('textDocument/codeLens', { textDocument: { uri: uri(topo) } });
    expect(lenses.map((l) => l.command?.title)).toContain('delivered · 4 hops');
    client.change(topo, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'bogus line\n' }]);
    await client.until(() => (client.diagnostics.get(uri(topo)) ?? []).some((d) => d.code === 'topo-syntax'), 5000, 'diagnostics after the crash');
    expect(client.proc.exitCode).toBeNull();
  } finally {
    await client.stop();
  }
});
