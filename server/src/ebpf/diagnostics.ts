// Findings that need nothing but the program's own text: illegal redirect flags, redirects
// whose verdict is thrown away, verdicts of the other program family, helpers the verifier
// refuses. Hook-dependent findings are computed by the caller from ProgramInfo.
import type { Diagnostic } from '../topology/model';
import { helperRefusal } from './calls';
import type { Loc } from './locations';
import type { ProgramInfo } from './programs';
import type { RedirectCall } from './redirects';
import { equivalentVerdict, foreignVerdictName, redirectVerdict, verdictMeaning } from './returns';

const line = (l: Loc | { range: Loc['range'] }) => l.range.start.line + 1;

export function programDiagnostics(p: ProgramInfo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of p.redirects) {
    if (r.flagsLegal === false && r.flagsProblem) {
      const fixHint = r.helper === 'bpf_redirect' && p.type !== 'xdp'
        ? 'Use 0 to transmit out of the target (it plays Egress) or BPF_F_INGRESS to receive on it (it plays Ingress).'
        : r.helper === 'bpf_redirect_map' ? 'Keep only the fallback action and BPF_F_BROADCAST / BPF_F_EXCLUDE_INGRESS.'
          : r.helper === 'bpf_clone_redirect' ? 'Use 0 or BPF_F_INGRESS.' : 'Pass 0.';
      const through = r.via.length && (r.flags.origin.file !== r.flags.loc.file || r.flags.origin.range.start.line !== r.flags.loc.range.start.line)
        ? ` (the value reaches it through ${r.via.map((v) => `${v.name}()`).join(' → ')})` : '';
      out.push({
        file: r.flags.origin.file, range: r.flags.origin.range, severity: 'error', code: 'redirect-bad-flags',
        message: `${r.flagsProblem}${through}. ${fixHint}`,
      });
    }
    if (!r.resultUsed) out.push(ignoredDiagnostic(p, r));
  }
  for (const ret of p.returns) for (const v of ret.values) {
    if (v.kind !== 'const') continue;
    const foreign = foreignVerdictName(p.type, v.chain.length ? v.chain : v.name ? [v.name] : []);
    if (!foreign) continue;
    const m = verdictMeaning(p.type, v.value);
    const family = p.type === 'xdp' ? 'a tc action' : 'an XDP verdict';
    const own = p.type === 'xdp' ? 'an XDP program' : 'a tc program';
    const instead = equivalentVerdict(p.type, foreign);
    const d: Diagnostic = {
      file: v.at.file, range: v.at.range, severity: 'warning', code: 'return-code-mismatch',
      message: `${foreign} is ${family}, but ${p.name} is ${own} (section "${p.section}"): the kernel reads ${v.value} as ${m.name}, so ${m.effect}.${instead ? ` Return ${instead}.` : ''}`,
    };
    if (instead && v.name === foreign) d.fix = { title: `Return ${instead}`, range: v.at.range, text: instead };
    out.push(d);
  }
  for (const h of p.helpers) {
    const refusal = helperRefusal(h.helper, p.type);
    if (!refusal) continue;
    const through = h.via.length ? ` (reached through ${h.via.map((v) => `${v.name}()`).join(' → ')}, line ${line(h.at)})` : '';
    out.push({
      file: p.file, range: h.range, severity: 'error', code: 'helper-not-allowed',
      message: `The verifier refuses to load ${p.name}: "program of this type cannot use helper ${h.helper}"${through}. ${refusal.reason}.`,
    });
  }
  return dedupe(out);
}

function ignoredDiagnostic(p: ProgramInfo, r: RedirectCall): Diagnostic {
  const verdict = redirectVerdict(p.type);
  const doer = p.type === 'xdp' ? 'xdp_do_redirect' : 'skb_do_redirect';
  const by = r.ignoredBy;
  const returned = by ? by.name ?? (by.value !== null ? verdictMeaning(p.type, by.value).name : 'another value') : 'another value';
  const effect = by && by.value !== null ? `: ${verdictMeaning(p.type, by.value).effect}` : '';
  const where = by ? ` (line ${by.range.start.line + 1})` : '';
  const call = r.via.length ? `${r.via[0].name}() calls ${r.helper}() (line ${line(r.at)}), which` : `${r.helper}()`;
  const fix = r.returnFix ? ` Return its result: \`${r.returnFix.text};\`.` : ` Return the helper's result (or ${verdict.name}) on this path.`;
  const d: Diagnostic = {
    file: p.file, range: r.range, severity: 'warning', code: 'redirect-result-ignored',
    message: `${call} only records the target; ${doer} acts on it only when the program returns ${verdict.name}. This path returns ${returned}${where} instead, so no redirect happens${effect}.${fix}`,
  };
  if (r.returnFix) d.fix = { title: "Return the redirect helper's verdict", range: r.returnFix.range, text: r.returnFix.text };
  return d;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.file}|${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
