// What `lab up|trace|down` print: a readable summary or table, or JSON (contract.md).
import type { LabState } from './state';
import type { TracedPath } from './trace';

export function traceJson(paths: TracedPath[], skipped: string | null, notes: string[] = []) {
  return { paths, skipped, ...(notes.length ? { notes } : {}) };
}

/** Predicted and observed hops side by side, one path a block; `≠` marks where they part. */
export function traceTable(paths: TracedPath[]): string {
  const blocks: string[] = [];
  for (const p of paths) {
    const left = ['predicted: ' + p.predicted.verdict, ...p.predicted.compared];
    const right = ['observed: ' + p.observed.verdict, ...p.observed.hops];
    const width = Math.max(...left.map((s) => s.length), 24) + 3;
    const rows: string[] = [];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const l = left[i] ?? '';
      const r = right[i] ?? '';
      const differs = i === 0 ? p.predicted.verdict !== p.observed.verdict : l !== r;
      rows.push(`  ${differs ? '≠' : ' '} ${l.padEnd(width)}${r}`);
    }
    const head = `${p.from} -> ${p.to}${p.dst ? ` (${p.dst})` : ''}: ${p.match ? 'match' : 'MISMATCH'}`;
    const tail = [
      ...(p.predicted.unseen.length ? [`    not visible to tc probes: ${p.predicted.unseen.join(', ')}`] : []),
      ...(p.predicted.reason ? [`    engine: ${p.predicted.reason}`] : []),
      ...(p.observed.note ? [`    kernel: ${p.observed.note}`] : []),
    ];
    blocks.push([head, ...rows, ...tail].join('\n'));
  }
  const bad = paths.filter((p) => !p.match).length;
  blocks.push(`${paths.length} path(s): ${paths.length - bad} match, ${bad} mismatch(es)`);
  return blocks.join('\n\n');
}

export function upJson(s: LabState) {
  return {
    prefix: s.prefix,
    namespaces: s.namespaces,
    devices: s.devices.map((d) => ({ dev: d.key, labNs: d.labNs, ifindex: d.ifindex, mac: d.mac ?? null })),
    notes: s.notes,
    skipped: null,
  };
}

export function upText(s: LabState): string {
  const lines = [`lab up: ${s.topology} as prefix ${s.prefix} (${s.namespaces.length} namespaces, ${s.devices.length} devices)`];
  for (const d of s.devices) lines.push(`  ${d.key.padEnd(24)} ${d.labNs.padEnd(24)} ifindex ${String(d.ifindex).padEnd(5)} ${d.mac ?? ''}`);
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
