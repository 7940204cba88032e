// Language server latency, measured over JSON-RPC against the real server process:
// hover and code-lens latency on a 10,000-line eBPF C file right after an edit (target p95
// under 20 ms), the time to a complete index of a 200-file workspace, and the server's
// memory after it. Run after `npm run build`: `node bench/lsp.mjs`.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const here = dirname(fileURLToPath(import.meta.url));
const uri = (f) => pathToFileURL(f).href;
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[s.length >> 1], p95: s[Math.floor(s.length * 0.95)] }; };
const fmt = (x) => x.toFixed(1);

function startServer() {
  const proc = spawn(process.execPath, [join(here, '../dist/cli.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const statuses = [];
  let onStatus = () => {};
  conn.onNotification('datapathLens/status', (s) => { statuses.push(s); onStatus(); });
  conn.onNotification('textDocument/publishDiagnostics', () => {});
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  const ready = () => new Promise((resolve) => {
    onStatus = () => { if (statuses.some((s) => s.state === 'ready')) resolve(statuses.find((s) => s.state === 'ready')); };
    onStatus();
  });
  const rssMb = () => {
    const m = readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : NaN;
  };
  const stop = async () => {
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    conn.dispose();
    proc.kill();
  };
  const init = async (folder) => {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: uri(folder), workspaceFolders: [{ uri: uri(folder), name: 'bench' }], capabilities: {} });
    await conn.sendNotification('initialized', {});
  };
  return { conn, init, ready, rssMb, stop };
}

// 1. Hover and code lens right after an edit, on a 10,000-line eBPF C file attached by a topology.
{
  const dir = mkdtempSync(join(tmpdir(), 'dl-lspbench-'));
  const src = readFileSync(join(here, '../examples/ebpf-redirects/redirect.bpf.c'), 'utf8');
  let big = '';
  for (let i = 0; big.split('\n').length < 10_000; i++) big += src.replace(/\b(lxc_\w+|ipv4_to_pod_b|pod_b_mac|LICENSE)\b/g, `$1_${i}`) + '\n';
  const topo = readFileSync(join(here, '../examples/ebpf-redirects/ebpf-redirects.topo'), 'utf8')
    .replace(/prog (lxc_\w+)/g, 'prog $1_7').replace(/file "redirect.bpf.c"/g, 'file "big.bpf.c"');
  const file = join(dir, 'big.bpf.c');
  writeFileSync(file, big);
  writeFileSync(join(dir, 'node.topo'), topo);
  const s = startServer();
  await s.init(dir);
  await s.ready();
  await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'c', version: 1, text: big } });
  const lines = big.split('\n');
  const progLine = lines.findIndex((l) => l.startsWith('int lxc_a_to_pod_b_7('));
  const position = { line: progLine, character: 6 };
  const hovers = [];
  const lenses = [];
  let version = 1;
  const EDITS = 140;
  for (let i = 0; i < EDITS; i++) {
    // Type a space at the start of an empty-ish line far from the program, then remove it.
    const line = Math.floor(((i % 60) * lines.length) / 60);
    const change = i % 2 === 0
      ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' }
      : { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: '' };
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version: ++version }, contentChanges: [change] });
    let t0 = performance.now();
    const h = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(file) }, position });
    hovers.push(performance.now() - t0);
    if (!h || !String(h.contents.value).includes('lxc-a')) throw new Error('the hover lost its program');
    t0 = performance.now();
    const l = await s.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: uri(file) } });
    lenses.push(performance.now() - t0);
    if (!l.length) throw new Error('no code lenses');
  }
  // The first 40 edits after opening run while the JIT warms up and the first analysis is
  // collected: reported apart from the steady state that follows.
  const h0 = stats(hovers.slice(0, 40));
  const l0 = stats(lenses.slice(0, 40));
  const h = stats(hovers.slice(40));
  const l = stats(lenses.slice(40));
  console.log(`10,000-line C file (${lines.length} lines), request right after an edit, ${EDITS - 40} edits after 40 of warm-up: hover median ${fmt(h.median)} ms, p95 ${fmt(h.p95)} ms; code lens median ${fmt(l.median)} ms, p95 ${fmt(l.p95)} ms (target p95 < 20 ms)`);
  console.log(`  the first 40 edits after opening: hover median ${fmt(h0.median)} ms, p95 ${fmt(h0.p95)} ms; code lens median ${fmt(l0.median)} ms, p95 ${fmt(l0.p95)} ms`);
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
}

// 2. Index a 200-file workspace (copies of the labelled corpus) and read the memory after it.
{
  const corpus = join(here, '../test/corpus');
  const dir = mkdtempSync(join(tmpdir(), 'dl-lspbench-'));
  const count = (d) => readdirSync(d).reduce((n, f) => n + (statSync(join(d, f)).isDirectory() ? count(join(d, f)) : 1), 0);
  for (let i = 0; count(dir) < 200; i++) cpSync(corpus, join(dir, `copy${i}`), { recursive: true, filter: (f) => !f.endsWith('.json') && !f.endsWith('.ts') });
  const s = startServer();
  const t0 = performance.now();
  await s.init(dir);
  const ready = await s.ready();
  const wall = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  console.log(`${count(dir)}-file workspace: index complete ${fmt(wall)} ms after initialize (server's own count ${ready.ms} ms; ${ready.files} files indexed, ${ready.programs} programs); server memory (RSS) after it ${fmt(s.rssMb())} MB`);
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
}
