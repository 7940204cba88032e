// What a function body does, as a flat list in evaluation order: calls, assignments,
// returns. Read from the body's tokens (tree-sitter delimits the body): a wrapper inlined at
// a hundred call sites is then walked in JavaScript, without going back into the
// WebAssembly tree each time, and a macro expansion needs no parse at all.
import type { Span } from './locations';
import type { Token } from './tokens';

/** A run of tokens [from, to) of the scanned token list. */
export type TokRange = readonly [number, number];

export interface CallEvent {
  kind: 'call';
  span: Span;
  /** The callee when it is a plain identifier, as written. */
  callee: string | null;
  args: TokRange[];
  /** Between the parentheses. */
  inner: Span;
}
export interface ReturnEvent { kind: 'return'; span: Span; value: TokRange | null }
export interface AssignEvent {
  kind: 'assign';
  span: Span;
  /** The variable assigned or declared, when the left side is a plain name. */
  target: string | null;
  targetSpan: Span;
  /** `=`, `|=`, … */
  op: string;
  value: TokRange | null;
}
export interface UpdateEvent { kind: 'update'; span: Span; target: string }

export type BodyEvent = CallEvent | ReturnEvent | AssignEvent | UpdateEvent;

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
const NOT_CALLS = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', '_Alignof', '__alignof__', 'alignof', 'typeof',
  '__typeof__', '__typeof', 'do', 'else', 'case', 'defined', '__attribute__', '__attribute', 'asm',
  '__asm__', '__asm', 'volatile', '__volatile__', '_Static_assert', 'static_assert', '__builtin_offsetof', 'offsetof',
]);
const CONTROL = new Set(['if', 'while', 'for', 'switch']);
const STOP_BACK = new Set([';', '{', '}', ',', '?', ':', 'return', 'else', 'do', 'case', 'goto']);
const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** For each bracket token, the index of its partner (-1 when unbalanced). */
export function bracketPartners(toks: readonly Token[]): Int32Array {
  const partner = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind !== 'punct') continue;
    if (OPEN.has(t.text)) stack.push(i);
    else if (CLOSE.has(t.text) && stack.length > 0) {
      const o = stack.pop() as number;
      partner[o] = i;
      partner[i] = o;
    }
  }
  return partner;
}

/** The events of a token list, inner before outer (a call's arguments before the call). */
export function scanEvents(toks: readonly Token[]): BodyEvent[] {
  const partner = bracketPartners(toks);
  const n = toks.length;
  const out: BodyEvent[] = [];
  const isP = (i: number, s: string) => i >= 0 && i < n && toks[i].kind === 'punct' && toks[i].text === s;
  // From `i`, the end of an expression: the first `;` or `,` or unmatched closer at this level.
  const exprEnd = (i: number, stopAtComma: boolean): number => {
    let j = i;
    while (j < n) {
      const t = toks[j];
      if (t.kind === 'punct') {
        if (OPEN.has(t.text) && partner[j] > j) { j = partner[j] + 1; continue; }
        if (CLOSE.has(t.text) || t.text === ';' || (stopAtComma && t.text === ',')) break;
      }
      j++;
    }
    return j;
  };
  for (let i = 0; i < n; i++) {
    const t = toks[i];
    if (t.kind === 'id') {
      if (t.text === 'return') {
        const end = exprEnd(i + 1, false);
        const last = end < n && toks[end].text === ';' ? end : end - 1;
        out.push({ kind: 'return', span: { start: t.start, end: toks[Math.max(i, last)].end }, value: end > i + 1 ? [i + 1, end] : null });
        continue;
      }
      if (isP(i + 1, '(') && !NOT_CALLS.has(t.text) && !isP(i - 1, '.') && !isP(i - 1, '->')) {
        const close = partner[i + 1];
        if (close < 0) continue;
        const args: TokRange[] = [];
        if (close > i + 2) {
          let s = i + 2;
          for (let j = i + 2; j < close; j++) {
            if (toks[j].kind === 'punct' && OPEN.has(toks[j].text) && partner[j] > j) { j = partner[j]; continue; }
            if (isP(j, ',')) { args.push([s, j]); s = j + 1; }
          }
          args.push([s, close]);
        }
        // A call through a function pointer or member (`ops->f(x)`) names no callee.
        out.push({ kind: 'call', span: { start: t.start, end: toks[close].end }, callee: t.text, args, inner: { start: toks[i + 1].end, end: toks[close].start } });
      }
      continue;
    }
    if (t.kind !== 'punct') continue;
    if (ASSIGN_OPS.has(t.text)) {
      const ev = assignment(toks, partner, i, exprEnd(i + 1, true));
      if (ev) out.push(ev);
      continue;
    }
    if (t.text === '++' || t.text === '--') {
      const prev = toks[i - 1];
      const next = toks[i + 1];
      if (prev?.kind === 'id' && !isP(i - 2, '->') && !isP(i - 2, '.')) out.push({ kind: 'update', span: { start: prev.start, end: t.end }, target: prev.text });
      else if (next?.kind === 'id' && !isP(i + 2, '->') && !isP(i + 2, '.') && !isP(i + 2, '[')) out.push({ kind: 'update', span: { start: t.start, end: next.end }, target: next.text });
    }
  }
  out.sort((a, b) => a.span.end - b.span.end || b.span.start - a.span.start);
  return out;
}

function assignment(toks: readonly Token[], partner: Int32Array, at: number, valueEnd: number): AssignEvent | null {
  // Back from the operator to the start of the assigned expression (or declaration).
  let k = at - 1;
  while (k >= 0) {
    const t = toks[k];
    if (t.kind === 'punct' && CLOSE.has(t.text)) {
      const o = partner[k];
      if (o < 0) break;
      if (t.text === ')' && toks[o - 1]?.kind === 'id' && CONTROL.has(toks[o - 1].text)) break; // if (x) y = 1;
      if (t.text === '}') break;
      k = o - 1;
      continue;
    }
    if ((t.kind === 'punct' && (OPEN.has(t.text) || STOP_BACK.has(t.text) || ASSIGN_OPS.has(t.text))) || (t.kind === 'id' && STOP_BACK.has(t.text))) break;
    k--;
  }
  const from = k + 1;
  if (from >= at) return null;
  const left = toks.slice(from, at);
  const value: TokRange | null = valueEnd > at + 1 ? [at + 1, valueEnd] : null;
  const end = value ? toks[valueEnd - 1].end : toks[at].end;
  return {
    kind: 'assign',
    span: { start: left[0].start, end },
    target: assignedName(left),
    targetSpan: { start: left[0].start, end: left[left.length - 1].end },
    op: toks[at].text,
    value,
  };
}

/** `x`, `__u32 x`, `struct ethhdr *eth`, `__u8 mac[6]` name a variable; `*p`, `a->b`, `a[i]` do not. */
function assignedName(left: readonly Token[]): string | null {
  let end = left.length;
  // Drop array dimensions of a declarator: mac[ETH_ALEN]
  while (end > 0 && left[end - 1].text === ']') {
    let depth = 0;
    let j = end - 1;
    for (; j >= 0; j--) {
      if (left[j].text === ']') depth++;
      else if (left[j].text === '[' && --depth === 0) break;
    }
    if (j <= 0) return null;
    end = j;
  }
  const last = left[end - 1];
  if (!last || last.kind !== 'id') return null;
  if (end === 1) return end === left.length ? last.text : null; // x = … names x; arr[i] = … does not
  const before = left.slice(0, end - 1);
  if (before.some((t) => t.kind !== 'id' && t.text !== '*')) return null;
  // A declaration has a type before the name: `int x`, `struct ethhdr *eth`; `*p` alone is a store.
  return before[0].kind === 'id' ? last.text : null;
}
