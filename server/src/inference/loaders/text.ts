// Source-text helpers shared by the loader scanners: offsets → LSP positions, comment
// blanking that keeps every offset, string literals with an offset map, bracket matching.
// The scanners are textual on purpose (no parser), so these helpers have to be tolerant:
// an unterminated string or bracket ends at the end of the text instead of failing.

// One line index for the analysis and the loader scanners (same offsets, same positions).
export { LineIndex } from '../../ebpf/locations';

export type CommentStyle = 'c' | 'go' | 'python';

/**
 * Replaces comments with spaces (newlines kept), so that offsets stay valid and a word in a
 * comment ("attaching to the TC ingress ONLY") is never taken for code. Strings are kept.
 */
export function blankComments(text: string, style: CommentStyle): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (style === 'python') {
      if (c === '#') {
        const e = lineEnd(text, i);
        blank(i, e);
        i = e;
        continue;
      }
      if (c === '"' || c === "'") {
        i = skipPythonString(text, i);
        continue;
      }
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const e = lineEnd(text, i);
      blank(i, e);
      i = e;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const e = close < 0 ? n : close + 2;
      blank(i, e);
      i = e;
      continue;
    }
    if (c === '"' || c === "'" || (c === '`' && style === 'go')) {
      i = skipQuoted(text, i);
      continue;
    }
    i++;
  }
  return out.join('');
}

function lineEnd(text: string, i: number): number {
  const e = text.indexOf('\n', i);
  return e < 0 ? text.length : e;
}

/** Index just past a C/Go quoted literal starting at `i` (backtick = Go raw string). */
export function skipQuoted(text: string, i: number): number {
  const q = text[i];
  let k = i + 1;
  while (k < text.length) {
    const c = text[k];
    if (c === '\\' && q !== '`') { k += 2; continue; }
    if (c === q) return k + 1;
    // C and Go strings end at a newline when unterminated: keeps one bad quote local.
    if (c === '\n' && q !== '`') return k;
    k++;
  }
  return text.length;
}

/** Index just past the string literal at `i` in the given language. */
export function skipString(text: string, i: number, style: CommentStyle): number {
  return style === 'python' ? skipPythonString(text, i) : skipQuoted(text, i);
}

function skipPythonString(text: string, i: number): number {
  const q = text[i];
  const triple = text.startsWith(q + q + q, i);
  const closeTok = triple ? q + q + q : q;
  let k = i + closeTok.length;
  while (k < text.length) {
    if (text[k] === '\\') { k += 2; continue; }
    if (text.startsWith(closeTok, k)) return k + closeTok.length;
    if (!triple && text[k] === '\n') return k;
    k++;
  }
  return text.length;
}

/** A decoded string literal; `map[i]` is the source offset of decoded char i (length + 1 entries). */
export interface StringLit {
  start: number;
  end: number;
  value: string;
  map: number[];
}

/**
 * Every string literal of a comment-blanked text, decoded. C's adjacent literals
 * ("tc filter " "add ...") are merged, as the compiler does.
 */
export function stringLiterals(text: string, style: CommentStyle): StringLit[] {
  const lits: StringLit[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"' || c === "'" || (c === '`' && style === 'go')) {
      // Python string prefixes (r, b, f, rb...) decide whether escapes apply.
      let raw = c === '`';
      if (style === 'python') {
        let p = i - 1;
        while (p >= 0 && /[rRbBfFuU]/.test(text[p])) p--;
        if (/[rR]/.test(text.slice(p + 1, i)) && (p < 0 || !/\w/.test(text[p]))) raw = true;
      }
      const lit = decodeLiteral(text, i, style, raw);
      if (style !== 'c' || c === '"') lits.push(lit);
      if (style === 'c' && c === '"') {
        // merge "a" "b" (only whitespace between)
        let k = lit.end;
        for (;;) {
          while (k < n && /\s/.test(text[k])) k++;
          if (text[k] !== '"') break;
          const next = decodeLiteral(text, k, style, false);
          const last = lits[lits.length - 1];
          last.map.pop();
          last.value += next.value;
          last.map.push(...next.map);
          last.end = next.end;
          k = next.end;
        }
        i = lits[lits.length - 1].end;
        continue;
      }
      i = lit.end;
      continue;
    }
    i++;
  }
  return lits;
}

function decodeLiteral(text: string, i: number, style: CommentStyle, raw: boolean): StringLit {
  const q = text[i];
  const triple = style === 'python' && text.startsWith(q + q + q, i);
  const closeTok = triple ? q + q + q : q;
  let k = i + closeTok.length;
  let value = '';
  const map: number[] = [];
  while (k < text.length) {
    if (text.startsWith(closeTok, k)) {
      map.push(k);
      return { start: i, end: k + closeTok.length, value, map };
    }
    const c = text[k];
    if (c === '\n' && !triple && q !== '`') break;
    if (c === '\\' && !raw && k + 1 < text.length) {
      const e = text[k + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0', '\n': '' };
      if (e in simple) {
        if (simple[e] !== '') { value += simple[e]; map.push(k); }
        k += 2;
        continue;
      }
      if (e === 'x') {
        const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(k + 2, k + 4));
        if (m) { value += String.fromCharCode(parseInt(m[0], 16)); map.push(k); k += 2 + m[0].length; continue; }
      }
      value += e;
      map.push(k);
      k += 2;
      continue;
    }
    value += c;
    map.push(k);
    k++;
  }
  map.push(k);
  return { start: i, end: k, value, map };
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Index of the bracket closing the one at `open` (strings skipped), or text.length when
 * unbalanced. `text` should be comment-blanked.
 */
export function matchBracket(text: string, open: number, style: CommentStyle = 'c'): number {
  const stack: string[] = [];
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'" || (c === '`' && style === 'go')) {
      i = style === 'python' ? skipPythonString(text, i) : skipQuoted(text, i);
      continue;
    }
    if (c in OPEN) stack.push(OPEN[c]);
    else if (c === ')' || c === ']' || c === '}') {
      // A stray closer of another kind closes everything up to its opener (tolerance).
      while (stack.length && stack[stack.length - 1] !== c) stack.pop();
      stack.pop();
      if (stack.length === 0) return i;
    }
    i++;
  }
  return text.length;
}

export interface Arg { text: string; start: number; end: number }

/** The top-level comma-separated items between the bracket at `open` and its closer. */
export function splitArgs(text: string, open: number, style: CommentStyle = 'c'): { args: Arg[]; close: number } {
  const close = matchBracket(text, open, style);
  const args: Arg[] = [];
  let depth = 0;
  let itemStart = open + 1;
  const push = (end: number) => {
    const raw = text.slice(itemStart, end);
    const lead = raw.length - raw.trimStart().length;
    const t = raw.trim();
    if (t || args.length || end < close) args.push({ text: t, start: itemStart + lead, end: itemStart + lead + t.length });
  };
  let i = open + 1;
  while (i < close) {
    const c = text[i];
    if (c === '"' || c === "'" || (c === '`' && style === 'go')) {
      i = style === 'python' ? skipPythonString(text, i) : skipQuoted(text, i);
      continue;
    }
    if (c in OPEN) depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      push(i);
      itemStart = i + 1;
    }
    i++;
  }
  push(close);
  // `f(a, b,)` leaves an empty last item: drop it.
  if (args.length && args[args.length - 1].text === '') args.pop();
  return { args, close };
}

/** `.field = value` items of a C designated initializer list, or `Field: value` of a Go literal. */
export function keyedFields(args: Arg[], sep: '=' | ':'): Map<string, Arg> {
  const fields = new Map<string, Arg>();
  const re = sep === '=' ? /^\.\s*([A-Za-z_]\w*)\s*=(?!=)\s*/ : /^([A-Za-z_]\w*)\s*:(?!=)\s*/;
  for (const a of args) {
    const m = re.exec(a.text);
    if (m) fields.set(m[1], { text: a.text.slice(m[0].length).trim(), start: a.start + m[0].length, end: a.end });
  }
  return fields;
}

/** Offsets of the top-level `{...}` blocks (function bodies), to prefer same-function assignments. */
export function topLevelBlocks(text: string, style: CommentStyle): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'" || (c === '`' && style === 'go')) {
      i = style === 'python' ? skipPythonString(text, i) : skipQuoted(text, i);
      continue;
    }
    if (c === '{') {
      const close = matchBracket(text, i, style);
      blocks.push([i, close]);
      i = close + 1;
      continue;
    }
    i++;
  }
  return blocks;
}

export function blockOf(blocks: Array<[number, number]>, offset: number): number {
  for (let b = 0; b < blocks.length; b++) if (blocks[b][0] <= offset && offset <= blocks[b][1]) return b;
  return -1;
}

/** Collapses whitespace runs so that a multi-line call reads as one line in `detail`. */
export function oneLine(s: string, max = 160): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function basename(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1];
}
