// eBPF C analysis speed (issue targets): a one-character edit in a 10,000-line file,
// re-parsed incrementally and re-analysed (< 10 ms), and the full analysis of a 200-file
// workspace (< 2 s). Run after `npm run build`: `node bench/ebpf.mjs`.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { createCParser, CDocument, Workspace, loadFolder } = require('../dist/bench-core.js');
const parser = await createCParser({ wasmDir: join(here, '../dist') });
const stats = (xs) => { const s = [...xs].sort((a, b) => a - b); return { median: s[s.length >> 1], p95: s[Math.floor(s.length * 0.95)], max: s[s.length - 1] }; };
const fmt = (x) => x.toFixed(2);

// 1. A 10,000-line file: the example programs, renamed per copy, until 10,000 lines.
const sources = ['ebpf-redirects/redirect.bpf.c', 'wrong-direction/wrong.bpf.c'].map((f) => readFileSync(join(here, '../examples', f), 'utf8'));
let big = '';
for (let i = 0; big.split('\n').length < 10_000; i++) {
  for (const src of sources) big += src.replace(/\b(lxc_\w+|into_\w+|peer_at_\w+|ipv4_to_pod_b|pod_b_mac|LICENSE|[a-z_]+_map)\b/g, `$1_${i}`) + '\n';
}
const lines = big.split('\n').length;
const doc = new CDocument(parser, '/bench/big.bpf.c', big);
let t0 = performance.now();
const first = doc.analysis();
const cold = performance.now() - t0;
const edits = [];
const textLines = big.split('\n');
for (let i = 0; i < 60; i++) {
  // Type one character into a `return` line somewhere in the file, then delete it again.
  const line = textLines.findIndex((l, n) => n > (i * lines) / 60 && l.includes('return'));
  const character = textLines[line].indexOf('return');
  const change = i % 2 === 0
    ? { range: { start: { line, character }, end: { line, character } }, text: ' ' }
    : { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' };
  t0 = performance.now();
  doc.applyChanges([change]);
  const a = doc.analysis();
  edits.push(performance.now() - t0);
  if (a.programs.length !== first.programs.length) throw new Error('an edit changed the program count');
}
doc.dispose();
const e = stats(edits.slice(4));
console.log(`10,000-line file (${lines} lines, ${first.programs.length} programs): first parse + analysis ${fmt(cold)} ms; one-character edit, re-parse + re-analysis: median ${fmt(e.median)} ms, p95 ${fmt(e.p95)} ms, max ${fmt(e.max)} ms over ${edits.length - 4} edits (target < 10 ms)`);

// 2. A 200-file workspace: copies of the labelled corpus projects.
const corpus = join(here, '../test/corpus');
const ws200 = mkdtempSync(join(tmpdir(), 'dl-bench-'));
const count = (dir) => readdirSync(dir).reduce((n, f) => n + (statSync(join(dir, f)).isDirectory() ? count(join(dir, f)) : 1), 0);
for (let i = 0; count(ws200) < 200; i++) cpSync(corpus, join(ws200, `copy${i}`), { recursive: true, filter: (src) => !src.endsWith('.json') && !src.endsWith('.ts') });
const files = count(ws200);
const runs = [];
let result;
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  const ws = new Workspace(parser, (f) => { try { return readFileSync(f, 'utf8'); } catch { return undefined; } });
  loadFolder(ws, ws200, { topologies: true, cFiles: true });
  const diagnostics = ws.diagnostics();
  const placed = ws.placed();
  runs.push(performance.now() - t0);
  result = { programs: placed.length, diagnostics: diagnostics.length, c: ws.cFiles().length };
  ws.dispose();
}
rmSync(ws200, { recursive: true, force: true });
const w = stats(runs);
console.log(`${files}-file workspace (${result.c} eBPF C files, ${result.programs} programs, ${result.diagnostics} diagnostics): full analysis (read, parse, place, diagnose) median ${fmt(w.median)} ms, first ${fmt(runs[0])} ms (target < 2000 ms)`);
