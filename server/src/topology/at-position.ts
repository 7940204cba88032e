// What the cursor is on in a topology file: the parsed model says where every name, hook,
// program and path is written; the text is only read to find the token under the cursor
// (for keywords, and for completion's view of the line being typed).
import { lexLine, type Token } from './lex';
import type { Attachment, DevKey, Position, Range, Topology } from './model';
import { STATEMENT_KEYWORDS, tokenRange } from './syntax';

export type WhatIsAt =
  | { kind: 'device'; key: DevKey; range: Range }
  | { kind: 'namespace'; name: string; range: Range }
  | { kind: 'program'; name: string; attachment: Attachment; range: Range }
  | { kind: 'hook'; attachment: Attachment; range: Range }
  | { kind: 'path'; index: number; range: Range }
  | { kind: 'keyword'; word: string; range: Range };

/** Words with a meaning of their own after a statement keyword. */
export const ATTRIBUTE_KEYWORDS = [
  'forwarding', 'ports', 'via', 'dev', 'prog', 'file', 'redirect-to', 'priority',
  'ifindex', 'mac', 'mode', 'default', 'icmp', 'udp', 'tcp',
] as const;

/** True when `pos` is inside `r`, its end included (a cursor just after a word is on it). */
export function contains(r: Range, pos: Position): boolean {
  const afterStart = pos.line > r.start.line || (pos.line === r.start.line && pos.character >= r.start.character);
  const beforeEnd = pos.line < r.end.line || (pos.line === r.end.line && pos.character <= r.end.character);
  return afterStart && beforeEnd;
}

/** Inside `r`, its end excluded. */
export function strictlyContains(r: Range, pos: Position): boolean {
  return contains(r, pos) && !(pos.line === r.end.line && pos.character === r.end.character);
}

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character
    && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** The text of one line (without its line break), or undefined past the end. */
export function lineOf(text: string, line: number): string | undefined {
  if (line < 0) return undefined;
  let start = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const s = text.slice(start, end < 0 ? text.length : end);
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}


/** The topology token under the cursor (the one the cursor is in, else the one it just follows). */
export function tokenAt(text: string, position: Position): Token | undefined {
  const line = lineOf(text, position.line);
  if (line === undefined) return undefined;
  const { tokens } = lexLine(line, position.line);
  const ch = position.character;
  return tokens.find((t) => t.start <= ch && ch < t.end) ?? tokens.find((t) => t.end === ch);
}

/** The identifier-like word under the cursor (C identifiers by default), with its range. */
export function wordAt(text: string, position: Position, wordChar = /[A-Za-z0-9_]/): { word: string; range: Range } | undefined {
  const line = lineOf(text, position.line);
  if (line === undefined) return undefined;
  let s = Math.min(position.character, line.length);
  let e = s;
  while (s > 0 && wordChar.test(line[s - 1])) s--;
  while (e < line.length && wordChar.test(line[e])) e++;
  if (s === e) return undefined;
  return { word: line.slice(s, e), range: { start: { line: position.line, character: s }, end: { line: position.line, character: e } } };
}

/** Every token of one line. */
export function lineTokens(text: string, line: number): Token[] {
  const l = lineOf(text, line);
  return l === undefined ? [] : lexLine(l, line).tokens;
}

/** The line up to the cursor, as completion sees it. */
export interface LineContext {
  /** Complete tokens before the cursor. */
  tokens: Token[];
  /** The word being typed (ends at the cursor), if any. */
  partial?: Token;
  /** The cursor is inside an unterminated string: its text so far. */
  inString?: Token;
  /** The cursor is inside a comment. */
  inComment: boolean;
}

export function lineBefore(text: string, position: Position): LineContext {
  const line = lineOf(text, position.line) ?? '';
  const prefix = line.slice(0, Math.max(0, position.character));
  const { tokens, unterminated } = lexLine(prefix, position.line);
  if (unterminated) return { tokens, inString: unterminated, inComment: false };
  const lastEnd = tokens.length ? tokens[tokens.length - 1].end : 0;
  if (prefix.indexOf('#', lastEnd) >= 0) return { tokens, inComment: true };
  const last = tokens[tokens.length - 1];
  if (last && last.end === prefix.length && last.kind === 'word') {
    return { tokens: tokens.slice(0, -1), partial: last, inComment: false };
  }
  return { tokens, inComment: false };
}

/** What the cursor is on: a name (through the model's refs), a hook, a path, a keyword. */
export function whatIsAt(topology: Topology, text: string, position: Position): WhatIsAt | null {
  const refs = topology.refs.filter((r) => contains(r.range, position));
  const ref = refs.find((r) => strictlyContains(r.range, position)) ?? refs[0];
  if (ref) {
    if (ref.kind === 'device') return { kind: 'device', key: ref.target, range: ref.range };
    if (ref.kind === 'namespace') return { kind: 'namespace', name: ref.target, range: ref.range };
    const attachment = topology.attachments.find((a) => sameRange(a.progRange, ref.range));
    if (attachment) return { kind: 'program', name: ref.target, attachment, range: ref.range };
  }
  for (const a of topology.attachments) {
    if (contains(a.hookRange, position)) return { kind: 'hook', attachment: a, range: a.hookRange };
    if (contains(a.progRange, position)) return { kind: 'program', name: a.prog, attachment: a, range: a.progRange };
  }
  const index = topology.paths.findIndex((p) => contains(p.range, position));
  if (index >= 0) return { kind: 'path', index, range: topology.paths[index].range };
  const tok = tokenAt(text, position);
  if (tok && tok.kind === 'word' && ((STATEMENT_KEYWORDS as readonly string[]).includes(tok.text) || (ATTRIBUTE_KEYWORDS as readonly string[]).includes(tok.text))) {
    return { kind: 'keyword', word: tok.text, range: tokenRange(tok) };
  }
  return null;
}
