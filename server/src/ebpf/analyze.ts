// Entry points: analyze one eBPF C file (with the local headers it includes), either once
// (analyzeC, for the CLI) or as a document that is edited (CDocument, for the language
// server: what an edit leaves unchanged is kept, and the trees are re-parsed incrementally).
import type { Diagnostic, Range } from '../topology/model';
import { compile, headerResolver, type Compilation } from './conditionals';
import { scanDirectives, type Directives, type MacroTable } from './defines';
import { programDiagnostics } from './diagnostics';
import { chunkCuts, chunkCutsEdit, parseChunks, type Chunk, type ChunkItem } from './chunks';
import { diffWindow, moveDirectives, moveSpans, sameSpans, withinLine } from './incremental';
import { LineIndex, type Span } from './locations';
import { ParseBudgetExceeded, type CParser } from './parser';
import { BlankRules, preprocessEdit, preprocessTracked, type Change, type PreState } from './preprocess';
import { analyzeProgram, findPrograms, type ProgramInfo } from './programs';
import { DependencyLog, ProgramCache, type ReuseHint } from './reuse';
import { BodyCache, SourceFile } from './source';
import { TranslationUnit } from './unit';

export type { ArgValue, HelperCall } from './calls';
export type { CallSite, Loc } from './locations';
export { createCParser, type CParser } from './parser';
export type { ProgramInfo } from './programs';
export type { RedirectCall, RedirectHelper, RedirectKind } from './redirects';
export type { ReturnInfo, ReturnValue } from './returns';
export type { ProgramType, SectionAttach } from './sections';

export interface AnalyzeOptions {
  /** Extra section macros: `NAME` used like SEC("…"), or `NAME=section` for an object-like one. */
  sectionMacros?: readonly string[];
  /** Local headers the file includes: path (as the caller names it) → text. */
  headers?: ReadonlyMap<string, string>;
}

export interface CFileAnalysis {
  file: string;
  programs: ProgramInfo[];
  diagnostics: Diagnostic[];
  /** `#include "x.h"` names of the file, as written, for the caller to find and pass back as headers. */
  includes: string[];
  /** Wall-clock milliseconds: tree-sitter parsing (incremental when it could be), and the whole analysis. */
  timings: { parseMs: number; totalMs: number };
}

/** Analyze a file once; every tree it parses is deleted before it returns. */
export function analyzeC(parser: CParser, file: string, text: string, opts: AnalyzeOptions = {}): CFileAnalysis {
  const doc = new CDocument(parser, file, text, { ...opts, reuse: false });
  try {
    return doc.analysis();
  } finally {
    doc.dispose();
  }
}

/** An LSP content change: with a range, replace it; without, the whole text. */
export interface TextChange { range?: Range; text: string }

/** A local header: its text, and what the last analysis made of it. */
interface Parsed { text: string; directives: Directives; made: HeaderMade | null }

interface HeaderMade { text: string; rules: BlankRules; hidden: readonly Span[]; blanked: string; chunks: Chunk[]; source: SourceFile }

/** The analyzed file as the last analysis saw it. */
interface MainState {
  text: string;
  lines: LineIndex;
  directives: Directives;
  /** What the compilation (with the headers of `headersVersion`) and blanking rules were. */
  compiled: Compilation;
  headersVersion: number;
  sectionMacros: readonly string[];
  rules: BlankRules;
  hidden: readonly Span[];
  pre: PreState;
  /** The lines chunks start at (after the first), and the chunks. */
  cuts: number[];
  chunks: Chunk[];
  source: SourceFile;
}

/**
 * One C document kept across edits. Trees live on the WebAssembly heap: call dispose().
 * Edits are applied to the text and gathered into one changed span since the last analysis.
 * An edit within one line, off the preprocessor's lines, is redone locally: directives are
 * moved, not rescanned, and only the edited line (and what a comment or macro call it opens
 * reaches) is blanked again; anything else blanks the whole text again (a new #define can
 * change blanking far from the typed edit). The blanked text is parsed in chunks (chunks.ts):
 * a chunk whose text did not change keeps its tree, and what was read from it; a changed one
 * is re-parsed incrementally. A program whose text, position and every name it looked up are
 * unchanged keeps its previous ProgramInfo: treat results as read-only.
 */
export class CDocument {
  private current: string;
  /** The line index of `current`, when known. */
  private lines: LineIndex | null = null;
  /** The analyzed text's [start, oldEnd) is the current text's [start, newEnd); null: unchanged. */
  private pending: Change | null = null;
  private state: MainState | null = null;
  private headers = new Map<string, Parsed>();
  private cached: CFileAnalysis | null = null;
  private sectionMacros: readonly string[];
  private rules: { key: string; rules: BlankRules } | null = null;
  private readonly bodies = new BodyCache();
  private readonly programCache: ProgramCache | null;
  private readonly timing = { parseMs: 0 };
  /** The header sources of the last analysis. */
  private lastHeaders: SourceFile[] = [];
  /** Counts setHeaders calls that changed a header. */
  private headersVersion = 0;

  /** `reuse: false` skips recording what each program read (nothing will be re-analyzed). */
  constructor(private readonly parser: CParser, readonly file: string, text: string, opts: AnalyzeOptions & { reuse?: boolean } = {}) {
    this.current = text;
    this.sectionMacros = opts.sectionMacros ?? [];
    this.programCache = opts.reuse === false ? null : new ProgramCache();
    if (opts.headers) this.setHeaders(opts.headers);
  }

  get text(): string { return this.current; }

  /** Replace the whole text. */
  setText(text: string): void {
    const old = this.current;
    // The changed span: what lies between the common prefix and suffix (null: no change).
    const change = diffWindow(old, text);
    if (change) this.record(text, change, null);
  }

  /** Apply LSP content changes in order (0-based line / UTF-16 character ranges). */
  applyChanges(changes: readonly TextChange[]): void {
    for (const c of changes) {
      if (!c.range) { this.setText(c.text); continue; }
      const lines = (this.lines ??= new LineIndex(this.current));
      const s = lines.offset(c.range.start);
      const e = Math.max(s, lines.offset(c.range.end));
      const old = this.current;
      if (old.slice(s, e) === c.text) continue;
      const text = old.slice(0, s) + c.text + old.slice(e);
      this.record(text, { start: s, oldEnd: e, newEnd: s + c.text.length }, lines.edited(text, s, e, c.text));
    }
  }

  /** The text is now `text`: `c` of the previous current text changed. */
  private record(text: string, c: Change, lines: LineIndex | null): void {
    const p = this.pending;
    if (!p) this.pending = c;
    else {
      // Both changes in one span: from the analyzed text to the new one.
      const end = Math.max(p.newEnd, c.oldEnd);
      this.pending = { start: Math.min(p.start, c.start), oldEnd: end - (p.newEnd - p.oldEnd), newEnd: end + (c.newEnd - c.oldEnd) };
    }
    this.current = text;
    this.lines = lines;
    this.cached = null;
  }

  setHeaders(headers: ReadonlyMap<string, string>): void {
    for (const [path, h] of this.headers) {
      if (headers.has(path)) continue;
      deleteTrees(h.made?.chunks);
      this.headers.delete(path);
      this.headersVersion++;
    }
    for (const [path, text] of headers) {
      const old = this.headers.get(path);
      if (old && old.text === text) continue;
      this.headers.set(path, { text, directives: scanDirectives(text, path), made: old?.made ?? null });
      this.headersVersion++;
    }
    this.cached = null;
  }

  setSectionMacros(names: readonly string[]): void {
    this.sectionMacros = names;
    this.cached = null;
  }

  analysis(): CFileAnalysis {
    if (this.cached) return this.cached;
    const started = performance.now();
    try {
      return this.analyse(started);
    } catch (e) {
      if (!(e instanceof ParseBudgetExceeded)) throw e;
      // Pathological text: say so once, analyse nothing, keep serving every other file.
      this.cached = {
        file: this.file, programs: [], includes: [],
        diagnostics: [{
          file: this.file, severity: 'info', code: 'analysis-skipped',
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          message: `Datapath Lens did not analyse this file: ${e.message} (a line of garbage, or a file that is not C?). Its programs are not known until that is fixed.`,
        }],
        timings: { parseMs: performance.now() - started, totalMs: performance.now() - started },
      };
      return this.cached;
    }
  }

  private analyse(started: number): CFileAnalysis {
    this.timing.parseMs = 0;
    let main: MainState;
    let macros: MacroTable;
    let headers: SourceFile[];
    // Functions that may differ from the last analysis, when nothing else can (see ReuseHint).
    let changed: Set<string> | null;
    let window: { start: number; end: number } | null;
    try {
      const text = this.current;
      const lines = (this.lines ??= new LineIndex(text));
      const prev = this.state;
      const change = prev ? this.pending : null;
      // The same headers and section macros: the macros and hidden branches change only with
      // the directives. An edit within one line that no directive is on only moves those (in
      // place): the last analysis' compilation holds, moved.
      const same = !!prev && prev.headersVersion === this.headersVersion && prev.sectionMacros === this.sectionMacros;
      let local: Change | null = null;
      let directives: Directives;
      let compiled: Compilation;
      let rules: BlankRules;
      if (prev && same && (!change || (withinLine(prev.text, text, change) && moveDirectives(prev.directives, prev.lines, text, change)))) {
        if (change) moveSpans(prev.compiled.hidden.get(this.file) ?? [], change);
        local = change;
        directives = prev.directives;
        compiled = prev.compiled;
        rules = prev.rules;
      } else {
        directives = prev && !change ? prev.directives : scanDirectives(text, this.file);
        const headerTexts = [...this.headers].map(([file, h]) => ({ file, text: h.text, directives: h.directives }));
        compiled = compile({ file: this.file, text, directives }, headerTexts, headerResolver(headerTexts));
        rules = this.rulesFor(compiled.macros);
      }
      macros = compiled.macros;
      const hidden = compiled.hidden.get(this.file) ?? [];
      const made = this.parseMain(prev, change, local, {
        text, lines, directives, compiled, rules, hidden, headersVersion: this.headersVersion, sectionMacros: this.sectionMacros,
      });
      main = made.state;
      changed = made.changed;
      window = made.window;
      this.state = main;
      this.pending = null;
      headers = [];
      for (const [path, h] of this.headers) headers.push(this.parseHeader(path, h, rules, compiled.hidden.get(path) ?? []));
      if (headers.length !== this.lastHeaders.length || headers.some((h, i) => h !== this.lastHeaders[i])) changed = null;
      this.lastHeaders = headers;
    } catch (e) {
      // Whatever was half-done (a tree edited but not re-parsed) must not be built on.
      this.state = null;
      this.lastHeaders = [];
      for (const h of this.headers.values()) h.made = null;
      throw e;
    }
    const unit = new TranslationUnit(main.source, headers, macros);
    const programs: ProgramInfo[] = [];
    const diagnostics: Diagnostic[] = [];
    const cache = this.programCache;
    // Where the text or the blanked text changed (within one line when `changed` is known).
    let hint: ReuseHint | null = null;
    if (changed) {
      const w = window;
      const line = w ? main.lines.lineOf(w.end) + 1 : 0;
      hint = { functions: changed, before: w ? w.start : Infinity, from: !w ? 0 : line < main.lines.lineCount ? main.lines.lineStart(line) : Infinity };
    }
    for (const { fn, mark } of findPrograms(unit)) {
      const reused = cache?.get(unit, fn, mark, hint);
      if (reused) {
        programs.push(reused.info);
        diagnostics.push(...reused.diagnostics);
        continue;
      }
      const log = cache ? new DependencyLog(unit) : undefined;
      const p = analyzeProgram(unit, fn, mark, log);
      const ds = programDiagnostics(p);
      if (cache && log) cache.put(unit, fn, mark, log, p, ds);
      programs.push(p);
      diagnostics.push(...ds);
    }
    this.bodies.sweep();
    cache?.sweep();
    this.cached = {
      file: this.file,
      programs,
      diagnostics,
      includes: main.directives.includes.filter((i) => i.local).map((i) => i.name),
      timings: { parseMs: this.timing.parseMs, totalMs: performance.now() - started },
    };
    return this.cached;
  }

  dispose(): void {
    deleteTrees(this.state?.chunks);
    this.state = null;
    for (const h of this.headers.values()) deleteTrees(h.made?.chunks);
    this.headers.clear();
    this.cached = null;
  }

  /** The blanking rules for these macros: the last ones when the macros read the same. */
  private rulesFor(macros: MacroTable): BlankRules {
    let key = this.sectionMacros.join('\n');
    for (const d of macros.values()) key += `\0${d.name}(${d.params?.join(',') ?? '-'})${d.body}`;
    if (this.rules?.key !== key) this.rules = { key, rules: new BlankRules(macros, this.sectionMacros) };
    return this.rules.rules;
  }

  /**
   * Blank and parse the analyzed file: after a local edit (`local`), only the edited line is
   * blanked again; otherwise the whole text. Unchanged chunks keep their trees and items.
   * `changed`: after a local edit, the names of the functions in chunks read again (null when
   * an enum or const declaration was among them, or the edit was not local).
   */
  private parseMain(prev: MainState | null, change: Change | null, local: Change | null, now: Omit<MainState, 'pre' | 'cuts' | 'chunks' | 'source'>): {
    state: MainState; changed: Set<string> | null; window: { start: number; end: number } | null;
  } {
    const { text, lines, rules, hidden } = now;
    let pre: PreState | null = null;
    // The exact change of the blanked text (null: none), when known; and the lines it may touch.
    let blank: Change | null | undefined;
    let cuts: number[] | null = null;
    if (prev && rules === prev.rules) {
      if (!change && sameSpans(prev.hidden, hidden)) {
        return { state: { ...now, pre: prev.pre, cuts: prev.cuts, chunks: prev.chunks, source: prev.source }, changed: new Set(), window: null };
      } else if (local) {
        const r = preprocessEdit(prev.pre, text, local, lines, rules, hidden);
        if (r) {
          pre = r.state;
          blank = r.changed;
          cuts = chunkCutsEdit(prev.cuts, pre.pre.text, lines, pre.rest, r.lines.first, r.lines.last);
        }
      }
    }
    const edited = blank !== undefined;
    pre ??= preprocessTracked(text, rules, hidden, lines);
    const blanked = pre.pre.text;
    cuts ??= chunkCuts(blanked, lines, pre.rest);
    if (prev && blank === undefined) blank = diffWindow(prev.pre.pre.text, blanked);
    const old = prev ? { blanked: prev.pre.pre.text, chunks: prev.chunks, blank: blank ?? null, text: change } : null;
    const { chunks, fresh, dropped } = parseChunks(this.parser, blanked, lines, cuts, old, this.timing);
    const source = new SourceFile(this.file, text, blanked, pre.pre.marks, chunks, this.bodies, {
      lines, helpers: prev && change ? { prev: prev.source, change } : undefined,
    });
    let changed: Set<string> | null = null;
    let window: { start: number; end: number } | null = null;
    if (prev && edited && change) {
      window = { start: Math.min(change.start, blank?.start ?? change.start), end: Math.max(change.newEnd, blank?.newEnd ?? change.newEnd) };
      const names = new Set<string>();
      let decls = false;
      const note = (items: readonly ChunkItem[]) => {
        for (const it of items) if (it.kind === 'decl') decls = true; else if (it.head) names.add(it.head.name);
      };
      for (const items of dropped) note(items);
      for (const c of fresh) if (c.items) note(c.items);
      if (!decls) changed = names;
    }
    return { state: { ...now, pre, cuts, chunks, source }, changed, window };
  }

  /** Blank and parse a header: not at all when nothing it depends on changed; unchanged chunks keep their trees. */
  private parseHeader(path: string, p: Parsed, rules: BlankRules, hidden: readonly Span[]): SourceFile {
    const made = p.made;
    if (made && made.text === p.text && made.rules === rules && sameSpans(made.hidden, hidden)) return made.source;
    const lines = new LineIndex(p.text);
    const pre = preprocessTracked(p.text, rules, hidden, lines);
    const blanked = pre.pre.text;
    const old = made ? { blanked: made.blanked, chunks: made.chunks, blank: diffWindow(made.blanked, blanked), text: diffWindow(made.text, p.text) } : null;
    p.made = null;
    const { chunks } = parseChunks(this.parser, blanked, lines, chunkCuts(blanked, lines, pre.rest), old, this.timing);
    const source = new SourceFile(path, p.text, blanked, pre.pre.marks, chunks, this.bodies, { lines });
    p.made = { text: p.text, rules, hidden, blanked, chunks, source };
    return source;
  }
}

function deleteTrees(chunks: readonly Chunk[] | undefined): void {
  for (const c of chunks ?? []) c.tree.delete();
}
