// A walked path in contract.md's JSON shape (and a little more: notes, addresses).
import { formatIp } from '../topology/address';
import type { PathResult } from '../datapath/path';
import { displayPath } from './diagnostics-json';

export function pathToJson(p: PathResult) {
  return {
    from: p.from,
    to: p.to,
    ...(p.srcIp !== undefined ? { src: formatIp(p.srcIp) } : {}),
    ...(p.dstIp !== undefined ? { dst: formatIp(p.dstIp) } : {}),
    verdict: p.verdict,
    reason: p.reason,
    line: p.spec.range.start.line + 1,
    hops: p.hops.map((h) => ({
      dev: h.name, ns: h.ns, kind: h.kind, role: h.role, via: h.via,
      hooks: h.hooks.map((r) => ({ hook: r.hook, prog: r.prog, ...(r.file ? { file: r.file } : {}), result: r.result, ...(r.attachment.fileAbs ? { fileAbs: displayPath(r.attachment.fileAbs) } : {}) })),
      stages: h.stages,
      notes: h.notes,
      ...(h.copies?.length ? { copies: h.copies } : {}),
    })),
  };
}

/** One hop a line, for people: `1  eth0@pod1  egress  stack  tc-egress:prog=…  ip_local_out → …`. */
export function pathToTable(p: PathResult): string {
  const lines = [`${p.from} -> ${p.to}${p.dstIp !== undefined ? ` (${formatIp(p.dstIp)})` : ''}: ${p.verdict}${p.reason ? ` — ${p.reason}` : ''}`];
  const rows = p.hops.map((h, i) => [
    String(i + 1), `${h.name}@${h.ns}`, h.kind, h.role, h.via,
    h.hooks.map((r) => `${r.hook}:${r.prog}=${r.result}`).join(' ') || '-',
    h.stages.join(' → '),
  ]);
  const head = ['#', 'device', 'kind', 'role', 'via', 'programs', 'kernel stages'];
  const widths = head.map((_, c) => Math.max(head[c].length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ');
  if (rows.length) lines.push('  ' + fmt(head), ...rows.map((r) => '  ' + fmt(r)));
  return lines.join('\n');
}
