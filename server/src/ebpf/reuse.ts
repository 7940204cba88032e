// Reusing a program's analysis after an edit elsewhere. A program's result depends on its
// own text and position, and on every name it looked up (functions it inlined, macros it
// expanded, constants it resolved, and names that resolved to nothing). When all of them
// still resolve the same way, the previous ProgramInfo is still exact, positions included.
import type { Diagnostic } from '../topology/model';
import type { VerdictFamily } from './constants';
import type { MacroDef } from './defines';
import type { SectionMark } from './preprocess';
import type { ProgramInfo } from './programs';
import type { FunctionDef, SourceFile } from './source';
import type { TranslationUnit } from './unit';

/** A piece of text and where it starts: equal pieces at equal starts give equal positions. */
interface Placed { file: string; line: number; character: number; text: string; blanked: string }

type Dep =
  | { kind: 'function'; name: string; sig: Placed | null }
  | { kind: 'macro'; name: string; sig: string | null }
  | { kind: 'const'; name: string; family: VerdictFamily; sig: string | null }
  | { kind: 'fold'; name: string; args: readonly string[]; family: VerdictFamily; sig: string | null };

function placed(src: SourceFile, start: number, end: number): Placed {
  const p = src.lines.position(start);
  return { file: src.file, line: p.line, character: p.character, text: src.text.slice(start, end), blanked: src.blanked.slice(start, end) };
}

const samePlaced = (a: Placed | null, b: Placed | null) =>
  a === b || (!!a && !!b && a.line === b.line && a.character === b.character && a.file === b.file && a.text === b.text && a.blanked === b.blanked);

function functionSig(fn: FunctionDef | undefined): Placed | null {
  return fn ? placed(fn.source, fn.span.start, fn.span.end) : null;
}

function macroSig(unit: TranslationUnit, def: MacroDef | undefined): string | null {
  if (!def) return null;
  const at = unit.macroLoc(def).range.start;
  return `${def.file}|${at.line}:${at.character}|${def.params?.join(',') ?? '-'}|${def.body}`;
}

function constSig(r: { value: number; chain: string[] } | null): string | null {
  return r ? `${r.value}|${r.chain.join(',')}` : null;
}

/** Every lookup a program's walk made, in a form that can be checked against a new unit. */
export class DependencyLog {
  private readonly functions = new Map<string, Placed | null>();
  private readonly macros = new Map<string, string | null>();
  private readonly consts = new Map<string, { family: VerdictFamily; sig: string | null }>();
  private readonly folds = new Map<string, Extract<Dep, { kind: 'fold' }>>();

  constructor(private readonly unit: TranslationUnit) {}

  function(name: string, fn: FunctionDef | undefined): void {
    if (!this.functions.has(name)) this.functions.set(name, functionSig(fn));
  }

  macro(name: string, def: MacroDef | undefined): void {
    if (!this.macros.has(name)) this.macros.set(name, macroSig(this.unit, def));
  }

  constant(name: string, family: VerdictFamily, r: { value: number; chain: string[] } | null): void {
    if (!this.consts.has(name)) this.consts.set(name, { family, sig: constSig(r) });
  }

  fold(name: string, args: readonly string[], family: VerdictFamily, r: { value: number; chain: string[] } | null): void {
    const key = `${name}(${args.join(',')})`;
    if (!this.folds.has(key)) this.folds.set(key, { kind: 'fold', name, args, family, sig: constSig(r) });
  }

  list(): Dep[] {
    const out: Dep[] = [];
    for (const [name, sig] of this.functions) out.push({ kind: 'function', name, sig });
    for (const [name, sig] of this.macros) out.push({ kind: 'macro', name, sig });
    for (const [name, c] of this.consts) out.push({ kind: 'const', name, family: c.family, sig: c.sig });
    out.push(...this.folds.values());
    return out;
  }
}

function stillHolds(unit: TranslationUnit, d: Dep): boolean {
  switch (d.kind) {
    case 'function': return samePlaced(d.sig, functionSig(unit.function(d.name)));
    case 'macro': return d.sig === macroSig(unit, unit.macros.get(d.name));
    case 'const': return d.sig === constSig(unit.constants.resolve(d.name, d.family));
    case 'fold': return d.sig === constSig(unit.constants.foldMacroCall(d.name, d.args, d.family));
  }
}

/**
 * Since the last analysis, only the functions named here may have changed (text, blanked
 * text, line or column, or which definition a name finds); every macro, enumerator, constant
 * and header is as it was.
 */
export interface ReuseHint {
  functions: ReadonlySet<string>;
  /** Text before `before` and from `from` on is the same, on the same lines and columns (offsets now). */
  before: number;
  from: number;
}

interface Entry { own: Placed; mark: Placed; section: string | null; helpers: string; deps: readonly Dep[]; info: ProgramInfo; diagnostics: Diagnostic[] }

/** Programs analyzed in the previous analysis of a document, by name. */
export class ProgramCache {
  private prev = new Map<string, Entry>();
  private next = new Map<string, Entry>();

  /** `hint`: what is known not to have changed since the last analysis, whose lookups then need no check. */
  get(unit: TranslationUnit, fn: FunctionDef, mark: SectionMark, hint?: ReuseHint | null): { info: ProgramInfo; diagnostics: Diagnostic[] } | null {
    const e = this.prev.get(fn.name);
    if (!e) return null;
    const src = unit.main;
    if (e.section !== mark.section || e.helpers !== helperKey(unit)) return null;
    if ((!hint || hint.functions.has(fn.name)) && !samePlaced(e.own, placed(src, fn.span.start, fn.span.end))) return null;
    const markSame = hint && (mark.span.end <= hint.before || mark.span.start >= hint.from);
    if (!markSame && !samePlaced(e.mark, placed(src, mark.span.start, mark.span.end))) return null;
    for (const d of e.deps) {
      if (hint && (d.kind !== 'function' || !hint.functions.has(d.name))) continue;
      if (!stillHolds(unit, d)) return null;
    }
    this.next.set(fn.name, e);
    return e;
  }

  put(unit: TranslationUnit, fn: FunctionDef, mark: SectionMark, log: DependencyLog, info: ProgramInfo, diagnostics: Diagnostic[]): void {
    const src = unit.main;
    this.next.set(fn.name, {
      own: placed(src, fn.span.start, fn.span.end), mark: placed(src, mark.span.start, mark.span.end),
      section: mark.section, helpers: helperKey(unit), deps: log.list(), info, diagnostics,
    });
  }

  /** Keep only what the last analysis used. */
  sweep(): void {
    this.prev = this.next;
    this.next = new Map();
  }
}

const helperKeys = new WeakMap<TranslationUnit, string>();

function helperKey(unit: TranslationUnit): string {
  let k = helperKeys.get(unit);
  if (k === undefined) {
    k = [...unit.shortHelpers].sort().join(',');
    helperKeys.set(unit, k);
  }
  return k;
}
