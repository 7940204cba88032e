// Shared by the LSP feature tests: a real Workspace (wasm C parser, files from disk) and the
// DocumentContext the server would hand each feature for one of its documents.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover, Position } from 'vscode-languageserver';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { Workspace } from '../../server/src/inference/workspace';
import type { DocumentContext } from '../../server/src/lsp/context';

export const CASES = '/work/shared/acceptance/cases';
export const EXAMPLES = path.join(__dirname, '../../examples');

let parser: Promise<CParser> | undefined;

const read = (f: string): string | undefined => {
  try { return fs.readFileSync(f, 'utf8'); } catch { return undefined; }
};

export const uriOf = (file: string): string => pathToFileURL(file).href;

/** A workspace holding these files (topologies load their attached C files themselves). */
export async function workspace(...files: string[]): Promise<Workspace> {
  parser ??= createCParser();
  const ws = new Workspace(await parser, read);
  for (const f of files) {
    const text = read(f);
    if (text === undefined) throw new Error(`cannot read ${f}`);
    if (f.endsWith('.topo')) ws.setTopology(f, text);
    else ws.setCFile(f, text);
  }
  return ws;
}

/** The context for one document of the workspace; `text` overrides what is on disk. */
export function ctxFor(ws: Workspace, file: string, text?: string): DocumentContext {
  const t = text ?? read(file) ?? '';
  if (text !== undefined) {
    if (file.endsWith('.topo')) ws.setTopology(file, t);
    else ws.setCFile(file, t);
  }
  return { ws, file, uri: uriOf(file), text: t, languageId: file.endsWith('.topo') ? 'topology' : 'c', uriOf };
}

/** 0-based position of the n-th `needle` on 1-based line `line` of the context's text, plus `offset`. */
export function at(ctx: DocumentContext, line: number, needle: string, offset = 0, nth = 0): Position {
  const l = ctx.text.split('\n')[line - 1];
  let i = -1;
  for (let k = 0; k <= nth; k++) i = l.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`"${needle}" is not on line ${line}: ${l}`);
  return { line: line - 1, character: i + offset };
}

export function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents as { value?: string };
  return c.value ?? '';
}

/** 0-based range of the n-th `needle` on 1-based line `line` of a file's text. */
export function rangeIn(text: string, line: number, needle: string, nth = 0) {
  const l = text.split('\n')[line - 1];
  let i = -1;
  for (let k = 0; k <= nth; k++) i = l.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`"${needle}" is not on line ${line}: ${l}`);
  return { start: { line: line - 1, character: i }, end: { line: line - 1, character: i + needle.length } };
}
