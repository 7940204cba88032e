// eBPF programs: the functions a section macro places in an ELF section other than a data
// section. libbpf (bpf_object__open) makes each such function a program whose type and
// auto-attach point come from the section name.
import type { Hook, Range } from '../topology/model';
import type { HelperCall } from './calls';
import type { VerdictFamily } from './constants';
import { Flow } from './flow';
import type { Span } from './locations';
import type { SectionMark } from './preprocess';
import type { DependencyLog } from './reuse';
import { regionsAfter } from './reachability';
import { argValue, buildRedirects, type RedirectCall } from './redirects';
import { returnValue, type ReturnInfo } from './returns';
import { classifySection, isDataSection, typeFromContext, type ProgramType, type SectionAttach } from './sections';
import type { FunctionDef } from './source';
import type { TranslationUnit } from './unit';

export interface ProgramInfo {
  name: string;
  file: string;
  /** The ELF section, or the macro as written when its section could not be computed. */
  section: string;
  sectionKnown: boolean;
  /** The macro that placed it: SEC, __section, __attribute__, or a macro of the file. */
  sectionMacro: string;
  type: ProgramType;
  /** What decided `type`: the section name, or the context argument (`struct xdp_md *`). */
  typeFrom: 'section' | 'context' | 'none';
  /** Where the section says it attaches; null for plain tc / classifier / action. */
  attach: SectionAttach | null;
  hook: Hook | null;
  role: 'ingress' | 'egress' | null;
  frags: boolean;
  /** The whole function, its name, the section string (or the macro), the whole macro. */
  range: Range;
  nameRange: Range;
  sectionRange: Range;
  sectionMacroRange: Range;
  /** The context parameter as declared (`struct __sk_buff *skb`). */
  context: string | null;
  helpers: HelperCall[];
  redirects: RedirectCall[];
  returns: ReturnInfo[];
  /** The constants the program can return, each once (its "no redirect" verdicts among them). */
  verdicts: Array<{ value: number; name: string | null }>;
  /** Inlining stopped early (a very large program): the lists may be incomplete. */
  truncated: boolean;
}

/** Each function of the analyzed file with its section macro, in file order. */
export function findPrograms(unit: TranslationUnit): Array<{ fn: FunctionDef; mark: SectionMark }> {
  const src = unit.main;
  const marks = src.marks;
  const out: Array<{ fn: FunctionDef; mark: SectionMark }> = [];
  for (const fn of src.functions) {
    // The last mark before the body; it belongs to this function when it sits in its
    // header, or only blanks and comments separate it from the function.
    let lo = 0;
    let hi = marks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid].span.start < fn.body.start) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0) continue;
    const mark = marks[found];
    const inHeader = mark.span.start >= fn.span.start;
    const gap = inHeader ? '' : src.blanked.slice(mark.span.end, fn.span.start);
    if (!inHeader && !/^(\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*$/.test(gap)) continue;
    const section = mark.section ?? src.text.slice(mark.span.start, mark.span.end);
    if (isDataSection(section)) continue;
    out.push({ fn, mark });
  }
  return out;
}

export function analyzeProgram(unit: TranslationUnit, fn: FunctionDef, mark: SectionMark, log?: DependencyLog): ProgramInfo {
  const src = unit.main;
  const section = mark.section ?? src.text.slice(mark.span.start, mark.span.end);
  const meaning = classifySection(mark.section ?? '');
  const context = fn.paramTexts[0] ?? null;
  let type: ProgramType = 'other';
  let typeFrom: ProgramInfo['typeFrom'] = 'none';
  if (meaning.type) { type = meaning.type; typeFrom = 'section'; } else {
    const t = context ? typeFromContext(context, (n) => { log?.macro(n, unit.macros.get(n)); return unit.macros.alias(n); }) : null;
    if (t) { type = t; typeFrom = 'context'; }
  }
  const family: VerdictFamily = type === 'xdp' ? 'xdp' : type === 'other' ? 'other' : 'tc';
  const flow = new Flow(unit, type, family, log).run(fn);
  const loc = (s: Span) => src.loc(s);
  const hasGoto = src.body(fn).toks.some((t) => t.kind === 'id' && t.text === 'goto');
  // Calls reached through one wrapper share its call site: one walk up the tree each.
  const regions = new Map<number, Span[]>();
  const { redirects, index } = buildRedirects({
    flow, type, text: src.blanked, loc,
    regionsAfter: (point) => {
      let r = regions.get(point.start * 1e7 + point.end);
      if (!r) {
        // The tree of the chunk holding the body counts offsets from the chunk's start.
        const { root, offset } = src.syntaxAt(fn.body.start);
        const at = (x: Span, d: number): Span => ({ start: x.start + d, end: x.end + d });
        r = regionsAfter(root, at(fn.body, -offset), at(point, -offset), hasGoto).map((x) => at(x, offset));
        regions.set(point.start * 1e7 + point.end, r);
      }
      return r;
    },
  });
  const helpers: HelperCall[] = flow.calls.map((c) => ({
    helper: c.helper, calledAs: c.calledAs, range: loc(c.anchor).range, at: c.at, via: [...c.via],
    args: c.args.map((a) => argValue(a, c.loc)),
  }));
  const returns: ReturnInfo[] = flow.returns.map((r) => ({
    range: r.loc.range,
    valueRange: r.valueLoc?.range ?? null,
    values: r.values.map((v) => returnValue(v, (id) => index.get(id) ?? -1, r.valueLoc ?? r.loc)),
  }));
  const verdicts: ProgramInfo['verdicts'] = [];
  for (const r of returns) for (const v of r.values) {
    if (v.kind === 'const' && !verdicts.some((x) => x.value === v.value && x.name === v.name)) verdicts.push({ value: v.value, name: v.name });
  }
  const literal = mark.literal ?? mark.span;
  return {
    name: fn.name, file: src.file, section, sectionKnown: mark.section !== null, sectionMacro: mark.macro,
    type, typeFrom, attach: meaning.attach, hook: meaning.hook, role: meaning.role, frags: meaning.frags,
    range: loc(fn.span).range, nameRange: loc(fn.nameSpan).range,
    sectionRange: loc(literal).range, sectionMacroRange: loc(mark.span).range,
    context, helpers, redirects, returns, verdicts, truncated: flow.truncated,
  };
}
