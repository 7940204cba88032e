// Diagnostics as contract.md prints them: 1-based line and column, file as the user named it.
import * as path from 'node:path';
import type { Diagnostic } from '../topology/model';

export interface JsonDiagnostic {
  file: string; line: number; column: number; endLine: number; endColumn: number;
  severity: Diagnostic['severity']; code: string; message: string;
}

export function toJson(d: Diagnostic, cwd = process.cwd()): JsonDiagnostic {
  return {
    file: displayPath(d.file, cwd),
    line: d.range.start.line + 1, column: d.range.start.character + 1,
    endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
    severity: d.severity, code: d.code, message: d.message,
  };
}

/** Relative to the working folder when inside it, as compilers print paths. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function formatText(d: JsonDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}`;
}
