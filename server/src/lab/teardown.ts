// Removes everything a lab made: its namespaces (with them every device, qdisc, filter and
// XDP attachment), the bpffs mount (with it every pin, so the programs and maps go once
// detached), the work folder, and the state file. Never fails half-way: each step is tried.
import * as fs from 'node:fs';
import type { Cmd, Runner } from './exec';
import { ownsNs } from './naming';
import type { LabState } from './state';

/** `ip netns list` → names (the list prints `NAME (id: N)`). */
export function parseNetnsList(out: string): string[] {
  return out.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
}

/** The commands, given which namespaces exist now: the recorded ones and any leftover of the prefix. */
export function teardownCommands(s: Pick<LabState, 'prefix' | 'namespaces' | 'bpffs'>, existing: string[]): Cmd[] {
  const names = [...new Set([...s.namespaces, ...existing.filter((n) => ownsNs(s.prefix, n))])].filter((n) => existing.includes(n));
  const out: Cmd[] = names.reverse().map((n) => ({ argv: ['ip', 'netns', 'del', n], ignoreFailure: true }));
  if (s.bpffs) out.push({ argv: ['umount', s.bpffs], ignoreFailure: true });
  return out;
}

export function teardown(run: Runner, s: LabState): string[] {
  const problems: string[] = [];
  const existing = parseNetnsList(run({ argv: ['ip', 'netns', 'list'], ignoreFailure: true }).stdout);
  for (const c of teardownCommands(s, existing)) {
    const r = run(c);
    if (r.status !== 0) problems.push(`${c.argv.join(' ')}: ${r.stderr.trim()}`);
  }
  if (s.bpffs && isMounted(s.bpffs)) {
    run({ argv: ['umount', '-l', s.bpffs], ignoreFailure: true });
  }
  try {
    fs.rmSync(s.workDir, { recursive: true, force: true });
  } catch (e) {
    problems.push(`removing ${s.workDir}: ${(e as Error).message}`);
  }
  const left = parseNetnsList(run({ argv: ['ip', 'netns', 'list'], ignoreFailure: true }).stdout).filter((n) => ownsNs(s.prefix, n));
  if (left.length) problems.push(`namespaces still present: ${left.join(', ')}`);
  return problems;
}

function isMounted(dir: string): boolean {
  try {
    return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir);
  } catch {
    return false;
  }
}
