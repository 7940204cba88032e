// The editor's "Import Topology from This Machine" asks the server: the answer is a topology
// that parses cleanly, or an error that says why.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { parseTopology } from '../../server/src/topology/parse';
import { TestClient } from './client';

const root = path.resolve(__dirname, '../..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

it.skipIf(!fs.existsSync(path.join(root, 'dist/cli.js')) || !isRoot)('imports this machine through the language server (needs root to read every namespace)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-import-'));
  const client = new TestClient();
  try {
    await client.initialize(dir);
    await client.ready();
    const r = await client.request<{ text?: string; error?: string; unreadable: string[]; namespaces: number }>('datapathLens/import', {});
    expect(r.error).toBeUndefined();
    expect(r.namespaces).toBeGreaterThanOrEqual(1);
    const { diagnostics } = parseTopology(r.text!, path.join(dir, 'imported.topo'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.text).toMatch(/^(nic|veth|bridge) /m);
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
