// A requested path that does not deliver is worth a warning on its `path` line.
import type { Diagnostic } from '../topology/model';
import type { PathResult } from './path';

export function pathDiagnostics(results: PathResult[], file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of results) {
    if (r.verdict !== 'dropped' && r.verdict !== 'loop') continue;
    const at = r.hops.length ? ` at ${r.hops[r.hops.length - 1].dev} (${r.hops[r.hops.length - 1].role})` : '';
    out.push({
      file, range: r.spec.range, severity: 'warning', code: r.verdict === 'loop' ? 'path-loop' : 'path-dropped',
      message: `${r.from} -> ${r.to}: ${r.verdict === 'loop' ? 'loops' : 'dropped'}${at}: ${r.reason ?? 'no reason known'}.`,
    });
  }
  return out;
}
