// Save → verifier diagnostics, over JSON-RPC against the real server process: for each example
// (and each test/verify fixture) the time from the editor's `datapathLens/verify` request (what a
// save sends with datapathLens.verifyOnSave) to the publishDiagnostics that carries the result.
// Target: under 1 s per file. Needs root, clang and bpftool. Run after `node esbuild.mjs`:
// `node bench/verify.mjs`.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const uri = (f) => pathToFileURL(f).href;
const RUNS = 5;

const examples = readdirSync(join(root, 'examples')).flatMap((d) => {
  const dir = join(root, 'examples', d);
  return statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => f.endsWith('.bpf.c')).map((f) => join(dir, f)) : [];
});
const fixtures = readdirSync(join(root, 'test/verify/fixtures')).filter((f) => f.endsWith('.bpf.c')).map((f) => join(root, 'test/verify/fixtures', f));

const proc = spawn(process.execPath, [join(root, 'dist/cli.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const waiting = new Map();
conn.onNotification('textDocument/publishDiagnostics', (p) => {
  const w = waiting.get(p.uri);
  if (w && p.diagnostics.some((d) => /^(verifier-|compile-)/.test(String(d.code))) === w.expectErrors) { waiting.delete(p.uri); w.resolve(performance.now()); }
  else if (w && !w.expectErrors) { waiting.delete(p.uri); w.resolve(performance.now()); }
});
conn.onNotification('datapathLens/status', () => {});
conn.onRequest('client/registerCapability', () => null);
conn.listen();
await conn.sendRequest('initialize', { processId: process.pid, rootUri: uri(root), workspaceFolders: [{ uri: uri(root), name: 'root' }], capabilities: {} });
conn.sendNotification('initialized', {});

const rows = [];
let cold;
for (const file of [...examples, ...fixtures]) {
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'c', version: 1, text: readFileSync(file, 'utf8') } });
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const expectErrors = fixtures.includes(file);
    const published = new Promise((resolve) => waiting.set(uri(file), { resolve, expectErrors }));
    const t0 = performance.now();
    result = await conn.sendRequest('datapathLens/verify', { textDocument: { uri: uri(file) } });
    if (result.unsupported) { console.log(`bench/verify.mjs: cannot verify on this machine: ${result.unsupported}`); proc.kill(); process.exit(0); }
    const t1 = await Promise.race([published, new Promise((r) => setTimeout(() => r(NaN), 5000))]);
    if (cold === undefined) { cold = t1 - t0; continue; }
    times.push(t1 - t0);
  }
  times.sort((a, b) => a - b);
  rows.push({ file: relative(root, file), median: times[times.length >> 1], max: times[times.length - 1], programs: result.programs.map((p) => `${p.name}: ${p.title}`).join('; ') });
}
for (const r of rows) console.log(`${r.file.padEnd(48)} save→diagnostics median ${r.median.toFixed(0).padStart(4)} ms, max ${r.max.toFixed(0).padStart(4)} ms  ${r.programs}`);
console.log(`first request of the session (cold: the server checks root, clang, bpftool and the bpffs once): ${cold.toFixed(0)} ms`);
const worst = Math.max(...rows.map((r) => r.max));
console.log(`worst ${worst.toFixed(0)} ms (target < 1000 ms per file): ${worst < 1000 ? 'ok' : 'TOO SLOW'}`);
conn.dispose();
proc.kill();
