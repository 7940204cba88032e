// tree-sitter-c does not know libbpf's macros: `SEC("tc") int f(…)` parses as an
// expression statement missing its `;`, `__uint(type, …)` in a map struct and
// `static __always_inline` as errors, and errors slow incremental re-parses. Before parsing
// we overwrite such macros with spaces (or, for map fields, a plain `int name;`) of the same
// length, so every offset, line and column stays where it was, and we keep each section
// macro we blanked: its string is the ELF section that decides the program's type and hook.
import { MacroTable, argumentTexts, expandMacro } from './defines';
import type { Span } from './locations';
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

/**
 * Blank the macros tree-sitter-c cannot parse, keeping the text's length and line breaks.
 * `hidden` (sorted): directive lines and branches the compiler skips, blanked whole.
 */
export function preprocess(text: string, rules: BlankRules, hidden: readonly Span[] = []): Preprocessed {
  const marks: SectionMark[] = [];
  const edits: Array<{ start: number; end: number; keep?: Span }> = [];
  let h = 0;
  // One native regex pass: comments, literals and directives are matched whole (and left
  // alone); only the names we blank stop the scan.
  const scan = rules.scanner();
  scan.lastIndex = 0;
  for (let m = scan.exec(text); m; m = scan.exec(text)) {
    const name = m[1];
    if (!name) continue;
    const s = m.index;
    while (h < hidden.length && hidden[h].end <= s) h++;
    if (h < hidden.length && hidden[h].start <= s) continue;
    const after = s + name.length;
    if (rules.attributes.has(name)) { edits.push({ start: s, end: after }); continue; }
    const fnSection = rules.sectionCalls.has(name) || name === '__attribute__';
    const mapField = MAP_FIELDS.has(name);
    if (fnSection || mapField || ATTRIBUTE_CALLS.has(name)) {
      const open = skipSpace(text, after);
      if (text[open] !== '(') continue;
      const close = matchParen(text, open);
      if (close < 0) continue;
      const end = close + 1;
      scan.lastIndex = end;
      if (mapField) {
        const first = /^\s*([A-Za-z_]\w*)\s*(,|$)/.exec(text.slice(open + 1, close));
        const at = first ? open + 1 + first[0].indexOf(first[1]) : -1;
        edits.push({ start: s, end, keep: first ? { start: at, end: at + first[1].length } : undefined });
      } else if (name === '__attribute__') {
        const inner = text.slice(open + 1, close);
        if (!/\bsection\s*\(/.test(inner)) continue;
        edits.push({ start: s, end });
        marks.push({ macro: name, span: { start: s, end }, section: rules.sectionOf(name, [inner]), literal: literalIn(text, open, close) });
      } else if (fnSection) {
        edits.push({ start: s, end });
        marks.push({ macro: name, span: { start: s, end }, section: rules.sectionOf(name, argumentTexts(text, open, close)), literal: literalIn(text, open, close) });
      } else {
        edits.push({ start: s, end });
      }
      continue;
    }
    if (rules.sectionObjects.has(name)) {
      edits.push({ start: s, end: after });
      marks.push({ macro: name, span: { start: s, end: after }, section: rules.sectionOf(name, null), literal: null });
    }
  }
  if (hidden.length > 0) {
    for (const x of hidden) if (x.end > x.start) edits.push({ start: x.start, end: x.end });
    edits.sort((a, b) => a.start - b.start);
  }
  if (edits.length === 0) return { text, marks };
  const parts: string[] = [];
  let at = 0;
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
  parts.push(text.slice(at));
  return { text: parts.join(''), marks };
}

const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');

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
