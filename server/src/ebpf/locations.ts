// Where something is written: offsets in a text become 0-based LSP positions (UTF-16 code
// units, the unit web-tree-sitter reports too), and a value or call remembers the chain of
// inline functions and macros through which a program reached it.
import type { Position, Range } from '../topology/model';

/** A half-open span of UTF-16 offsets in one text. */
export interface Span { start: number; end: number }

/** A range in a named file (the analyzed file or one of its local headers). */
export interface Loc { file: string; range: Range }

/** One step from a program into a wrapper: where it is called, and what is called. */
export interface CallSite {
  /** The function or macro name as written at the call. */
  name: string;
  kind: 'function' | 'macro';
  /** The call, in the caller's file. */
  call: Loc;
  /** The function's name in its definition, or the `#define` line. */
  definition: Loc;
}

/** Where a value was written, and the calls that carried it there. */
export interface Origin { readonly loc: Loc; readonly via: readonly CallSite[] }

/**
 * An Origin whose position is computed only when asked: most values an analysis creates are
 * never shown, and positions are the bulk of its allocations.
 */
export class LazyOrigin implements Origin {
  private cached: Loc | null = null;

  constructor(private readonly locate: (span: Span) => Loc, private readonly span: Span, readonly via: readonly CallSite[]) {}

  get loc(): Loc {
    return (this.cached ??= this.locate(this.span));
  }

  /** Whether two origins are the same place, without computing positions when possible. */
  static same(a: Origin, b: Origin): boolean {
    if (a instanceof LazyOrigin && b instanceof LazyOrigin && a.locate === b.locate) return a.span.start === b.span.start;
    const r = a.loc.range;
    const s = b.loc.range;
    return a.loc.file === b.loc.file && r.start.line === s.start.line && r.start.character === s.start.character;
  }
}

export class LineIndex {
  private readonly starts: Int32Array;

  /** `starts`: the offsets where lines begin (first 0), when already known. */
  constructor(readonly text: string, starts?: Int32Array) {
    if (starts) { this.starts = starts; return; }
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    this.starts = new Int32Array(n);
    n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts[n++] = i + 1;
  }

  get lineCount(): number { return this.starts.length; }

  /** Where a 0-based line begins. */
  lineStart(line: number): number { return this.starts[line]; }

  /** The 0-based line of an offset. */
  lineOf(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The index of `text`, which is this one's text with [start, end) replaced by `inserted`:
   * lines before the edit are kept, the ones after moved (no rescan of the whole text).
   */
  edited(text: string, start: number, end: number, inserted: string): LineIndex {
    const old = this.starts;
    const delta = inserted.length - (end - start);
    // Lines starting at or before `start` are untouched; those in (start, end] followed a removed line break.
    const keep = this.lineOf(start) + 1;
    let after = keep;
    while (after < old.length && old[after] <= end) after++;
    const added: number[] = [];
    for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) added.push(start + i + 1);
    const starts = new Int32Array(keep + added.length + old.length - after);
    starts.set(old.subarray(0, keep));
    for (let i = 0; i < added.length; i++) starts[keep + i] = added[i];
    for (let i = after, j = keep + added.length; i < old.length; i++, j++) starts[j] = old[i] + delta;
    return new LineIndex(text, starts);
  }

  position(offset: number): Position {
    const line = this.lineOf(offset);
    return { line, character: offset - this.starts[line] };
  }

  offset(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    const start = this.starts[line];
    const next = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length + 1;
    return Math.min(start + Math.max(0, pos.character), next - 1, this.text.length);
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}
