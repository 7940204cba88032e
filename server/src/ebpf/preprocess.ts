// tree-sitter-c does not know libbpf's macros: `SEC("tc") int f(…)` parses as an
// expression statement missing its `;`, `__uint(type, …)` in a map struct and
// `static __always_inline` as errors, and errors slow incremental re-parses. Before parsing
// we overwrite such macros with spaces (or, for map fields, a plain `int name;`) of the same
// length, so every offset, line and column stays where it was, and we keep each section
// macro we blanked: its string is the ELF section that decides the program's type and hook.
import { MacroTable, argumentTexts, expandMacro } from './defines';
import { diffWindow } from './incremental';
import type { LineIndex, Span } from './locations';
import { decodeString, skipQuoted, tokenize } from './tokens';

export interface SectionMark {
  /** The macro as written: SEC, __section, __attribute__, or a macro of the file. */
  macro: string;
  /** The whole invocation (blanked in the parsed text). */
  span: Span;
  /** The ELF section name, or null when it could not be computed (an unknown macro). */
  section: string | null;
  /** The string literal naming the section, when it is written at the invocation. */
  literal: Span | null;
}

export interface Preprocessed { text: string; marks: SectionMark[] }

// Map-definition macros of bpf_helpers.h: `__uint(name, val)` declares a field `name`.
const MAP_FIELDS = new Set(['__uint', '__type', '__array', '__ulong', '__int']);

// Attribute-like macros of bpf_helpers.h, compiler.h and Cilium's compiler.h that
// tree-sitter-c cannot place; they change nothing the analysis reads.
const ATTRIBUTES = new Set([
  '__always_inline', '__noinline', '__inline', '__maybe_unused', '__unused', '__always_unused', '__used',
  '__hidden', '__weak', '__ksym', '__kptr', '__kptr_untrusted', '__kptr_ref', '__percpu_kptr', '__rcu',
  '__user', '__force', '__must_check', '__naked', '__packed', '__cold', '__hot', '__visible', '__noreturn',
  '__bpf_kfunc', '__bpf_fastcall', '__arg_ctx', '__arg_nonnull', '__arg_nullable', '__arg_trusted',
  '__arg_arena', '__nullable', '__iter', '__attribute_const__', '__pure', '__nocast',
]);
const ATTRIBUTE_CALLS = new Set(['__aligned', '__printf', '__scanf', '__alias', '__nonstring_attr']);
const KEYWORDS = new Set(['static', 'inline', '__inline__', 'extern', '__attribute__', 'volatile']);

// The section macros every libbpf / iproute2 / Cilium program may use without our seeing
// their definition: SEC() (bpf_helpers.h), __section() (iproute2, Cilium).
const BUILTIN_SECTION_CALLS = ['SEC', '__section'];
// Cilium's bpf/include/bpf/section.h; defined in headers we are often not given.
const BUILTIN_SECTION_OBJECTS = ['__section_entry'];

/** Which identifiers to blank, from the built-in lists, the option, and the macros seen. */
export class BlankRules {
  readonly sectionCalls = new Set<string>(BUILTIN_SECTION_CALLS);
  /** Object-like section macros; the value is the section when it is given outright. */
  readonly sectionObjects = new Map<string, string | null>();
  readonly attributes = new Set<string>(ATTRIBUTES);

  /**
   * @param sectionMacros names of function-like macros used like SEC("…"), or `NAME=section`
   *   for an object-like macro standing for one section (`__section_entry=tc`).
   */
  constructor(readonly macros: MacroTable, sectionMacros: readonly string[] = []) {
    for (const n of BUILTIN_SECTION_OBJECTS) if (!macros.has(n)) this.sectionObjects.set(n, null);
    if (!macros.has('__section_tail')) this.sectionCalls.add('__section_tail');
    for (const opt of sectionMacros) {
      const eq = opt.indexOf('=');
      if (eq > 0) this.sectionObjects.set(opt.slice(0, eq).trim(), opt.slice(eq + 1).trim());
      else if (opt.trim()) this.sectionCalls.add(opt.trim());
    }
    this.learn();
  }

  /** Macros of the file (and its headers) that place code in a section, or are only attributes. */
  private learn(): void {
    for (let round = 0; round < 6; round++) {
      let changed = false;
      for (const def of this.macros.values()) {
        if (this.sectionCalls.has(def.name) || this.sectionObjects.has(def.name) || this.attributes.has(def.name)) continue;
        const toks = tokenize(def.body);
        const placesSection = toks.some((t, i) => t.kind === 'id' && (
          this.sectionCalls.has(t.text) || this.sectionObjects.has(t.text) ||
          (t.text === '__attribute__' && toks.slice(i, i + 12).some((u) => u.text === 'section'))));
        if (placesSection) {
          if (def.params) this.sectionCalls.add(def.name); else this.sectionObjects.set(def.name, null);
          changed = true;
        } else if (!def.params && toks.length > 0 && toks.every((t) => t.kind === 'id' && (this.attributes.has(t.text) || KEYWORDS.has(t.text)))) {
          // `#define INLINE static __always_inline`: blanking `static` with it loses nothing we read.
          this.attributes.add(def.name);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  private scanRe: RegExp | null = null;

  /** A regex matching comments, literals, directive lines, or (group 1) a name to blank. */
  scanner(): RegExp {
    if (!this.scanRe) {
      const names = [...this.sectionCalls, ...this.sectionObjects.keys(), ...this.attributes, ...MAP_FIELDS, ...ATTRIBUTE_CALLS, '__attribute__']
        .filter((n) => /^[A-Za-z_]\w*$/.test(n))
        .sort((a, b) => b.length - a.length);
      this.scanRe = new RegExp(
        String.raw`\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$(?![\s\S]))|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?|^[ \t]*#(?:[^\n\\]|\\[\s\S])*|\b(` +
        names.join('|') + String.raw`)\b`,
        'gm',
      );
    }
    return this.scanRe;
  }

  /** The section a macro invocation places code in. */
  sectionOf(name: string, args: readonly string[] | null, depth = 0): string | null {
    if (depth > 8) return null;
    if (name === '__attribute__') {
      const m = /\bsection\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)/.exec(args?.[0] ?? '');
      return m ? this.stringValue(m[1], depth) : null;
    }
    const def = this.macros.get(name);
    const given = this.sectionObjects.get(name);
    if (given) return given;
    if (def && !BUILTIN_SECTION_CALLS.includes(name)) {
      const expanded = def.params ? expandMacro(def, args ?? []) : def.body;
      return this.sectionInText(expanded, depth + 1);
    }
    if (name === '__section_tail' && args && args.length === 2) {
      // Cilium's legacy tail-call sections: __stringify(ID) "/" __stringify(KEY).
      return `${this.macroText(args[0])}/${this.macroText(args[1])}`;
    }
    if (this.sectionCalls.has(name) && args && args.length > 0) return this.stringValue(args[0], depth);
    return null;
  }

  /** The first section-producing macro in an expansion, evaluated. */
  private sectionInText(text: string, depth: number): string | null {
    const toks = tokenize(text);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind !== 'id') continue;
      const isCall = this.sectionCalls.has(t.text) || t.text === '__attribute__';
      if (isCall && toks[i + 1]?.text === '(') {
        let depthP = 0;
        let j = i + 1;
        for (; j < toks.length; j++) {
          if (toks[j].text === '(') depthP++;
          else if (toks[j].text === ')' && --depthP === 0) break;
        }
        const inner = text.slice(toks[i + 1].end, j < toks.length ? toks[j].start : text.length);
        const args = t.text === '__attribute__' ? [inner] : argumentTexts(text, toks[i + 1].start, j < toks.length ? toks[j].start : text.length);
        return this.sectionOf(t.text, args, depth + 1);
      }
      if (this.sectionObjects.has(t.text)) return this.sectionOf(t.text, null, depth + 1);
    }
    return null;
  }

  /** A string made of literals, string macros and __stringify(); null if anything else. */
  stringValue(text: string, depth = 0): string | null {
    if (depth > 8) return null;
    const toks = tokenize(text);
    if (toks.length === 0) return null;
    let out = '';
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind === 'str') { out += decodeString(t.text); continue; }
      if (t.kind === 'id' && /^__stringify(_1)?$|^__str$/.test(t.text) && toks[i + 1]?.text === '(') {
        const close = toks.findIndex((u, k) => k > i && u.text === ')');
        if (close < 0) return null;
        out += this.macroText(text.slice(toks[i + 1].end, toks[close].start));
        i = close;
        continue;
      }
      if (t.kind === 'id') {
        const def = this.macros.get(t.text);
        if (!def || def.params) return null;
        const s = this.stringValue(def.body, depth + 1);
        if (s === null) return null;
        out += s;
        continue;
      }
      return null;
    }
    return out;
  }

  private macroText(text: string): string {
    const t = text.trim();
    const def = this.macros.get(t);
    return def && !def.params ? def.body.trim() : t;
  }
}

interface BlankEdit { start: number; end: number; keep?: Span }

/** What a scan found: spans to blank, section macros, and (as start, end pairs) reads that crossed a line break. */
interface ScanOut { edits: BlankEdit[]; marks: SectionMark[]; crossing: number[] }

/**
 * Blank the macros tree-sitter-c cannot parse, keeping the text's length and line breaks.
 * `hidden` (sorted): directive lines and branches the compiler skips, blanked whole.
 */
export function preprocess(text: string, rules: BlankRules, hidden: readonly Span[] = []): Preprocessed {
  const out: ScanOut = { edits: [], marks: [], crossing: [] };
  scan(text, rules, hidden, 0, out);
  return { text: applyBlanks(text, out.edits, hidden, 0, text.length), marks: out.marks };
}

/**
 * A blanked text with what an edit needs to redo only part of it: for each line, whether the
 * scan was between matches at its start (nothing read across that line break was pending).
 */
export interface PreState { pre: Preprocessed; rest: Uint8Array }

/** A replacement: [start, oldEnd) of the old text is [start, newEnd) of the new one. */
export interface Change { start: number; oldEnd: number; newEnd: number }

/** preprocess(), remembering where the scan could be resumed. */
export function preprocessTracked(text: string, rules: BlankRules, hidden: readonly Span[], lines: LineIndex): PreState {
  const out: ScanOut = { edits: [], marks: [], crossing: [] };
  scan(text, rules, hidden, 0, out);
  const rest = new Uint8Array(lines.lineCount).fill(1);
  markCrossing(rest, out.crossing, lines);
  return { pre: { text: applyBlanks(text, out.edits, hidden, 0, text.length), marks: out.marks }, rest };
}

/**
 * Redo the blanking after an edit within one line (no line break removed or inserted):
 * the scan restarts at the last line start before the edit where the old scan was between
 * matches, and stops at the first line start after the edited line where both the old and the
 * new scan were; the rest of the old result is kept (moved). `hidden` must be the old hidden
 * spans moved by the edit. `changed` is the part of the blanked text that differs (null: none);
 * `lines`, the lines whose blanked text or scan state may differ. The old marks after the
 * edit are moved in place: `prev` is not to be used again.
 */
export function preprocessEdit(
  prev: PreState, newText: string, edit: Change, lines: LineIndex, rules: BlankRules, hidden: readonly Span[],
): { state: PreState; changed: Change | null; lines: { first: number; last: number } } | null {
  const delta = edit.newEnd - edit.oldEnd;
  if (prev.rest.length !== lines.lineCount) return null;
  // Restart at the last line start where the old scan was between matches (line 0 always is):
  // the edited line's, or that of the comment or macro call it is in.
  let line = lines.lineOf(edit.start);
  while (line > 0 && !prev.rest[line]) line--;
  const from = lines.lineStart(line);
  const count = lines.lineCount;
  const after = line + 1 < count ? lines.lineStart(line + 1) : newText.length + 1;
  const out: ScanOut = { edits: [], marks: [], crossing: [] };
  const stop = scan(newText, rules, hidden, from, out, (a, b) => {
    let l = lines.lineOf(Math.max(a, after));
    if (l < count && lines.lineStart(l) < Math.max(a, after)) l++;
    for (; l < count && lines.lineStart(l) <= b; l++) if (prev.rest[l]) return lines.lineStart(l);
    return -1;
  });
  const oldStop = stop - delta;
  const old = prev.pre;
  const region = applyBlanks(newText, out.edits, hidden, from, stop);
  const oldRegion = old.text.slice(from, oldStop);
  const text = region === oldRegion ? old.text : old.text.slice(0, from) + region + old.text.slice(oldStop);
  // Marks: those before the region stay, the region's are new, the later ones move.
  const marks = old.marks;
  let i = 0;
  while (i < marks.length && marks[i].span.start < from) i++;
  let j = i;
  while (j < marks.length && marks[j].span.start < oldStop) j++;
  // Moved in place: the old result is not used again.
  const moved = marks.slice(j);
  if (delta !== 0) {
    for (const m of moved) {
      m.span.start += delta;
      m.span.end += delta;
      if (m.literal) { m.literal.start += delta; m.literal.end += delta; }
    }
  }
  const rest = prev.rest.slice();
  let last = line;
  const end = stop >= newText.length ? count : lines.lineOf(stop);
  for (let l = line; l < end; l++) { rest[l] = 1; last = l; }
  last = Math.max(last, markCrossing(rest, out.crossing, lines));
  // The difference within the re-blanked region, moved to offsets of the whole text.
  const d = diffWindow(oldRegion, region);
  const changed: Change | null = d && { start: from + d.start, oldEnd: from + d.oldEnd, newEnd: from + d.newEnd };
  return { state: { pre: { text, marks: [...marks.slice(0, i), ...out.marks, ...moved] }, rest }, changed, lines: { first: line, last } };
}

/** Lines that begin strictly inside a read that crossed a line break: the scan cannot restart there. Returns the last such line (-1: none). */
function markCrossing(rest: Uint8Array, crossing: readonly number[], lines: LineIndex): number {
  let last = -1;
  for (let k = 0; k < crossing.length; k += 2) {
    const end = crossing[k + 1];
    for (let l = lines.lineOf(crossing[k]) + 1; l < rest.length && lines.lineStart(l) < end; l++) { rest[l] = 0; if (l > last) last = l; }
  }
  return last;
}

/**
 * One native regex pass from `from` (where no match is in progress): comments, literals and
 * directives are matched whole (and left alone); only the names we blank stop the scan.
 * `stopAt(a, b)` is asked, whenever the scan is between matches on [a, b], for a position there
 * to stop at (-1: go on). Returns where the scan stopped (the text's length at the end).
 */
function scan(text: string, rules: BlankRules, hidden: readonly Span[], from: number, out: ScanOut, stopAt?: (a: number, b: number) => number): number {
  const re = rules.scanner();
  re.lastIndex = from;
  let h = 0;
  let rest = from;
  let nl = -1;
  for (;;) {
    const m = re.exec(text);
    if (stopAt) {
      const at = stopAt(rest, m ? m.index : text.length);
      if (at >= 0) return at;
    }
    if (!m) return text.length;
    const s = m.index;
    let read = s + m[0].length;
    const name = m[1];
    if (name) {
      while (h < hidden.length && hidden[h].end <= s) h++;
      if (!(h < hidden.length && hidden[h].start <= s)) read = blankName(text, rules, name, s, re, out);
    }
    rest = re.lastIndex;
    // A read that reached the end depends on there being nothing more (a comment closed by the
    // end of the text, an empty last line typed into): it counts as reading past it.
    if (read >= text.length) read = text.length + 1;
    // The first line break at or after the match (matches come in order: looked up again only past it).
    if (nl < s) { nl = text.indexOf('\n', s); if (nl < 0) nl = text.length; }
    if (nl < read - 1) out.crossing.push(s, read);
  }
}

/** Blank one name the scan stopped at (and its arguments); returns how far it read. */
function blankName(text: string, rules: BlankRules, name: string, s: number, re: RegExp, out: ScanOut): number {
  const { edits, marks } = out;
  const after = s + name.length;
  if (rules.attributes.has(name)) { edits.push({ start: s, end: after }); return after + 1; }
  const fnSection = rules.sectionCalls.has(name) || name === '__attribute__';
  const mapField = MAP_FIELDS.has(name);
  if (fnSection || mapField || ATTRIBUTE_CALLS.has(name)) {
    const open = skipSpace(text, after);
    if (text[open] !== '(') return open + 1;
    const close = matchParen(text, open);
    if (close < 0) return text.length;
    const end = close + 1;
    re.lastIndex = end;
    if (mapField) {
      const first = /^\s*([A-Za-z_]\w*)\s*(,|$)/.exec(text.slice(open + 1, close));
      const at = first ? open + 1 + first[0].indexOf(first[1]) : -1;
      edits.push({ start: s, end, keep: first ? { start: at, end: at + first[1].length } : undefined });
    } else if (name === '__attribute__') {
      const inner = text.slice(open + 1, close);
      if (!/\bsection\s*\(/.test(inner)) return end;
      edits.push({ start: s, end });
      marks.push({ macro: name, span: { start: s, end }, section: rules.sectionOf(name, [inner]), literal: literalIn(text, open, close) });
    } else if (fnSection) {
      edits.push({ start: s, end });
      marks.push({ macro: name, span: { start: s, end }, section: rules.sectionOf(name, argumentTexts(text, open, close)), literal: literalIn(text, open, close) });
    } else {
      edits.push({ start: s, end });
    }
    return end;
  }
  if (rules.sectionObjects.has(name)) {
    edits.push({ start: s, end: after });
    marks.push({ macro: name, span: { start: s, end: after }, section: rules.sectionOf(name, null), literal: null });
  }
  return after + 1;
}

/** The blanked text of [from, to): the scan's edits in it, and the hidden spans clipped to it. */
function applyBlanks(text: string, scanned: BlankEdit[], hidden: readonly Span[], from: number, to: number): string {
  let edits = scanned;
  if (hidden.length > 0) {
    edits = scanned.slice();
    let added = false;
    for (const x of hidden) {
      const start = Math.max(x.start, from);
      const end = Math.min(x.end, to);
      if (end > start) { edits.push({ start, end }); added = true; }
    }
    if (added) edits.sort((a, b) => a.start - b.start);
  }
  if (edits.length === 0) return from === 0 && to === text.length ? text : text.slice(from, to);
  const parts: string[] = [];
  let at = from;
  for (const e of edits) {
    if (e.end <= at) continue;
    if (e.start < at) { parts.push(blank(text.slice(at, e.end))); at = e.end; continue; }
    parts.push(text.slice(at, e.start));
    if (e.keep) {
      // `__uint(type, X)` → `int    type        `: a field declaration tree-sitter accepts.
      parts.push(blank(text.slice(e.start, e.keep.start)).replace(/^ {3}/, 'int'));
      parts.push(text.slice(e.keep.start, e.keep.end));
      parts.push(blank(text.slice(e.keep.end, e.end)));
    } else {
      parts.push(blank(text.slice(e.start, e.end)));
    }
    at = e.end;
  }
  parts.push(text.slice(at, to));
  return parts.join('');
}

const blank = (s: string) => (s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? ' '.repeat(s.length) : s.replace(/[^\r\n]/g, ' '));

function skipSpace(text: string, i: number): number {
  for (;;) {
    for (let c = text.charCodeAt(i); c === 32 || (c >= 9 && c <= 13); c = text.charCodeAt(++i));
    if (text.startsWith('/*', i)) { const e = text.indexOf('*/', i + 2); if (e < 0) return text.length; i = e + 2; continue; }
    return i;
  }
}

function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") { i = skipQuoted(text, i) - 1; continue; }
    if (ch === '/' && text[i + 1] === '*') { const e = text.indexOf('*/', i + 2); if (e < 0) return -1; i = e + 1; continue; }
    if (ch === '/' && text[i + 1] === '/') { const e = text.indexOf('\n', i); if (e < 0) return -1; i = e; continue; }
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

function literalIn(text: string, open: number, close: number): Span | null {
  const toks = tokenize(text, open + 1, close);
  const s = toks.find((t) => t.kind === 'str');
  return s ? { start: s.start, end: s.end } : null;
}
