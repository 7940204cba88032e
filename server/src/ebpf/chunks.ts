// The blanked text is parsed in parts, each on its own: tree-sitter re-parses an edited text
// in time proportional to its number of top-level items (tree-sitter-c leaves the nodes that
// group them unusable for reuse), so one big tree makes every keystroke in a 10,000-line file
// cost milliseconds, where a part of one or two definitions costs microseconds. The text is cut
// after each line that is only `}` or `};`, the end of a top-level definition in the usual
// layout, when neither that line nor the next starts inside a comment, literal or macro call.
// The cut depends on the text only, so a document edited many times and a fresh analysis of
// its text see the same parts; for such a layout the parts' trees are the whole text's
// (a `}` at the start of a line inside a function would split it).
import type { EnumList, GlobalConst } from './constants';
import type { LineIndex } from './locations';
import { diffEdit, editTree, type CParser, type Tree } from './parser';
import type { Change } from './preprocess';

/** What the analysis reads in a top-level item, with offsets from its chunk's start. */
export type ChunkItem =
  | { kind: 'function'; start: number; bodyStart: number; bodyEnd: number; head: FunctionHead | null }
  | { kind: 'decl'; enums: EnumList[]; consts: GlobalConst[] };

export interface FunctionHead { name: string; nameStart: number; nameEnd: number; params: string[]; paramTexts: string[] }

/** A part of the blanked text and its tree (offsets from `start`). `items`: read from it once. */
export interface Chunk { start: number; end: number; tree: Tree; items: ChunkItem[] | null }

/** The lines chunks start at (after the first, at 0), for the whole text. */
export function chunkCuts(blanked: string, lines: LineIndex, rest: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = blanked.indexOf('\n}'); i >= 0; i = blanked.indexOf('\n}', i + 2)) {
    const line = lines.lineOf(i + 1) + 1;
    if (isCut(blanked, lines, rest, line)) out.push(line);
  }
  return out;
}

/** The cuts after lines [first, last] changed (text or scan state; no line added or removed). */
export function chunkCutsEdit(prev: readonly number[], blanked: string, lines: LineIndex, rest: Uint8Array, first: number, last: number): number[] {
  // A cut at a line depends on that line and the one before.
  const out: number[] = [];
  let k = 0;
  while (k < prev.length && prev[k] < first) out.push(prev[k++]);
  for (let line = Math.max(first, 2); line <= last + 1; line++) if (isCut(blanked, lines, rest, line)) out.push(line);
  while (k < prev.length && prev[k] <= last + 1) k++;
  while (k < prev.length) out.push(prev[k++]);
  return out;
}

/** Whether a chunk starts at `line`: the line before (not the first) is only `}` or `};`, and the scan was between matches at both. */
function isCut(blanked: string, lines: LineIndex, rest: Uint8Array, line: number): boolean {
  if (line < 2 || line >= lines.lineCount || !rest[line - 1] || !rest[line]) return false;
  let j = lines.lineStart(line - 1);
  const nl = lines.lineStart(line) - 1;
  if (blanked.charCodeAt(j++) !== 125) return false;
  if (blanked.charCodeAt(j) === 59) j++;
  for (let c = blanked.charCodeAt(j); j < nl && (c === 32 || c === 9 || c === 13); c = blanked.charCodeAt(++j));
  return j === nl && nl + 1 < blanked.length;
}

/** Up to this length, a chunk that has a syntax error after re-parsing is parsed afresh. */
const FRESH_WITH_ERRORS = 32 * 1024;

/** The previous chunks of a text, and what changed since: `blank`, the exact difference of the blanked texts; `text`, of the texts. */
export interface PreviousChunks { blanked: string; chunks: readonly Chunk[]; blank: Change | null; text: Change | null }

/** The chunks of a text; `fresh`, those whose items are to be read; `dropped`, the items of old chunks that were not kept. */
export interface Chunks { chunks: Chunk[]; fresh: Chunk[]; dropped: ChunkItem[][] }

/**
 * Parse `blanked` in chunks starting at 0 and at the lines `cuts`. A chunk whose text is an
 * old chunk's keeps that tree (and what was read from it, unless the text as written changed
 * there); a chunk where the text changed re-parses the old chunk at its place incrementally;
 * any other is parsed. Old trees not kept are deleted. Adds the time spent parsing to
 * `timing.parseMs`.
 */
export function parseChunks(parser: CParser, blanked: string, lines: LineIndex, cuts: readonly number[], old: PreviousChunks | null, timing: { parseMs: number }): Chunks {
  const prev = old?.chunks ?? [];
  const used = new Uint8Array(prev.length);
  const kept = new Uint8Array(prev.length);
  const blank = old?.blank ?? null;
  const delta = blank ? blank.newEnd - blank.oldEnd : 0;
  const chunks: Chunk[] = [];
  const fresh: Chunk[] = [];
  // Old chunks are visited in order: `j` is the first whose start is not before the position asked.
  let j = 0;
  const at = (pos: number) => {
    while (j < prev.length && prev[j].start < pos) j++;
    return j < prev.length && prev[j].start === pos ? j : -1;
  };
  for (let k = 0; k <= cuts.length; k++) {
    const start = k === 0 ? 0 : lines.lineStart(cuts[k - 1]);
    const end = k < cuts.length ? lines.lineStart(cuts[k]) : blanked.length;
    // The old chunk at the same place: before the change, after it (moved), or where it begins.
    let c = -1;
    let same = false;
    if (old) {
      if (!blank || end <= blank.start) { c = at(start); same = c >= 0 && prev[c].end === end; }
      else if (start >= blank.newEnd) { c = at(start - delta); same = c >= 0 && prev[c].end === end - delta; }
      else c = start <= blank.start ? at(start) : containing(prev, blank.start);
      if (c >= 0 && used[c]) c = -1;
    }
    const cand = c >= 0 ? prev[c] : null;
    if (cand && same) {
      used[c] = 1;
      const items = touches(old?.text ?? null, cand) ? null : cand.items;
      if (items) kept[c] = 1;
      const chunk = { start, end, tree: cand.tree, items };
      chunks.push(chunk);
      if (!items) fresh.push(chunk);
      continue;
    }
    const text = blanked.slice(start, end);
    const t = performance.now();
    let tree: Tree;
    let items: ChunkItem[] | null = null;
    if (cand && old) {
      used[c] = 1;
      const edit = diffEdit(old.blanked.slice(cand.start, cand.end), text);
      if (!edit) {
        tree = cand.tree;
        if (!touches(old.text, cand)) { items = cand.items; kept[c] = 1; }
      } else {
        editTree(cand.tree, edit);
        tree = parser.parse(text, cand.tree);
        cand.tree.delete();
        // Error recovery may go another way re-parsing than parsing afresh: a chunk with an
        // error (while typing) is parsed afresh, so that it is the same as in a fresh analysis.
        if (text.length <= FRESH_WITH_ERRORS && tree.rootNode.hasError) {
          tree.delete();
          tree = parser.parse(text);
        }
        forgetText(tree);
      }
    } else {
      tree = parser.parse(text);
      forgetText(tree);
    }
    timing.parseMs += performance.now() - t;
    const chunk = { start, end, tree, items };
    chunks.push(chunk);
    if (!items) fresh.push(chunk);
  }
  const dropped: ChunkItem[][] = [];
  for (let i = 0; i < prev.length; i++) {
    if (!used[i]) prev[i].tree.delete();
    if (!kept[i] && prev[i].items) dropped.push(prev[i].items as ChunkItem[]);
  }
  return { chunks, fresh, dropped };
}

/**
 * A tree keeps the text it was parsed from, to read a node's text with; nothing here reads it,
 * and it would keep every version of the blanked text alive.
 */
function forgetText(tree: Tree): void {
  (tree as unknown as { textCallback: (i: number) => string }).textCallback = () => '';
}

/** Whether a change (old offsets) reaches into a chunk (its edges included). */
function touches(c: Change | null, chunk: Chunk): boolean {
  return !!c && c.start <= chunk.end && c.oldEnd >= chunk.start;
}

/** The index of the chunk holding an offset, or -1. */
function containing(chunks: readonly Chunk[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid].end <= offset) lo = mid + 1;
    else if (chunks[mid].start > offset) hi = mid - 1;
    else return mid;
  }
  return -1;
}
