// The one entry point for topology text: statements, then the resolved model.
import type { ParseResult } from './model';
import { parseStatements } from './syntax';
import { resolveTopology } from './resolve';

/** `file` should be absolute: attach/map `file "..."` paths resolve against its folder. */
export function parseTopology(text: string, file: string): ParseResult {
  const { statements, diagnostics } = parseStatements(text, file);
  const resolved = resolveTopology(statements, file);
  return { topology: resolved.topology, diagnostics: [...diagnostics, ...resolved.diagnostics].sort(byPosition) };
}

function byPosition(a: { range: { start: { line: number; character: number } } }, b: typeof a): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}
