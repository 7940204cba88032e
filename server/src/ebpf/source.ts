// One parsed C text (the analyzed file or a local header it includes): the blanked text
// tree-sitter saw, its trees (one per chunk, chunks.ts), and what the analysis looks up in it:
// function definitions, enumerators and `const` globals. Only top-level nodes are visited
// (with a cursor: every node fetched from the WebAssembly tree costs), once per chunk, and a
// function's events are read from its tokens on first use.
import type { EnumList, GlobalConst } from './constants';
import { scanEvents, type BodyEvent } from './events';
import { LineIndex, type Loc, type Span } from './locations';
import type { Node, Tree } from './parser';
import type { Chunk, ChunkItem, FunctionHead } from './chunks';
import type { Change, SectionMark } from './preprocess';
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

/**
 * The function definition last made from a chunk item. An item is kept while its chunk's text
 * is unchanged (and belongs to one document's file), so its definition is reused, moved with
 * the chunk: a source file holds the definitions of its last analysis only.
 */
const definitions = new WeakMap<ChunkItem, FunctionDef>();

export class SourceFile {
  readonly lines: LineIndex;
  readonly functions: FunctionDef[] = [];
  readonly enums: EnumList[] = [];
  readonly consts = new Map<string, GlobalConst>();
  private readonly bodies = new Map<FunctionDef, Body>();
  private helperNames: string[] | null = null;
  /** Whether the text has `BPF_FUNC` anywhere (null: not looked yet). */
  private hasBpfFunc: boolean | null = null;

  /**
   * @param text the text as written; `blanked` is what was parsed (same length), in `chunks`.
   * The trees stay owned by the caller, which deletes them. A chunk's items are read once.
   */
  constructor(
    readonly file: string,
    readonly text: string,
    readonly blanked: string,
    readonly marks: readonly SectionMark[],
    readonly chunks: readonly Chunk[],
    private readonly cache: BodyCache = new BodyCache(),
    opts: { lines?: LineIndex; helpers?: { prev: SourceFile; change: Change } } = {},
  ) {
    this.lines = opts.lines ?? new LineIndex(text);
    // No BPF_FUNC before, and none where the text changed: none now.
    const h = opts.helpers;
    if (h && h.prev.hasBpfFunc === false && !text.slice(Math.max(0, h.change.start - 8), h.change.newEnd + 8).includes('BPF_FUNC')) {
      this.hasBpfFunc = false;
    }
    for (const chunk of chunks) {
      chunk.items ??= this.readChunk(chunk);
      const at = chunk.start;
      for (const it of chunk.items) {
        if (it.kind === 'decl') {
          this.enums.push(...it.enums);
          for (const c of it.consts) if (!this.consts.has(c.name)) this.consts.set(c.name, c);
        } else if (it.head) {
          // The definition made from this item before, moved to where its chunk is now.
          let fn = definitions.get(it);
          if (fn) {
            const delta = at + it.start - fn.span.start;
            if (delta !== 0) for (const x of [fn.span, fn.nameSpan, fn.body]) { x.start += delta; x.end += delta; }
            fn.source = this;
          } else {
            const h = it.head;
            fn = {
              name: h.name, source: this,
              span: { start: at + it.start, end: at + it.bodyEnd },
              nameSpan: { start: at + h.nameStart, end: at + h.nameEnd },
              body: { start: at + it.bodyStart, end: at + it.bodyEnd },
              params: h.params, paramTexts: h.paramTexts,
            };
            definitions.set(it, fn);
          }
          this.functions.push(fn);
        }
      }
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

  /** The syntax tree holding an offset, and the offset its positions count from. */
  syntaxAt(offset: number): { root: Node; offset: number } {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid].start <= offset) lo = mid; else hi = mid - 1;
    }
    return { root: chunks[lo].tree.rootNode, offset: chunks[lo].start };
  }

  /** Helpers Cilium declares under their short names: `static int BPF_FUNC(redirect, …)`. */
  get shortHelpers(): readonly string[] {
    if (!this.helperNames) {
      this.helperNames = [];
      this.hasBpfFunc ??= this.text.includes('BPF_FUNC');
      if (this.hasBpfFunc) for (const m of this.text.matchAll(/\bBPF_FUNC(?:_REMAP)?\s*\(\s*([A-Za-z_]\w*)/g)) this.helperNames.push(m[1]);
    }
    return this.helperNames;
  }

  /** The top-level items of a chunk (offsets from its start). */
  private readChunk(chunk: Chunk): ChunkItem[] {
    const items: ChunkItem[] = [];
    const cursor = chunk.tree.walk();
    try {
      if (cursor.gotoFirstChild()) this.scanLevel(cursor, 0, chunk.start, items);
    } finally {
      cursor.delete();
    }
    return items;
  }

  private scanLevel(cursor: ReturnType<Tree['walk']>, depth: number, at: number, items: ChunkItem[]): void {
    do {
      const type = cursor.nodeType;
      if (type === 'function_definition') {
        const start = cursor.startIndex;
        // The body is the definition's last child (a compound_statement).
        if (cursor.gotoLastChild()) {
          if (cursor.nodeType === 'compound_statement') {
            const bodyStart = cursor.startIndex;
            const bodyEnd = cursor.endIndex;
            items.push({ kind: 'function', start, bodyStart, bodyEnd, head: this.functionHead(at + start, at + bodyStart, at) });
          }
          cursor.gotoParent();
        }
      }
      else if (CONTAINERS.has(type) && depth < 8) {
        if (cursor.gotoFirstChild()) { this.scanLevel(cursor, depth + 1, at, items); cursor.gotoParent(); }
      } else if (type === 'declaration' || type === 'type_definition' || type === 'enum_specifier') {
        const start = at + cursor.startIndex;
        const end = at + cursor.endIndex;
        const text = this.blanked.slice(start, end);
        const enums = /\benum\b/.test(text) && text.includes('{') ? this.enumsIn(start, end) : [];
        const consts = type === 'declaration' && /\bconst\b/.test(text) && !/\bvolatile\b|\bextern\b/.test(text) ? this.constsIn(start, end) : [];
        if (enums.length > 0 || consts.length > 0) items.push({ kind: 'decl', enums, consts });
      }
    } while (cursor.gotoNextSibling());
  }

  /** A definition's name and parameters, read from the tokens before its body (name offsets from `at`). */
  private functionHead(start: number, bodyStart: number, at: number): FunctionHead | null {
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
    if (open < 1) return null;
    const close = matchBracket(head, open);
    const nameTok = head[open - 1];
    const params = close > open + 1 ? splitTopLevel(head, open + 1, close) : [];
    const paramToks = params.map(([a, b]) => head.slice(a, b));
    return {
      name: nameTok.text,
      nameStart: nameTok.start - at,
      nameEnd: nameTok.end - at,
      params: paramToks.map(paramName),
      paramTexts: paramToks.map((t) => (t.length ? this.text.slice(t[0].start, t[t.length - 1].end) : '')),
    };
  }

  /** Every `{ A, B = 5, C }` enumerator list in a top-level declaration. */
  private enumsIn(start: number, end: number): EnumList[] {
    const out: EnumList[] = [];
    const toks = tokenize(this.blanked, start, end);
    for (let i = 0; i < toks.length; i++) {
      if (toks[i].text !== 'enum') continue;
      let j = i + 1;
      if (toks[j]?.kind === 'id') j++;
      if (toks[j]?.text !== '{') continue;
      const close = matchBracket(toks, j);
      if (close < 0) return out;
      const entries: EnumList['entries'] = [];
      for (const [a, b] of splitTopLevel(toks, j + 1, close)) {
        if (a >= b || toks[a].kind !== 'id') continue;
        const eq = toks[a + 1]?.text === '=' && a + 2 < b;
        entries.push({ name: toks[a].text, expr: eq ? this.blanked.slice(toks[a + 2].start, toks[b - 1].end) : null });
      }
      out.push({ entries });
      i = close;
    }
    return out;
  }

  /** `const` globals; `const volatile` ones are set by the loader at load time, so not constants. */
  private constsIn(start: number, end: number): GlobalConst[] {
    const out: GlobalConst[] = [];
    const toks = tokenize(this.blanked, start, end);
    const stop = toks[toks.length - 1]?.text === ';' ? toks.length - 1 : toks.length;
    for (const [a, b] of splitTopLevel(toks, 0, stop)) {
      let eq = -1;
      for (let i = a; i < b; i++) if (toks[i].text === '=') { eq = i; break; }
      if (eq < 0 || eq + 1 >= b || toks[eq + 1].text === '{' || toks[eq + 1].kind === 'str') continue;
      const name = lastIdentifier(toks.slice(a, eq));
      if (name && !out.some((c) => c.name === name)) out.push({ name, expr: this.blanked.slice(toks[eq + 1].start, toks[b - 1].end) });
    }
    return out;
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
