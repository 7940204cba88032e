// The analyzed file together with the local headers it was given: one place to look up a
// function, a macro or a constant wherever it is defined, and to read a macro's expansion.
import { ConstantScope, type EnumList, type GlobalConst } from './constants';
import { MacroTable, type MacroDef } from './defines';
import { bracketPartners, scanEvents } from './events';
import type { Loc } from './locations';
import type { Body, FunctionDef, SourceFile } from './source';
import { tokenize } from './tokens';

/** A macro expansion read on its own: its tokens and events, and whether it is one expression. */
export interface Snippet extends Body { text: string; isExpression: boolean }

const STATEMENT_WORDS = new Set(['return', 'if', 'do', 'while', 'for', 'switch', 'goto', 'break', 'continue']);

export class TranslationUnit {
  readonly constants: ConstantScope;
  /** Helpers Cilium declares under their short names: `static int BPF_FUNC(redirect, …)`. */
  readonly shortHelpers = new Set<string>();
  private readonly functions = new Map<string, FunctionDef>();
  private readonly byFile = new Map<string, SourceFile>();
  private readonly snippets = new Map<string, Snippet>();

  constructor(readonly main: SourceFile, readonly headers: readonly SourceFile[], readonly macros: MacroTable) {
    const enums: EnumList[] = [];
    const consts = new Map<string, GlobalConst>();
    for (const src of [main, ...headers]) {
      this.byFile.set(src.file, src);
      for (const fn of src.functions) if (!this.functions.has(fn.name)) this.functions.set(fn.name, fn);
      enums.push(...src.enums);
      for (const [k, v] of src.consts) if (!consts.has(k)) consts.set(k, v);
      for (const name of src.shortHelpers) this.shortHelpers.add(name);
    }
    this.constants = new ConstantScope(macros, enums, consts);
  }

  function(name: string): FunctionDef | undefined { return this.functions.get(name); }

  source(file: string): SourceFile | undefined { return this.byFile.get(file); }

  /** Where a macro is defined, for "reached through MACRO (line N)". */
  macroLoc(def: MacroDef): Loc {
    const src = this.byFile.get(def.file);
    if (src) return src.loc(def.nameSpan);
    return { file: def.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }

  /** The events of a macro expansion (cached by its text). */
  snippet(expansion: string): Snippet {
    let s = this.snippets.get(expansion);
    if (s) return s;
    const toks = tokenize(expansion);
    const partner = bracketPartners(toks);
    // One expression (`bpf_redirect(a, b)`), not statements (`return …;`, `do { … } while (0)`).
    let isExpression = toks.length > 0 && toks[0].text !== '{';
    for (let i = 0; i < toks.length && isExpression; i++) {
      const t = toks[i];
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{') && partner[i] > i) { i = partner[i]; continue; }
      if (t.text === ';' || (t.kind === 'id' && STATEMENT_WORDS.has(t.text))) isExpression = false;
    }
    s = { text: expansion, toks, events: scanEvents(toks), isExpression };
    this.snippets.set(expansion, s);
    return s;
  }
}
