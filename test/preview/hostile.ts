// Test data: a GraphModel whose user-supplied strings try to break out of every context they
// reach (mermaid syntax, HTML, attributes, script).
import type { GraphModel } from '../../server/src/preview/graph-model';

export const EVIL = `<script>window.__pwned=1</script>"';{}[]()#;%%|\`<img src=x onerror="window.__pwned=2">&amp;`;

/** Every user-supplied string of `model` with EVIL appended (the topology language would refuse most of them). */
export function hostile(model: GraphModel): GraphModel {
  const evil = (s: string) => `${s}${EVIL}`;
  const m = JSON.parse(JSON.stringify(model)) as GraphModel;
  m.title = evil(m.title);
  for (const n of m.namespaces) n.name = evil(n.name);
  for (const d of m.devices) { d.name = evil(d.name); d.key = evil(d.key); d.addrs = d.addrs.map(evil); for (const a of d.attached) a.prog = evil(a.prog); }
  for (const p of m.paths) {
    p.label = evil(p.label); p.from = evil(p.from); p.to = evil(p.to); p.reason = p.reason && evil(p.reason); p.end.summary = evil(p.end.summary);
    if (p.startNs) p.startNs = evil(p.startNs);
    for (const h of p.hops) { h.dev = evil(h.dev); h.name = evil(h.name); h.did = evil(h.did); h.notes = h.notes.map(evil); for (const k of h.hooks) { k.prog = evil(k.prog); k.result = evil(k.result); } }
    for (const s of p.steps) s.label = evil(s.label);
  }
  return m;
}
