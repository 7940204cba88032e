// Preprocessor directives, read from the text before parsing: #define (macros decide what
// to blank, and stand for constants and code), #include "…" (local headers), #undef and the
// conditionals (#if/#ifdef/…/#endif, evaluated by conditionals.ts). tree-sitter would keep
// a macro body as raw text anyway.
import type { Span } from './locations';
import { splitTopLevel, tokenize } from './tokens';

export interface MacroDef {
  name: string;
  /** null for an object-like macro; `__VA_ARGS__` stands for `...`. */
  params: string[] | null;
  /** The replacement text, continuations joined, comments removed. */
  body: string;
  file: string;
  /** The whole directive, and the macro's name. */
  span: Span;
  nameSpan: Span;
}

export interface Include { name: string; local: boolean; span: Span }

export type Directive =
  | { kind: 'define'; span: Span; def: MacroDef }
  | { kind: 'undef'; span: Span; name: string }
  | { kind: 'include'; span: Span; include: Include }
  | { kind: 'if' | 'elif'; span: Span; expr: string }
  | { kind: 'ifdef' | 'ifndef'; span: Span; name: string }
  | { kind: 'else' | 'endif' | 'other'; span: Span };

export interface Directives {
  /** Every directive line, in order. */
  list: Directive[];
  /** All #defines, whether or not their branch is compiled. */
  defines: MacroDef[];
  includes: Include[];
}

const DIRECTIVE = /^[ \t]*#[ \t]*([A-Za-z_]\w*)?/gm;

export function scanDirectives(text: string, file: string): Directives {
  const list: Directive[] = [];
  const defines: MacroDef[] = [];
  const includes: Include[] = [];
  DIRECTIVE.lastIndex = 0;
  for (let m = DIRECTIVE.exec(text); m; m = DIRECTIVE.exec(text)) {
    const lineStart = m.index + m[0].indexOf('#');
    // A directive runs to the first newline not escaped by a backslash.
    let end = m.index + m[0].length;
    for (;;) {
      const nl = text.indexOf('\n', end);
      if (nl < 0) { end = text.length; break; }
      const before = text[nl - 1] === '\r' ? nl - 2 : nl - 1;
      if (text[before] === '\\') { end = nl + 1; continue; }
      end = text[nl - 1] === '\r' ? nl - 1 : nl;
      break;
    }
    DIRECTIVE.lastIndex = Math.max(end, m.index + 1);
    const span = { start: lineStart, end };
    const rest = m.index + m[0].length;
    const arg = () => stripComments(text.slice(rest, end).replace(/\\\r?\n/g, ' ')).trim();
    switch (m[1]) {
      case 'define': {
        const def = parseDefine(text, rest, end, file);
        if (def) { def.span = span; defines.push(def); list.push({ kind: 'define', span, def }); } else list.push({ kind: 'other', span });
        break;
      }
      case 'include': {
        const inc = /^\s*(["<])([^">\n]+)[">]/.exec(text.slice(rest, end));
        if (inc) {
          const include = { name: inc[2].trim(), local: inc[1] === '"', span };
          includes.push(include);
          list.push({ kind: 'include', span, include });
        } else list.push({ kind: 'other', span });
        break;
      }
      case 'undef': list.push({ kind: 'undef', span, name: arg().split(/\s/)[0] }); break;
      case 'if': case 'elif': list.push({ kind: m[1], span, expr: arg() }); break;
      case 'ifdef': case 'ifndef': list.push({ kind: m[1], span, name: arg().split(/\s/)[0] }); break;
      case 'else': case 'endif': list.push({ kind: m[1], span }); break;
      default: list.push({ kind: 'other', span });
    }
  }
  return { list, defines, includes };
}

function parseDefine(text: string, from: number, end: number, file: string): MacroDef | null {
  const src = text.slice(from, end);
  const head = /^[ \t]+([A-Za-z_$][\w$]*)/.exec(src);
  if (!head) return null;
  const name = head[1];
  const nameStart = from + head[0].length - name.length;
  let i = head[0].length;
  let params: string[] | null = null;
  if (src[i] === '(') {
    const close = src.indexOf(')', i);
    if (close < 0) return null;
    params = src.slice(i + 1, close).split(',').map((p) => p.replace(/\\\r?\n/g, '').trim()).filter((p) => p.length > 0)
      .map((p) => (p === '...' ? '__VA_ARGS__' : p.replace(/\.\.\.$/, '')));
    i = close + 1;
  }
  const body = stripComments(src.slice(i).replace(/\\\r?\n/g, ' ')).trim();
  return { name, params, body, file, span: { start: from, end }, nameSpan: { start: nameStart, end: nameStart + name.length } };
}

function stripComments(s: string): string {
  if (!s.includes('/')) return s;
  return s.replace(/\/\*[\s\S]*?\*\/|\/\/.*$|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')/gm, (_m, q?: string) => q ?? ' ');
}

/** The macros visible to one analysis. */
export class MacroTable {
  private readonly map = new Map<string, MacroDef>();

  /** Add definitions that do not replace earlier ones (for tests and tools without conditionals). */
  add(defs: Iterable<MacroDef>): void {
    for (const d of defs) if (!this.map.has(d.name)) this.map.set(d.name, d);
  }

  /** #define in compilation order: a later definition replaces an earlier one. */
  define(def: MacroDef): void { this.map.set(def.name, def); }

  undefine(name: string): void { this.map.delete(name); }

  get(name: string): MacroDef | undefined { return this.map.get(name); }
  has(name: string): boolean { return this.map.has(name); }
  values(): IterableIterator<MacroDef> { return this.map.values(); }

  /** An object-like macro that only renames: `#define ctx_redirect_peer mock_redirect_peer`. */
  alias(name: string): string | undefined {
    const d = this.map.get(name);
    if (!d || d.params || !/^[A-Za-z_$][\w$]*$/.test(d.body)) return undefined;
    return d.body;
  }
}

/** Substitute arguments into a function-like macro's body (`#x` stringifies, `a ## b` pastes). */
export function expandMacro(def: MacroDef, args: readonly string[]): string {
  const params = def.params ?? [];
  const toks = tokenize(def.body);
  const argFor = (name: string): string | undefined => {
    if (name === '__VA_ARGS__' && params.includes('__VA_ARGS__')) return args.slice(params.indexOf('__VA_ARGS__')).join(', ');
    const i = params.indexOf(name);
    return i < 0 ? undefined : (args[i] ?? '').trim();
  };
  let out = '';
  let paste = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'punct' && t.text === '##') { paste = true; continue; }
    if (t.kind === 'punct' && t.text === '#' && toks[i + 1]?.kind === 'id' && argFor(toks[i + 1].text) !== undefined) {
      out += (out && !paste ? ' ' : '') + JSON.stringify(argFor(toks[i + 1].text));
      i++;
      paste = false;
      continue;
    }
    const piece = t.kind === 'id' ? argFor(t.text) ?? t.text : t.text;
    out += (out && !paste ? ' ' : '') + piece;
    paste = false;
  }
  return out;
}

/** The argument texts of a call spelled in `text` between its parentheses. */
export function argumentTexts(text: string, open: number, close: number): string[] {
  const toks = tokenize(text, open + 1, close);
  if (toks.length === 0) return [];
  return splitTopLevel(toks, 0, toks.length).map(([a, b]) => (a < b ? text.slice(toks[a].start, toks[b - 1].end) : ''));
}
