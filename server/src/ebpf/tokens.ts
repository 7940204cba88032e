// C tokens over a span of text, for the places where the analysis reads text rather than
// the syntax tree: `#define` bodies, macro expansion, and expressions whose structure the
// tree already delimited. Comments and line continuations are skipped.

export type TokenKind = 'id' | 'num' | 'str' | 'chr' | 'punct';

export interface Token { kind: TokenKind; text: string; start: number; end: number }

const PUNCT3 = new Set(['>>=', '<<=', '...']);
const PUNCT2 = new Set([
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=', '##',
]);

const MULTI_START = new Set([...PUNCT2, ...PUNCT3].map((p) => p.charCodeAt(0)));
// Interned one-character punctuators: no new string per token.
const PUNCT1: Record<number, string> = {};
for (const ch of '()[]{};,.+-*/%<>=!&|^~?:#') PUNCT1[ch.charCodeAt(0)] = ch;

const isIdStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
const isIdPart = (c: number) => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

export function tokenize(text: string, start = 0, end = text.length): Token[] {
  const out: Token[] = [];
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) { i++; continue; }
    if (c === 92 /* \ */ && (text[i + 1] === '\n' || text[i + 1] === '\r')) { i += 2; continue; }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 || nl > end ? end : nl;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 || close + 2 > end ? end : close + 2;
      continue;
    }
    const s = i;
    if (isIdStart(c)) {
      i++;
      while (i < end && isIdPart(text.charCodeAt(i))) i++;
      // L"..", u8"..": a prefixed literal, not an identifier.
      if (i < end && (text[i] === '"' || text[i] === "'") && /^(L|u8?|U)$/.test(text.slice(s, i))) {
        const quote = text[i];
        i = skipQuoted(text, i, end);
        out.push({ kind: quote === "'" ? 'chr' : 'str', text: text.slice(s, i), start: s, end: i });
        continue;
      }
      out.push({ kind: 'id', text: text.slice(s, i), start: s, end: i });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i++;
      while (i < end) {
        const d = text.charCodeAt(i);
        if (isIdPart(d) || d === 46) { i++; continue; }
        // exponent sign: 1e+5, 0x1p-3
        if ((d === 43 || d === 45) && /[eEpP]/.test(text[i - 1]) && !/^0[xX][0-9a-fA-F]*[eE]$/.test(text.slice(s, i))) { i++; continue; }
        break;
      }
      out.push({ kind: 'num', text: text.slice(s, i), start: s, end: i });
      continue;
    }
    if (c === 34 || c === 39) {
      i = skipQuoted(text, i, end);
      out.push({ kind: c === 34 ? 'str' : 'chr', text: text.slice(s, i), start: s, end: i });
      continue;
    }
    // Punctuators: try three, then two characters, only where one can start.
    if (MULTI_START.has(c) && i + 1 < end) {
      const three = i + 3 <= end ? text.slice(i, i + 3) : '';
      if (PUNCT3.has(three)) { out.push({ kind: 'punct', text: three, start: i, end: i + 3 }); i += 3; continue; }
      const two = text.slice(i, i + 2);
      if (PUNCT2.has(two)) { out.push({ kind: 'punct', text: two, start: i, end: i + 2 }); i += 2; continue; }
    }
    out.push({ kind: 'punct', text: PUNCT1[c] ?? text[i], start: i, end: i + 1 });
    i++;
  }
  return out;
}

/** From an opening quote to just past its closing quote (or the end of the line). */
export function skipQuoted(text: string, i: number, end = text.length): number {
  const q = text[i];
  i++;
  while (i < end) {
    const ch = text[i];
    if (ch === '\\') { i += 2; continue; }
    if (ch === q) return i + 1;
    if (ch === '\n') return i;
    i++;
  }
  return end;
}

/** Index of the token closing the bracket opened at `open`, or -1. */
export function matchBracket(toks: readonly Token[], open: number): number {
  const o = toks[open].text;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const t = toks[i].text;
    if (toks[i].kind !== 'punct') continue;
    if (t === o) depth++;
    else if (t === c && --depth === 0) return i;
  }
  return -1;
}

/** Split tokens [from, to) at top-level commas. */
export function splitTopLevel(toks: readonly Token[], from: number, to: number, sep = ','): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let s = from;
  for (let i = from; i < to; i++) {
    const t = toks[i];
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    else if (t.text === sep && depth === 0) { parts.push([s, i]); s = i + 1; }
  }
  if (to > s || parts.length > 0) parts.push([s, to]);
  return parts;
}

/** Decode a C string literal token ("a\"b" → a"b); prefixes are dropped. */
export function decodeString(tok: string): string {
  const q = tok.indexOf('"');
  const body = tok.slice(q + 1, tok.endsWith('"') ? -1 : undefined);
  return body.replace(/\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}
