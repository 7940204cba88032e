// The C analysis (ebpf/) in the shape inference needs (program.ts).
import type { CFileAnalysis, ProgramInfo } from '../ebpf/analyze';
import type { CFileModel, ProgramModel, RedirectFacts, ReturnFacts } from './program';

export function toFileModel(a: CFileAnalysis): CFileModel {
  return { file: a.file, programs: a.programs.map(toProgramModel), diagnostics: a.diagnostics };
}

// The analysis hands back the same ProgramInfo for a program an edit did not touch: keep its
// model too, so that what is cached per model (placements, diagnostics) survives the edit.
const models = new WeakMap<ProgramInfo, ProgramModel>();

function toProgramModel(p: ProgramInfo): ProgramModel {
  let m = models.get(p);
  if (!m) models.set(p, (m = buildProgramModel(p)));
  return m;
}

function buildProgramModel(p: ProgramInfo): ProgramModel {
  const redirects: RedirectFacts[] = p.redirects.map((r) => ({
    helper: r.helper,
    kind: r.kind,
    range: r.range,
    ...(r.via.length || r.at.file !== p.file ? { innerRange: r.at.range, innerFile: r.at.file } : {}),
    flagsText: r.flags.text,
    ...(r.flags.loc.file === p.file && r.via.length === 0 ? { flagsRange: r.flags.loc.range } : {}),
    ...(r.flags.value !== null ? { flagsValue: r.flags.value } : {}),
    // Dynamic flags: assume the program means them to be legal.
    flagsLegal: r.flagsLegal !== false,
    ...(r.ifindex.value !== null ? { ifindex: r.ifindex.value } : {}),
    ifindexText: r.ifindex.text,
    resultUsed: r.resultUsed,
    l2Rewritten: r.l2Rewritten,
  }));
  const returns: ReturnFacts[] = p.returns.flatMap((ret) => ret.values.map((v): ReturnFacts => {
    if (v.kind === 'const') return { range: ret.range, text: v.name ?? String(v.value), value: v.value, ...(v.name ? { name: v.name } : {}) };
    if (v.kind === 'redirect') return { range: ret.range, text: p.redirects[v.redirect]?.helper ?? 'redirect', helper: p.redirects[v.redirect]?.helper };
    return { range: ret.range, text: v.text };
  }));
  const sectionNote = !p.hook && p.role
    ? { role: p.role, what: p.section.startsWith('cgroup_skb') ? `a cgroup skb program: it runs at socket delivery (${p.role}), not at a device hook` : `an XDP program a devmap redirect runs for the egress device` }
    : undefined;
  return {
    name: p.name, file: p.file, section: p.section, progType: p.type,
    ...(p.hook ? { sectionHook: p.hook } : {}),
    ...(sectionNote ? { sectionNote } : {}),
    nameRange: p.nameRange, range: p.range,
    redirects, returns, helpers: [...new Set(p.helpers.map((h) => h.helper))],
  };
}
