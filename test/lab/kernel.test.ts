// Every prediction against the real kernel: `datapath-lens lab up / trace --json / down` on every
// example, every acceptance topology and the lab's own edge cases (fixtures/). Each topology's
// folder is copied to a temporary one first (../shared is read-only in CI). Skips, saying why,
// where the machine refuses (not root, no namespaces, no bpffs, no clang/bpftool/tc/ping).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnsupported, tcxSupported } from '../../server/src/lab/support';
import type { TracedPath } from '../../server/src/lab/trace';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SHARED = path.resolve(ROOT, '../shared/acceptance/cases');

const topologies: string[] = [
  ...fs.readdirSync(path.join(ROOT, 'examples')).flatMap((d) => {
    const dir = path.join(ROOT, 'examples', d);
    return fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => f.endsWith('.topo')).map((f) => path.join(dir, f)) : [];
  }),
  ...(fs.existsSync(SHARED) ? fs.readdirSync(SHARED).filter((f) => f.endsWith('.topo')).map((f) => path.join(SHARED, f)) : []),
  ...fs.readdirSync(path.join(__dirname, 'fixtures')).filter((f) => f.endsWith('.topo')).map((f) => path.join(__dirname, 'fixtures', f)),
];

const unsupported = labUnsupported();
if (unsupported) console.warn(`test/lab/kernel.test.ts skipped: ${unsupported}.`);

/** What the kernel must show beyond "prediction matches" (the acceptance list). */
const EXPECT: Record<string, (p: TracedPath[]) => void> = {
  'redirect-peer.topo': ([p]) => {
    // No lxc-b Egress, no veth_xmit into the backlog: straight to pod-b's eth0.
    expect(p.observed).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress'] });
  },
  'redirect-peer-at-egress.topo': ([p]) => {
    expect(p.observed).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress'] });
  },
  'redirect-xmit.topo': ([p]) => {
    // It reaches pod-b's eth0 (tc ingress runs there) and pod-b drops it: addressed to lxc-a.
    expect(p.observed).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress'] });
  },
  'redirect-xmit-l2.topo': ([p]) => {
    expect(p.observed).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress'] });
  },
  'redirect-wrong-way.topo': ([p]) => {
    expect(p.observed).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:ingress'] });
  },
  'xdp-redirect.topo': ([b, d]) => {
    // ndo_xdp_xmit: lxc-b's tc egress never runs; without XDP on pod-d's eth0, nothing arrives.
    expect(b.observed).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-a:egress', 'eth0@pod-b:ingress'] });
    expect(d.observed).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-c:egress'] });
  },
  'tcx.topo': ([next, drop, pipe]) => {
    // tcx runs ahead of the classic filters: its drop hides their redirect; "next" (and
    // TC_ACT_PIPE, read as TCX_NEXT) hands over to them.
    expect(next.observed).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress'] });
    expect(drop.observed).toMatchObject({ verdict: 'dropped', hops: ['eth0@pod-c:egress', 'lxc-c@host:ingress'] });
    expect(pipe.observed).toMatchObject({ verdict: 'delivered', hops: ['eth0@pod-d:egress', 'lxc-d@host:ingress', 'eth0@pod-b:ingress'] });
  },
  'self-egress.topo': ([p]) => {
    expect(p.observed.note).toMatch(/lxc-b@host:egress ran \d+ times in a row/);
  },
};

function cli(args: string[], timeoutMs: number) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGINT' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

describe.skipIf(!!unsupported)('the kernel lab', () => {
  let tmp: string;
  beforeAll(() => {
    if (!fs.existsSync(CLI) || !fs.existsSync(path.join(ROOT, 'dist/lab-probe.bpf.c'))) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-test-'));
  });
  afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  it('finds the topologies', () => {
    expect(topologies.length).toBeGreaterThanOrEqual(6);
  });

  for (const source of topologies) {
    const name = path.relative(path.resolve(ROOT, '..'), source);
    it(`${name}: every path matches the kernel`, () => {
      const copy = path.join(tmp, path.basename(path.dirname(source)) + '-' + path.basename(source, '.topo'));
      fs.cpSync(path.dirname(source), copy, { recursive: true, filter: (f) => fs.statSync(f).isDirectory() ? f === path.dirname(source) : true });
      const file = path.join(copy, path.basename(source));
      const up = cli(['lab', 'up', file, '--json'], 90_000);
      let prefix: string | undefined;
      try {
        expect(up.status, up.stderr).toBe(0);
        prefix = JSON.parse(up.stdout).prefix;
        // Where the kernel has tcx, tcx-* lines go on as tcx, not as classic filters.
        if (tcxSupported()) expect((JSON.parse(up.stdout).notes as string[]).filter((n) => /classic tc/.test(n))).toEqual([]);
        const trace = cli(['lab', 'trace', file, '--json'], 120_000);
        const json = JSON.parse(trace.stdout || '{}') as { paths: TracedPath[]; skipped: string | null };
        const bad = json.paths?.filter((p) => !p.match) ?? [];
        expect(bad.map((p) => `${p.from} -> ${p.to}: predicted ${p.predicted.verdict} ${p.predicted.compared.join(' ')} / observed ${p.observed.verdict} ${p.observed.hops.join(' ')}`), trace.stderr).toEqual([]);
        expect(trace.status, trace.stderr).toBe(0);
        expect(json.paths.length).toBeGreaterThan(0);
        EXPECT[path.basename(source)]?.(json.paths);
      } finally {
        const down = cli(['lab', 'down', file], 60_000);
        expect(down.status, down.stderr).toBe(0);
        if (prefix) {
          const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(prefix!));
          expect(left).toEqual([]);
        }
      }
    }, 240_000);
  }
});
