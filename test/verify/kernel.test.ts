// `datapath-lens verify` on the live kernel: every fixture (one well-known verifier rejection or
// a compile error each, marked `expect: CODE TEXT` on the line it must be reported at) gives
// exactly that one diagnostic; every example and every acceptance C file (copied to a temporary
// folder: ../shared is read-only) verifies cleanly. Skips, saying why, where the machine refuses.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyUnsupported } from '../../server/src/verify/support';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SHARED = path.resolve(ROOT, '../shared/acceptance/cases');
const FIXTURES = path.join(__dirname, 'fixtures');

const unsupported = verifyUnsupported() ?? (fs.existsSync(CLI) ? undefined : 'dist/cli.js is not built (node esbuild.mjs)');
if (unsupported) console.warn(`test/verify/kernel.test.ts skipped: ${unsupported}.`);

interface Out {
  files: Array<{ file: string; ms: number; programs: Array<{ name: string; status: string; insns?: number; states?: number; failure?: { line: number | null; states: string[] } }> }>;
  diagnostics: Array<{ file: string; line: number; code: string; message: string; severity: string }>;
}

function verify(files: string[]): { status: number; out: Out; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'verify', '--json', ...files], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, out: JSON.parse(r.stdout || '{"files":[],"diagnostics":[]}') as Out, stderr: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-verify-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.bpf.c')).sort();

describe.skipIf(!!unsupported)('verify on the kernel', () => {
  it.each(fixtures)('%s: exactly one diagnostic, at the marked line, with the verifier\'s message', (name) => {
    const file = path.join(FIXTURES, name);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('expect: '));
    expect(at, 'fixture has an expect: marker').toBeGreaterThanOrEqual(0);
    const [, code, text] = /expect: (\S+) (.*?) \*\//.exec(lines[at])!;
    const r = verify([file]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.out.diagnostics).toHaveLength(1);
    const d = r.out.diagnostics[0];
    expect({ line: d.line, code: d.code, severity: d.severity }).toEqual({ line: at + 1, code, severity: 'error' });
    expect(d.message).toContain(text);
    if (code === 'verifier-rejected') {
      const rejected = r.out.files[0].programs.find((p) => p.status === 'rejected')!;
      expect(rejected.failure?.line).toBe(at + 1);
      expect(rejected.failure?.states.length).toBeGreaterThan(0);
    }
  });

  it('verifies the other programs of a file whose first program is rejected', () => {
    const r = verify([path.join(FIXTURES, 'mixed.bpf.c')]);
    expect(r.out.files[0].programs.map((p) => [p.name, p.status])).toEqual([['bad_first', 'rejected'], ['fine_after', 'verified'], ['fine_xdp', 'verified']]);
  });

  const clean = [
    ...fs.readdirSync(path.join(ROOT, 'examples')).flatMap((d) => {
      const dir = path.join(ROOT, 'examples', d);
      return fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => f.endsWith('.bpf.c')).map((f) => path.join(dir, f)) : [];
    }),
    ...(fs.existsSync(SHARED) ? fs.readdirSync(SHARED).filter((f) => f.endsWith('.bpf.c')).map((f) => {
      const copy = path.join(tmp, f);
      fs.copyFileSync(path.join(SHARED, f), copy);
      return copy;
    }) : []),
  ];

  it.each(clean.map((f) => [path.relative(ROOT, f).startsWith('..') ? `acceptance/${path.basename(f)}` : path.relative(ROOT, f), f]))('%s verifies cleanly', (_n, file) => {
    const r = verify([file]);
    expect(r.out.diagnostics, JSON.stringify(r.out.diagnostics)).toEqual([]);
    expect(r.status).toBe(0);
    const programs = r.out.files[0].programs;
    expect(programs.length).toBeGreaterThan(0);
    for (const p of programs) {
      expect(p.status, p.name).toBe('verified');
      expect(p.insns).toBeGreaterThan(0);
      expect(p.states).toBeGreaterThanOrEqual(0);
    }
  });

  it('generates vmlinux.h into the cache folder when a file includes one and the workspace has none', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'vmlinux-'));
    const src = path.join(dir, 'core.bpf.c');
    fs.writeFileSync(src, '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nSEC("tc")\nint pass(struct __sk_buff *skb)\n{\n\treturn skb->len > 0 ? 0 : 2;\n}\n\nchar LICENSE[] SEC("license") = "GPL";\n');
    const r = spawnSync(process.execPath, [CLI, 'verify', '--json', src], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, 'cache') } });
    const out = JSON.parse(r.stdout) as Out;
    expect(out.diagnostics).toEqual([]);
    expect(out.files[0].programs[0].status).toBe('verified');
    expect(fs.readdirSync(path.join(tmp, 'cache', 'datapath-lens')).some((d) => d.startsWith('vmlinux-'))).toBe(true);
  });
});

if (unsupported) {
  describe('verify on the kernel (skipped)', () => {
    it.skip(`skipped: ${unsupported}`, () => undefined);
  });
}
