// One parsed C text (the analyzed file or a local header it includes): the blanked text
// tree-sitter saw, its tree, and what the analysis looks up in it: function definitions,
// enumerators and `const` globals. Only top-level nodes are visited (with a cursor: every
// node fetched from the WebAssembly tree costs), and a function's events are read from its
// tokens on first use.
import type { EnumList, GlobalConst } from './constants';
import { scanEvents, type BodyEvent } from './events';
import { LineIndex, type Loc, type Span } from './locations';
import type { Tree } from './parser';
import type { SectionMark } from './preprocess';
import { matchBracket, splitTopLevel, tokenize, type Token } from './tokens';

export interface FunctionDef {
  name: string;
  source: SourceFile;
  span: Span;
  nameSpan: Span;
  body: Span;
  /** Parameter names in order ('' for an unnamed one). */
  params: string[];
  /** Each parameter's declaration text (`struct __sk_buff *skb`). */
  paramTexts: string[];
}

/**
 * A function body read once: its text, tokens and what it does, with offsets from the
 * body's start, so that an unchanged body is reused after edits elsewhere in the file.
 */
export interface Body { text: string; toks: Token[]; events: BodyEvent[] }

/** Bodies by text, kept by a document across analyses. */
export class BodyCache {
  private map = new Map<string, Body>();
  private used = new Map<string, Body>();

  get(text: string): Body {
    let b = this.used.get(text) ?? this.map.get(text);
    if (!b) {
      const toks = tokenize(text);
      b = { text, toks, events: scanEvents(toks) };
    }
    this.used.set(text, b);
    return b;
  }

  /** Forget the bodies the last analysis did not read. */
  sweep(): void {
    this.map = this.used;
    this.used = new Map();
  }
}

// Nodes whose children are top-level items too: conditional compilation, error recovery.
const CONTAINERS = new Set(['preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'ERROR', 'linkage_specification', 'declaration_list']);

export class SourceFile {
  readonly lines: LineIndex;
  readonly functions: FunctionDef[] = [];
  readonly enums: EnumList[] = [];
  readonly consts = new Map<string, GlobalConst>();
  private readonly bodies = new Map<FunctionDef, Body>();

  /**
   * @param text the text as written; `blanked` is what was parsed (same length).
   * The tree stays owned by the caller, which deletes it.
   */
  constructor(
    readonly file: string,
    readonly text: string,
    readonly blanked: string,
    readonly marks: readonly SectionMark[],
    readonly tree: Tree,
    private readonly cache: BodyCache = new BodyCache(),
  ) {
    this.lines = new LineIndex(text);
    const cursor = tree.walk();
    try {
      if (cursor.gotoFirstChild()) this.scanLevel(cursor, 0);
    } finally {
      cursor.delete();
    }
  }

  loc(span: Span): Loc {
    return { file: this.file, range: this.lines.range(span.start, span.end) };
  }

  /** The body's tokens and events (calls, assignments, returns) in evaluation order. */
  body(fn: FunctionDef): Body {
    let b = this.bodies.get(fn);
    if (!b) {
      b = this.cache.get(this.blanked.slice(fn.body.start, fn.body.end));
      this.bodies.set(fn, b);
    }
    return b;
  }

  private scanLevel(cursor: ReturnType<Tree['walk']>, depth: number): void {
    do {
      const type = cursor.nodeType;
      if (type === 'function_definition') {
        const start = cursor.startIndex;
        // The body is the definition's last child (a compound_statement).
        if (cursor.gotoLastChild()) {
          if (cursor.nodeType === 'compound_statement') this.addFunction(start, cursor.startIndex, cursor.endIndex);
          cursor.gotoParent();
        }
      }
      else if (CONTAINERS.has(type) && depth < 8) {
        if (cursor.gotoFirstChild()) { this.scanLevel(cursor, depth + 1); cursor.gotoParent(); }
      } else if (type === 'declaration' || type === 'type_definition' || type === 'enum_specifier') {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        const text = this.blanked.slice(start, end);
        if (/\benum\b/.test(text) && text.includes('{')) this.addEnums(start, end);
        if (type === 'declaration' && /\bconst\b/.test(text) && !/\bvolatile\b|\bextern\b/.test(text)) this.addConsts(start, end);
      }
    } while (cursor.gotoNextSibling());
  }

  private addFunction(start: number, bodyStart: number, bodyEnd: number): void {
    const head = tokenize(this.blanked, start, bodyStart);
    // The parameter list is the last top-level parenthesized group after a name.
    let open = -1;
    for (let i = 0; i < head.length; i++) {
      if (head[i].text !== '(' || head[i].kind !== 'punct') continue;
      const close = matchBracket(head, i);
      if (close < 0) break;
      if (i > 0 && head[i - 1].kind === 'id') open = i;
      i = close;
    }
    if (open < 1) return;
    const close = matchBracket(head, open);
    const nameTok = head[open - 1];
    const params = close > open + 1 ? splitTopLevel(head, open + 1, close) : [];
    const paramToks = params.map(([a, b]) => head.slice(a, b));
    this.functions.push({
      name: nameTok.text,
      source: this,
      span: { start, end: bodyEnd },
      nameSpan: { start: nameTok.start, end: nameTok.end },
      body: { start: bodyStart, end: bodyEnd },
      params: paramToks.map(paramName),
      paramTexts: paramToks.map((t) => (t.length ? this.text.slice(t[0].start, t[t.length - 1].end) : '')),
    });
  }

  /** Every `{ A, B = 5, C }` enumerator list in a top-level declaration. */
  private addEnums(start: number, end: number): void {
    const toks = tokenize(this.blanked, start, end);
    for (let i = 0; i < toks.length; i++) {
      if (toks[i].text !== 'enum') continue;
      let j = i + 1;
      if (toks[j]?.kind === 'id') j++;
      if (toks[j]?.text !== '{') continue;
      const close = matchBracket(toks, j);
      if (close < 0) return;
      const entries: EnumList['entries'] = [];
      for (const [a, b] of splitTopLevel(toks, j + 1, close)) {
        if (a >= b || toks[a].kind !== 'id') continue;
        const eq = toks[a + 1]?.text === '=' && a + 2 < b;
        entries.push({ name: toks[a].text, expr: eq ? this.blanked.slice(toks[a + 2].start, toks[b - 1].end) : null });
      }
      this.enums.push({ entries });
      i = close;
    }
  }

  /** `const` globals; `const volatile` ones are set by the loader at load time, so not constants. */
  private addConsts(start: number, end: number): void {
    const toks = tokenize(this.blanked, start, end);
    const stop = toks[toks.length - 1]?.text === ';' ? toks.length - 1 : toks.length;
    for (const [a, b] of splitTopLevel(toks, 0, stop)) {
      let eq = -1;
      for (let i = a; i < b; i++) if (toks[i].text === '=') { eq = i; break; }
      if (eq < 0 || eq + 1 >= b || toks[eq + 1].text === '{' || toks[eq + 1].kind === 'str') continue;
      const name = lastIdentifier(toks.slice(a, eq));
      if (name && !this.consts.has(name)) this.consts.set(name, { name, expr: this.blanked.slice(toks[eq + 1].start, toks[b - 1].end) });
    }
  }
}

function lastIdentifier(toks: Token[]): string | null {
  let depth = 0;
  for (let i = toks.length - 1; i >= 0; i--) {
    const t = toks[i];
    if (t.text === ']') depth++;
    else if (t.text === '[') depth--;
    else if (depth === 0 && t.kind === 'id') return t.text;
  }
  return null;
}

function paramName(toks: Token[]): string {
  if (toks.length <= 1) return '';
  // A function-pointer parameter: int (*cb)(int)
  const star = toks.findIndex((t, i) => t.text === '(' && toks[i + 1]?.text === '*' && toks[i + 2]?.kind === 'id');
  if (star >= 0) return toks[star + 2].text;
  return lastIdentifier(toks) ?? '';
}
