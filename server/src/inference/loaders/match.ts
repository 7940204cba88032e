// Does a loader's evidence speak about this program? Objects are compared with sources by
// basename stem (egress.bpf.o ↔ egress.bpf.c, egress.o ↔ egress.bpf.c, skeleton shaper_bpf
// ↔ shaper.bpf.c); every naming the evidence carries must agree.

import type { LoaderEvidence } from './evidence';
import { bpf2goIdentifier } from './go';
import { basename } from './text';

// The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a program name; bpftool's `name` is that.
const KERNEL_NAME_LEN = 15;

export function evidenceMatchesProgram(
  ev: LoaderEvidence,
  prog: { name: string; section: string; file: string },
): boolean {
  let named = false;
  if (ev.section !== undefined) {
    if (ev.section !== prog.section) return false;
    named = true;
  }
  if (ev.prog !== undefined) {
    if (!(ev.prog === prog.name || (ev.prog.length === KERNEL_NAME_LEN && prog.name.startsWith(ev.prog)))) return false;
    named = true;
  } else if (ev.progCandidates && ev.progCandidates.length) {
    const viaGo = ev.goName !== undefined && goIdentifier(prog.name) === ev.goName;
    if (!viaGo && !ev.progCandidates.includes(prog.name)) return false;
    named = true;
  }
  if (ev.object !== undefined) {
    if (!objectMatchesSource(ev.object, prog.file)) return false;
    named = true;
  }
  return named;
}

const goNames = new Map<string, string>();
function goIdentifier(name: string): string {
  let g = goNames.get(name);
  if (g === undefined) {
    if (goNames.size > 50_000) goNames.clear();
    goNames.set(name, (g = bpf2goIdentifier(name)));
  }
  return g;
}

/** An object file, skeleton or C source named by a loader vs. the program's source path. */
export function objectMatchesSource(object: string, sourceFile: string): boolean {
  const a = stemKey(object);
  const b = stemKey(sourceFile);
  return a.full === b.full || a.bare === b.bare;
}

// Loader evidence is matched against every program of a workspace: remember each path's key.
const stemKeys = new Map<string, { full: string; bare: string }>();

function stemKey(p: string): { full: string; bare: string } {
  let k = stemKeys.get(p);
  if (!k) {
    if (stemKeys.size > 50_000) stemKeys.clear();
    stemKeys.set(p, (k = computeStemKey(p)));
  }
  return k;
}

function computeStemKey(p: string): { full: string; bare: string } {
  const stem = basename(p).replace(/\.(o|c|h|skel\.h|elf|bpf)$/i, '').replace(/\.skel$/i, '');
  const full = stem.replace(/[.-]/g, '_').toLowerCase();
  // `.bpf` / `_bpf` (bpftool gen skeleton's suffix) carries no identity of its own
  const bare = full.replace(/_bpf$/, '');
  return { full, bare };
}
