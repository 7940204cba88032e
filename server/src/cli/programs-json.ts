// Programs in contract.md's `programs` JSON shape.
import type { PlacedProgram } from '../inference/workspace';
import { resolveTarget } from '../inference/targets';
import { displayPath } from './diagnostics-json';

export function programToJson({ model, placement }: PlacedProgram) {
  const first = placement.attachments.find((a) => a.attachment && a.topology);
  const ingressHooks = placement.attachments.length ? placement.attachments.every((a) => a.hook === 'tc-ingress' || a.hook === 'tcx-ingress')
    : placement.hook === 'tc-ingress' || placement.hook === 'tcx-ingress' || placement.hook === 'unknown';
  return {
    name: model.name,
    file: displayPath(model.file),
    line: model.nameRange.start.line + 1,
    section: model.section,
    type: model.progType,
    hook: placement.hook,
    role: placement.role,
    attachments: placement.attachments.map((a) => ({ dev: a.name, ns: a.ns, hook: a.hook })),
    confidence: placement.confidence,
    evidence: placement.evidence.map((e) => ({ kind: e.kind, ...(e.file ? { file: displayPath(e.file) } : {}), ...(e.line !== undefined ? { line: e.line + 1 } : {}), detail: e.detail })),
    redirects: model.redirects.map((r) => {
      let target: string | null = null;
      let targetLegal = true;
      if (first?.attachment && first.topology) {
        const t = resolveTarget(r, first.attachment, first.topology).dev;
        if (t && r.kind === 'peer') {
          const peer = t.peer ? first.topology.devices.get(t.peer) : undefined;
          target = peer ? peer.key : null;
          targetLegal = !!peer && peer.ns !== first.topology.devices.get(first.attachment.dev)?.ns;
        } else if (t) {
          target = t.key;
        }
      }
      const legal = r.flagsLegal && targetLegal && (r.kind !== 'peer' || (ingressHooks && model.progType !== 'xdp'));
      return { helper: r.helper, line: r.range.start.line + 1, flags: r.flagsText, kind: r.kind, target, legal, resultUsed: r.resultUsed, l2Rewritten: r.l2Rewritten };
    }),
  };
}
