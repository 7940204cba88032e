// Loads web-tree-sitter and the C grammar once. web-tree-sitter (WebAssembly) runs in both
// the system Node and VS Code's Electron, where a native tree-sitter addon would not load.
// The .wasm files are found beside the bundle (esbuild copies them into dist/) or, unbundled
// (tests), in node_modules; import.meta is not used because esbuild empties it in CommonJS.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { Language, Parser, type Point, type Tree } from 'web-tree-sitter';
import { diffWindow } from './incremental';

export type { Node, Point, Tree } from 'web-tree-sitter';

export interface CParser {
  /** Parse `text`; with `oldTree` (already edited to match), re-parse incrementally. The caller deletes the result. */
  parse(text: string, oldTree?: Tree | null): Tree;
  readonly language: Language;
}

/** An edit in tree-sitter's terms: UTF-16 offsets and 0-based row/column points. */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

const WASM_FILES = { runtime: 'web-tree-sitter.wasm', grammar: 'tree-sitter-c.wasm' } as const;

/** The longest one parse may take before the file is given up on (see ParseBudgetExceeded). */
export const PARSE_BUDGET_MS = 1500;

/** A parse was cancelled for taking longer than PARSE_BUDGET_MS. */
export class ParseBudgetExceeded extends Error {}

let runtimeReady: Promise<void> | null = null;
const languages = new Map<string, Promise<Language>>();

export async function createCParser(opts: { wasmDir?: string } = {}): Promise<CParser> {
  const runtime = locate(WASM_FILES.runtime, 'web-tree-sitter/web-tree-sitter.wasm', opts.wasmDir);
  const grammar = locate(WASM_FILES.grammar, 'tree-sitter-c/tree-sitter-c.wasm', opts.wasmDir);
  runtimeReady ??= Parser.init({ locateFile: (name: string) => (name.endsWith('.wasm') ? runtime : name) });
  try {
    await runtimeReady;
  } catch (e) {
    runtimeReady = null;
    throw e;
  }
  let lang = languages.get(grammar);
  if (!lang) {
    lang = Language.load(new Uint8Array(fs.readFileSync(grammar)));
    languages.set(grammar, lang);
  }
  const language = await lang;
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    language,
    parse(text: string, oldTree?: Tree | null): Tree {
      // A parse time cap: tree-sitter's error recovery on pathological input (a megabyte of
      // `a@b a@b …` on one line) can take seconds; such a file is not analysed at all.
      const deadline = performance.now() + PARSE_BUDGET_MS;
      const tree = parser.parse(text, oldTree ?? null, { progressCallback: (() => performance.now() > deadline) as unknown as (s: unknown) => void });
      if (!tree) {
        parser.reset();
        throw new ParseBudgetExceeded(`tree-sitter gave up after ${PARSE_BUDGET_MS} ms on ${text.length} characters`);
      }
      return tree;
    },
  };
}

/** Find a .wasm file: the given folder, beside this (bundled) module, else the npm package. */
function locate(file: string, packagePath: string, wasmDir?: string): string {
  const candidates: string[] = [];
  if (wasmDir) candidates.push(path.join(wasmDir, file));
  if (typeof __dirname === 'string') candidates.push(path.join(__dirname, file));
  for (const c of candidates) if (fs.existsSync(c)) return c;
  try {
    return require.resolve(packagePath);
  } catch {
    throw new Error(`cannot find ${file} (looked in ${candidates.join(', ') || 'no folder'} and node_modules)`);
  }
}

/** Tell an old tree about an edit so that the next parse can reuse it. */
export function editTree(tree: Tree, edit: TreeEdit): void {
  tree.edit(edit as Parameters<Tree['edit']>[0]);
}

/** The point of a UTF-16 offset in `text` (row, column in UTF-16 units, as tree-sitter counts). */
export function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * The single edit that turns `oldText` into `newText` (common prefix and suffix kept), or
 * null when they are equal. Used after blanking, whose output can differ from the typed
 * edit (a new #define can change what is blanked elsewhere).
 */
export function diffEdit(oldText: string, newText: string): TreeEdit | null {
  const d = diffWindow(oldText, newText);
  if (!d) return null;
  const { start, oldEnd, newEnd } = d;
  const startPosition = pointAt(oldText, start);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: advance(startPosition, oldText, start, oldEnd),
    newEndPosition: advance(startPosition, newText, start, newEnd),
  };
}

function advance(from: Point, text: string, start: number, end: number): Point {
  let { row, column } = from;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) === 10) { row++; column = 0; } else column++;
  }
  return { row, column };
}
