// The weakest evidence: what a program's name says about its direction. Names are split
// into words (snake_case, camelCase, kebab-case, digits) and only whole words count, so
// `ingress` matches in `tcIngress` and `handle_ingress_v4` but `in` does not match `info`.

import type { Hook } from '../topology/model';

export type Direction = 'ingress' | 'egress';

export interface NameEvidence {
  direction: Direction;
  hook?: Hook;
  detail: string;
}

/** `handleIngressV4` → handle, ingress, v4; `from-container` → from, container. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .flatMap((w) => w.split(/(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z]{2,})/))
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

interface Rule { words: string[]; direction: Direction; why: string }

// Strongest first: the CNI convention names the pod's side, then plain direction words.
const TIERS: Rule[][] = [
  [
    { words: ['from', 'container'], direction: 'ingress', why: 'traffic leaving a container enters the host through its host-side veth (tc ingress there)' },
    { words: ['to', 'container'], direction: 'egress', why: 'traffic for a container leaves the host through its host-side veth (tc egress there)' },
  ],
  [
    { words: ['ingress'], direction: 'ingress', why: 'ingress' },
    { words: ['egress'], direction: 'egress', why: 'egress' },
  ],
  [
    { words: ['rx'], direction: 'ingress', why: 'rx (receive)' },
    { words: ['tx'], direction: 'egress', why: 'tx (transmit)' },
  ],
  [
    { words: ['in'], direction: 'ingress', why: 'in' },
    { words: ['out'], direction: 'egress', why: 'out' },
  ],
];

const CONTAINER_HOOK: Record<Direction, Hook> = { ingress: 'tc-ingress', egress: 'tc-egress' };

export function nameEvidence(progName: string): NameEvidence | undefined {
  const words = nameWords(progName);
  const has = (seq: string[]) => words.some((_, i) => seq.every((s, j) => words[i + j] === s));
  for (let t = 0; t < TIERS.length; t++) {
    const hits = TIERS[t].filter((r) => has(r.words));
    if (!hits.length) continue;
    const dirs = new Set(hits.map((h) => h.direction));
    // `ingress_to_egress`: the name contradicts itself, so it says nothing
    if (dirs.size > 1) return undefined;
    const r = hits[0];
    const matched = r.words.join('_');
    const ev: NameEvidence = {
      direction: r.direction,
      detail: `the name "${progName}" contains "${matched}": ${t === 0 ? r.why : `${r.why} suggests ${r.direction}`} (a name is the weakest evidence)`,
    };
    if (t === 0) ev.hook = CONTAINER_HOOK[r.direction];
    else if (has(['tcx'])) ev.hook = r.direction === 'ingress' ? 'tcx-ingress' : 'tcx-egress';
    else if (has(['tc'])) ev.hook = r.direction === 'ingress' ? 'tc-ingress' : 'tc-egress';
    return ev;
  }
  return undefined;
}
