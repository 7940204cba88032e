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
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
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
