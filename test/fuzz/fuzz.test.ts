// Hostile input, seeded and bounded: mutated topology files and eBPF C sources go to the
// parser, the analysis, the CLI and the running language server. Nothing may throw, every
// answer comes within a bound, memory stays bounded. Prints the inputs tried and the slowest.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { CDocument } from '../../server/src/ebpf/analyze';
import { createCParser } from '../../server/src/ebpf/parser';
import { Workspace } from '../../server/src/inference/workspace';
import { parseTopology } from '../../server/src/topology/parse';
import { TestClient, uri } from '../lsp/client';
import { large, mutants, rng } from './inputs';

const SEED = 20261126;
const root = path.resolve(__dirname, '../..');
const seedsTopo = ['examples/bridge-pods/bridge-pods.topo', 'examples/ebpf-redirects/ebpf-redirects.topo', 'examples/host-gw/host-gw.topo', 'examples/wrong-direction/wrong-direction.topo']
  .map((f) => fs.readFileSync(path.join(root, f), 'utf8'));
const seedsC = ['examples/ebpf-redirects/redirect.bpf.c', 'examples/wrong-direction/wrong.bpf.c', 'test/corpus/cilium-style/bpf_lxc.c', 'test/corpus/selftests-style/progs/test_tc_neigh.c']
  .filter((f) => fs.existsSync(path.join(root, f)))
  .map((f) => fs.readFileSync(path.join(root, f), 'utf8'));

const tally = { inputs: 0, slowest: { ms: 0, what: '' } };
const timed = <T>(what: string, f: () => T): T => {
  const t0 = performance.now();
  const r = f();
  const ms = performance.now() - t0;
  tally.inputs++;
  if (ms > tally.slowest.ms) tally.slowest = { ms, what };
  return r;
};

afterAll(() => {
  console.log(`fuzz (seed ${SEED}): ${tally.inputs} inputs tried; slowest response ${tally.slowest.ms.toFixed(0)} ms (${tally.slowest.what})`);
});

describe('fuzz: the core', () => {
  it('parses and walks mutated topology files without throwing', () => {
    const r = rng(SEED);
    for (const [i, seed] of seedsTopo.entries()) {
      for (const m of mutants(seed, 'topo', r, 60)) {
        const ms0 = performance.now();
        timed(`topology ${m.name} (${m.text.length} chars)`, () => {
          const { topology, diagnostics } = parseTopology(m.text, `/fuzz/${i}.topo`);
          for (const d of diagnostics) {
            expect(d.range.start.line).toBeGreaterThanOrEqual(0);
            expect(d.message.length).toBeGreaterThan(0);
          }
          return topology;
        });
        expect(performance.now() - ms0).toBeLessThan(5000);
      }
    }
  });

  it('gives up on pathological C within the parse budget and says so', async () => {
    const parser = await createCParser();
    const t0 = performance.now();
    const doc = new CDocument(parser, '/fuzz/garbage.bpf.c', seedsC[0] + '\n' + 'a@b '.repeat(200_000));
    try {
      const a = timed('pathological C (800 kB line)', () => doc.analysis());
      expect(a.diagnostics.map((d) => d.code)).toEqual(['analysis-skipped']);
      expect(performance.now() - t0).toBeLessThan(10_000);
      // Fixed text is analysed again.
      doc.applyChanges([{ text: seedsC[0] }]);
      expect(doc.analysis().programs.length).toBeGreaterThan(0);
    } finally {
      doc.dispose();
    }
  }, 60_000);

  it('analyses mutated eBPF C, incrementally too, without throwing', async () => {
    const parser = await createCParser();
    const r = rng(SEED + 1);
    for (const [i, seed] of seedsC.entries()) {
      const doc = new CDocument(parser, `/fuzz/${i}.bpf.c`, seed);
      try {
        for (const m of mutants(seed, 'c', r, 40)) {
          timed(`C ${m.name} (${m.text.length} chars)`, () => {
            const fresh = new CDocument(parser, `/fuzz/${i}-fresh.bpf.c`, m.text);
            try { fresh.analysis(); } finally { fresh.dispose(); }
            // The same text reached by an edit of the kept tree.
            doc.applyChanges([{ text: m.text }]);
            return doc.analysis();
          });
        }
      } finally {
        doc.dispose();
      }
    }
  }, 240_000);

  it('analyses a 5 MB C file and a 5 MB topology within bounds', async () => {
    const parser = await createCParser();
    const bigC = large(seedsC[0], 5 * 1024 * 1024);
    const ws = new Workspace(parser, () => undefined);
    timed('5 MB C file', () => { ws.setCFile('/fuzz/big.bpf.c', bigC); return ws.diagnostics(); });
    ws.dispose();
    const bigTopo = large(seedsTopo[0], 5 * 1024 * 1024);
    const t0 = performance.now();
    timed('5 MB topology', () => parseTopology(bigTopo, '/fuzz/big.topo'));
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(process.memoryUsage().rss).toBeLessThan(3 * 1024 ** 3);
  });

  it('walks mutated topologies in a workspace with their programs', async () => {
    const parser = await createCParser();
    const r = rng(SEED + 2);
    const ws = new Workspace(parser, (f) => (f.endsWith('.c') ? seedsC[0] : undefined));
    for (const m of mutants(seedsTopo[1], 'topo', r, 40)) {
      timed(`workspace ${m.name}`, () => {
        ws.setTopology('/fuzz/w.topo', m.text);
        ws.paths('/fuzz/w.topo');
        return ws.diagnostics();
      });
    }
    ws.dispose();
  });
});

const cli = path.join(root, 'dist/cli.js');

describe.skipIf(!fs.existsSync(cli))('fuzz: the command line and the language server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-fuzz-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const r = rng(SEED + 3);
  const files: string[] = [];
  for (const [i, seed] of seedsTopo.entries()) for (const [j, m] of mutants(seed, 'topo', r, 12).entries()) {
    const f = path.join(dir, `t${i}-${j}.topo`);
    fs.writeFileSync(f, m.text);
    files.push(f);
  }
  for (const [i, seed] of seedsC.entries()) for (const [j, m] of mutants(seed, 'c', r, 12).entries()) {
    const f = path.join(dir, `c${i}-${j}.bpf.c`);
    fs.writeFileSync(f, m.text.includes('SEC(') ? m.text : `SEC("tc") int f(struct __sk_buff *s) { return 0; }\n${m.text}`);
    files.push(f);
  }

  it('check and path answer every mutated file with a verdict, never a crash', () => {
    const t0 = performance.now();
    const check = spawnSync(process.execPath, [cli, 'check', dir, '--json'], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    tally.inputs += files.length;
    expect(check.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(check.status);
    expect(() => JSON.parse(check.stdout)).not.toThrow();
    for (const f of files.filter((x) => x.endsWith('.topo')).slice(0, 12)) {
      const p = spawnSync(process.execPath, [cli, 'path', f, '--json'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
      tally.inputs++;
      expect(p.stderr).not.toMatch(/internal error/);
      expect([0, 1]).toContain(p.status);
    }
    const ms = performance.now() - t0;
    if (ms > tally.slowest.ms) tally.slowest = { ms, what: `CLI over ${files.length} mutated files` };
  });

  it('the language server answers every request on mutated documents within a bound', async () => {
    const client = new TestClient();
    try {
      await client.initialize(dir);
      await client.ready();
      const rr = rng(SEED + 4);
      for (const f of files) {
        const text = fs.readFileSync(f, 'utf8');
        client.open(f, text);
        const lines = text.split('\n');
        for (const method of ['textDocument/hover', 'textDocument/codeLens', 'textDocument/completion', 'textDocument/documentSymbol', 'textDocument/formatting', 'textDocument/definition']) {
          const line = Math.floor(rr() * (lines.length + 2));
          const character = Math.floor(rr() * ((lines[line]?.length ?? 0) + 2));
          const t0 = performance.now();
          await Promise.race([
            client.request(method, { textDocument: { uri: uri(f) }, position: { line, character }, options: { tabSize: 2, insertSpaces: true } }),
            new Promise((_, reject) => setTimeout(() => reject(new Error(`${method} on ${path.basename(f)} took more than 10 s`)), 10_000)),
          ]);
          const ms = performance.now() - t0;
          tally.inputs++;
          if (ms > tally.slowest.ms) tally.slowest = { ms, what: `${method} on ${path.basename(f)}` };
        }
      }
      expect(client.proc.exitCode).toBeNull();
      const rss = Number(fs.readFileSync(`/proc/${client.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
      console.log(`fuzz: language server RSS after ${files.length} mutated documents: ${rss.toFixed(0)} MB`);
      expect(rss).toBeLessThan(1024);
    } finally {
      await client.stop();
    }
  }, 240_000);
});
