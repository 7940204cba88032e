// What a loader file says about where a program runs: one attach command or call.

import type { Hook, Range } from '../../topology/model';

export type Mechanism = 'tc' | 'tcx' | 'xdp' | 'netkit';

export interface LoaderEvidence {
  /** The path as the caller gave it. */
  file: string;
  /** 0-based: the command or call that attaches. */
  range: Range;
  hook: Hook;
  /** The device name when it is written literally (or through a variable set once to a literal). */
  dev?: string;
  /** The C function name of the program. */
  prog?: string;
  /** Possible C function names when the mapping back is ambiguous (bpf2go identifiers, pin names). */
  progCandidates?: string[];
  /** The Go identifier as written (`ToContainer`), matched with bpf2go's own C→Go mapping. */
  goName?: string;
  /** Object file basename (`egress.bpf.o`), skeleton name (`shaper_bpf`) or C source (`tc.c`). */
  object?: string;
  /** The ELF section named by the loader (`sec tc`). */
  section?: string;
  mechanism: Mechanism;
  /** One line for people: the command or call as written. */
  detail: string;
}

export function mechanismOf(hook: Hook): Mechanism {
  if (hook.startsWith('tcx-')) return 'tcx';
  if (hook.startsWith('tc-')) return 'tc';
  if (hook.startsWith('netkit-')) return 'netkit';
  return 'xdp';
}

/** How a loader names its program; at least one field is set for an evidence to be useful. */
export interface ProgRef {
  prog?: string;
  progCandidates?: string[];
  goName?: string;
  object?: string;
  section?: string;
}

export function hasName(r: ProgRef): boolean {
  return !!(r.prog || (r.progCandidates && r.progCandidates.length) || r.object || r.section);
}

/** Shape of a device name as the kernel accepts it (IFNAMSIZ, no slash or blank). */
export function isDeviceName(s: string | undefined): s is string {
  return !!s && /^[A-Za-z0-9_.:@+-]{1,15}$/.test(s) && !s.startsWith('-');
}
