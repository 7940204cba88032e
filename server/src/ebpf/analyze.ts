// Entry points: analyze one eBPF C file (with the local headers it includes), either once
// (analyzeC, for the CLI) or as a document that is edited (CDocument, for the language
// server: the previous tree is kept and re-parsed incrementally).
import type { Diagnostic, Range } from '../topology/model';
import { compile, headerResolver } from './conditionals';
import { scanDirectives, type Directives } from './defines';
import { programDiagnostics } from './diagnostics';
import { LineIndex, type Span } from './locations';
import { diffEdit, editTree, type CParser, type Tree } from './parser';
import { BlankRules, preprocess, type Preprocessed } from './preprocess';
import { analyzeProgram, findPrograms, type ProgramInfo } from './programs';
import { DependencyLog, ProgramCache } from './reuse';
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

interface Parsed { text: string; directives: Directives; pre: Preprocessed | null; tree: Tree | null }

/**
 * One C document kept across edits. Trees live on the WebAssembly heap: call dispose().
 * Edits are applied to the text; the blanked text is then diffed against the previous one,
 * so the old tree is edited exactly where tree-sitter's input changed (a new #define can
 * change blanking far from the typed edit). A program whose text, position and every name
 * it looked up are unchanged keeps its previous ProgramInfo: treat results as read-only.
 */
export class CDocument {
  private main: Parsed;
  private headers = new Map<string, Parsed>();
  private cached: CFileAnalysis | null = null;
  private sectionMacros: readonly string[];
  private readonly bodies = new BodyCache();
  private readonly programCache: ProgramCache | null;
  private parseMs = 0;

  /** `reuse: false` skips recording what each program read (nothing will be re-analyzed). */
  constructor(private readonly parser: CParser, readonly file: string, text: string, opts: AnalyzeOptions & { reuse?: boolean } = {}) {
    this.main = { text, directives: scanDirectives(text, file), pre: null, tree: null };
    this.sectionMacros = opts.sectionMacros ?? [];
    this.programCache = opts.reuse === false ? null : new ProgramCache();
    if (opts.headers) this.setHeaders(opts.headers);
  }

  get text(): string { return this.main.text; }

  /** Replace the whole text. */
  setText(text: string): void {
    if (text === this.main.text) return;
    this.main = { ...this.main, text, directives: scanDirectives(text, this.file) };
    this.cached = null;
  }

  /** Apply LSP content changes in order (0-based line / UTF-16 character ranges). */
  applyChanges(changes: readonly TextChange[]): void {
    let text = this.main.text;
    for (const c of changes) {
      if (!c.range) { text = c.text; continue; }
      const lines = new LineIndex(text);
      const s = lines.offset(c.range.start);
      const e = lines.offset(c.range.end);
      text = text.slice(0, s) + c.text + text.slice(e);
    }
    this.setText(text);
  }

  setHeaders(headers: ReadonlyMap<string, string>): void {
    for (const [path, h] of this.headers) if (!headers.has(path)) { h.tree?.delete(); this.headers.delete(path); }
    for (const [path, text] of headers) {
      const old = this.headers.get(path);
      if (old && old.text === text) continue;
      this.headers.set(path, { text, directives: scanDirectives(text, path), pre: old?.pre ?? null, tree: old?.tree ?? null });
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
    this.parseMs = 0;
    const headerTexts = [...this.headers].map(([file, h]) => ({ file, text: h.text, directives: h.directives }));
    const { macros, hidden } = compile({ file: this.file, text: this.main.text, directives: this.main.directives }, headerTexts, headerResolver(headerTexts));
    const rules = new BlankRules(macros, this.sectionMacros);
    const main = this.reparse(this.main, rules, hidden.get(this.file) ?? []);
    const headers: SourceFile[] = [];
    for (const [path, h] of this.headers) headers.push(this.toSource(path, this.reparse(h, rules, hidden.get(path) ?? [])));
    const unit = new TranslationUnit(this.toSource(this.file, main), headers, macros);
    const programs: ProgramInfo[] = [];
    const diagnostics: Diagnostic[] = [];
    const cache = this.programCache;
    for (const { fn, mark } of findPrograms(unit)) {
      const reused = cache?.get(unit, fn, mark);
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
      includes: this.main.directives.includes.filter((i) => i.local).map((i) => i.name),
      timings: { parseMs: this.parseMs, totalMs: performance.now() - started },
    };
    return this.cached;
  }

  dispose(): void {
    this.main.tree?.delete();
    this.main.tree = null;
    for (const h of this.headers.values()) h.tree?.delete();
    this.headers.clear();
    this.cached = null;
  }

  /** Blank, then parse: incrementally from the previous tree when there is one. */
  private reparse(p: Parsed, rules: BlankRules, hidden: readonly Span[]): Parsed {
    const pre = preprocess(p.text, rules, hidden);
    const t = performance.now();
    if (p.tree && p.pre) {
      const edit = diffEdit(p.pre.text, pre.text);
      if (edit) {
        editTree(p.tree, edit);
        const tree = this.parser.parse(pre.text, p.tree);
        p.tree.delete();
        p.tree = tree;
      }
    } else {
      p.tree = this.parser.parse(pre.text);
    }
    this.parseMs += performance.now() - t;
    p.pre = pre;
    return p;
  }

  private toSource(file: string, p: Parsed): SourceFile {
    if (!p.pre || !p.tree) throw new Error(`${file} was not parsed`);
    return new SourceFile(file, p.text, p.pre.text, p.pre.marks, p.tree, this.bodies);
  }
}
