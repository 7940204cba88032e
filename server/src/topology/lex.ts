// Splits one line of a topology file into tokens with exact columns.
// Tokens are separated by white space; `"..."` is one token; `#` outside a string ends the line;
// `->` and `=>` split words because `>` can never be part of a NAME.

export type TokenKind = 'word' | 'string' | 'arrow' | 'fat-arrow' | 'pair';

export interface Token {
  kind: TokenKind;
  /** The text; for strings, without the quotes. */
  text: string;
  line: number;
  start: number;
  end: number;
}

/** White space, `#` and `"` end a word. */
const STOP = new Set([' ', '\t', '\r', '\v', '\f', '#', '"'].map((c) => c.charCodeAt(0)));

export interface LexResult { tokens: Token[]; unterminated?: Token }

export function lexLine(text: string, line: number): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    // Every STOP character but `#` and `"` is white space (\v and \f too: else the word loop below never advances).
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\v' || ch === '\f') { i++; continue; }
    if (ch === '#') break;
    if (ch === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) {
        const tok: Token = { kind: 'string', text: text.slice(i + 1), line, start: i, end: text.length };
        return { tokens, unterminated: tok };
      }
      tokens.push({ kind: 'string', text: text.slice(i + 1, close), line, start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !STOP.has(text.charCodeAt(j))) j++;
    pushWord(tokens, text.slice(i, j), line, i);
    i = j;
  }
  return { tokens };
}

function pushWord(tokens: Token[], word: string, line: number, start: number): void {
  if (word === '--') { tokens.push({ kind: 'pair', text: word, line, start, end: start + 2 }); return; }
  const re = /->|=>/g;
  let last = 0;
  for (let m = re.exec(word); m; m = re.exec(word)) {
    if (m.index > last) tokens.push({ kind: 'word', text: word.slice(last, m.index), line, start: start + last, end: start + m.index });
    tokens.push({ kind: m[0] === '->' ? 'arrow' : 'fat-arrow', text: m[0], line, start: start + m.index, end: start + m.index + 2 });
    last = m.index + 2;
  }
  if (last < word.length) tokens.push({ kind: 'word', text: word.slice(last), line, start: start + last, end: start + word.length });
}
