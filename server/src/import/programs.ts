// Attached programs: classic tc filters (tc -j filter show), tcx and netkit links (bpftool net),
// XDP (ip -d link). The kernel keeps 15 characters of a name (BPF_OBJ_NAME_LEN): given the C
// files, a truncated name maps back to the one function it starts with.
import type { Hook } from '../topology/model';
import type { NsSnapshot, ProgRef } from './snapshot';

export interface ImportedAttach {
  dev: string;
  hook: Hook;
  prog: ProgRef;
  /** tc pref (classic filters), the order at the hook. */
  pref?: number;
}

export interface CSource { path: string; text: string }

export const KERNEL_NAME_MAX = 15;

const HOOK_ORDER: Hook[] = ['xdp', 'xdp-generic', 'tcx-ingress', 'tc-ingress', 'tcx-egress', 'tc-egress', 'netkit-primary', 'netkit-peer'];

export function attachmentsOf(s: NsSnapshot): { attaches: ImportedAttach[]; skipped: string[] } {
  const attaches: ImportedAttach[] = [];
  const skipped: string[] = [];
  for (const t of s.tc) {
    if (t.kind !== 'bpf' || !t.prog) { skipped.push(`tc ${t.kind} filter (pref ${t.pref}) at ${t.dir} of ${t.dev}`); continue; }
    attaches.push({ dev: t.dev, hook: t.dir === 'ingress' ? 'tc-ingress' : 'tc-egress', prog: t.prog, pref: t.pref });
  }
  for (const b of s.bpftool) {
    const k = b.kind.toLowerCase();
    let hook: Hook | undefined;
    if (b.section === 'tcx' || k.startsWith('tcx')) hook = k.includes('egress') ? 'tcx-egress' : 'tcx-ingress';
    else if (b.section === 'netkit' || k.startsWith('netkit')) hook = k.includes('peer') ? 'netkit-peer' : 'netkit-primary';
    if (!hook) continue; // tc: the same as tc's own listing; xdp: ip link names the program
    if (attaches.some((a) => a.dev === b.devname && a.hook === hook && a.prog.id === b.prog.id)) continue;
    attaches.push({ dev: b.devname, hook, prog: b.prog });
  }
  for (const l of s.links) {
    for (const x of l.xdp) {
      if (x.mode === 'xdp-offload') { skipped.push(`offloaded XDP program ${x.prog.name} on ${l.ifname}`); continue; }
      attaches.push({ dev: l.ifname, hook: x.mode, prog: x.prog });
    }
  }
  attaches.sort((a, b) => (a.dev < b.dev ? -1 : a.dev > b.dev ? 1 : 0) || HOOK_ORDER.indexOf(a.hook) - HOOK_ORDER.indexOf(b.hook)
    || (a.pref ?? 0) - (b.pref ?? 0) || (a.prog.id ?? 0) - (b.prog.id ?? 0) || a.prog.name.localeCompare(b.prog.name));
  return { attaches, skipped };
}

const FUNC = /\b([A-Za-z_]\w*)\s*\([^;{}()]*(?:\([^()]*\)[^;{}()]*)*\)\s*\{/g;

/** Function names defined in C text (definitions: `name(...) {`). */
export function definedFunctions(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(FUNC)) if (!['if', 'for', 'while', 'switch', 'return', 'sizeof'].includes(m[1])) out.add(m[1]);
  return [...out];
}

export interface ProgramName { name: string; file?: string; note?: string }

/** The C function behind a kernel program name, and the file defining it. */
export function programName(kernelName: string, sources: CSource[]): ProgramName {
  const defs = sources.map((s) => ({ s, fns: definedFunctions(s.text) }));
  const exact = defs.find((d) => d.fns.includes(kernelName));
  if (exact) return { name: kernelName, file: exact.s.path };
  if (kernelName.length >= KERNEL_NAME_MAX) {
    const cands = defs.flatMap((d) => d.fns.filter((f) => f.startsWith(kernelName)).map((f) => ({ f, file: d.s.path })));
    const names = [...new Set(cands.map((c) => c.f))];
    if (names.length === 1) return { name: names[0], file: cands[0].file, note: `the kernel truncated it to "${kernelName}"` };
    if (names.length > 1) return { name: kernelName, note: `kernel name truncated to 15 characters; it may be ${names.join(' or ')}` };
    return { name: kernelName, note: 'kernel name, perhaps truncated to 15 characters' };
  }
  return { name: kernelName };
}
