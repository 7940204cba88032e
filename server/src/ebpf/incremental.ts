// What a small edit leaves as it was. A document edit that stays within one line off the
// preprocessor's lines leaves every directive as it was, only moved, so the macros, the hidden
// branches and the blanking rules are those of the last analysis (their offsets moved in
// place), and only the edited line needs blanking again (preprocessEdit).
import type { Directives } from './defines';
import type { LineIndex, Span } from './locations';
import type { Change } from './preprocess';

/** Whether [start, oldEnd) of `oldText` and [start, newEnd) of `newText` hold no line break. */
export function withinLine(oldText: string, newText: string, c: Change): boolean {
  return !hasBreak(oldText, c.start, c.oldEnd) && !hasBreak(newText, c.start, c.newEnd);
}

/**
 * The span that differs between two texts (common prefix and suffix left out), or null.
 * Here because this file imports only types: the parser, preprocessor and chunker all use it
 * without an import cycle.
 */
export function diffWindow(a: string, b: string): Change | null {
  if (a === b) return null;
  const max = Math.min(a.length, b.length);
  let start = 0;
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let oldEnd = a.length;
  let newEnd = b.length;
  while (oldEnd > start && newEnd > start && a.charCodeAt(oldEnd - 1) === b.charCodeAt(newEnd - 1)) { oldEnd--; newEnd--; }
  return { start, oldEnd, newEnd };
}

function hasBreak(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) return true;
  }
  return false;
}

/**
 * Move the directives of `oldLines.text` to where they are in `newText`, in place, when the
 * edit (within one line) touches no directive line and makes none; false (nothing moved) otherwise.
 */
export function moveDirectives(d: Directives, oldLines: LineIndex, newText: string, c: Change): boolean {
  const line = oldLines.lineOf(c.start);
  const lineStart = oldLines.lineStart(line);
  const lineEnd = line + 1 < oldLines.lineCount ? oldLines.lineStart(line + 1) - 1 : oldLines.text.length;
  // The last directive starting on or before the line: the only one that could reach into it.
  const list = d.list;
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].span.start <= lineEnd) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found >= 0 && list[found].span.end >= lineStart) return false;
  // A line starting with `#` after the edit is a new directive.
  let i = lineStart;
  while (newText[i] === ' ' || newText[i] === '\t') i++;
  if (newText[i] === '#') return false;
  const delta = c.newEnd - c.oldEnd;
  if (delta === 0) return true;
  const { spans, first } = spansOf(d);
  for (let i = first[found + 1]; i < spans.length; i++) {
    spans[i].start += delta;
    spans[i].end += delta;
  }
  return true;
}

/**
 * Every span object of a list of directives, each once (a directive's span is also its
 * macro's or include's; a macro's name has its own), in order; `first[k]`: where the spans
 * of directive k begin.
 */
const directiveSpans = new WeakMap<Directives, { spans: Span[]; first: Int32Array }>();

function spansOf(d: Directives): { spans: Span[]; first: Int32Array } {
  let r = directiveSpans.get(d);
  if (!r) {
    const spans: Span[] = [];
    const first = new Int32Array(d.list.length + 1);
    const seen = new Set<Span>();
    const add = (x: Span) => { if (!seen.has(x)) { seen.add(x); spans.push(x); } };
    d.list.forEach((x, k) => {
      first[k] = spans.length;
      add(x.span);
      if (x.kind === 'define') { add(x.def.span); add(x.def.nameSpan); } else if (x.kind === 'include') add(x.include.span);
    });
    first[d.list.length] = spans.length;
    r = { spans, first };
    directiveSpans.set(d, r);
  }
  return r;
}

/** Move spans by an edit, in place: those after it move, one holding it grows or shrinks. */
export function moveSpans(spans: readonly Span[], c: Change): void {
  const delta = c.newEnd - c.oldEnd;
  if (delta === 0) return;
  for (const s of spans) {
    if (s.start >= c.oldEnd) s.start += delta;
    if (s.end >= c.oldEnd) s.end += delta;
  }
}

/** Whether two lists of spans are equal. */
export function sameSpans(a: readonly Span[], b: readonly Span[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].start !== b[i].start || a[i].end !== b[i].end) return false;
  return true;
}
