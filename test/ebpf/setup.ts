// Shared by the ebpf tests: one real wasm parser, fixture files, and lookups by name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { analyzeC, type AnalyzeOptions, type CFileAnalysis, type ProgramInfo } from '../../server/src/ebpf/analyze';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';

let parserPromise: Promise<CParser> | null = null;
export function parser(): Promise<CParser> {
  parserPromise ??= createCParser();
  return parserPromise;
}

export const FIXTURES = path.join(__dirname, 'fixtures');
export const ACCEPTANCE = '/work/shared/acceptance/cases';

export function readFixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export async function analyzeFixture(name: string, opts: AnalyzeOptions = {}): Promise<CFileAnalysis> {
  return analyzeC(await parser(), name, readFixture(name), opts);
}

export function program(a: CFileAnalysis, name: string): ProgramInfo {
  const p = a.programs.find((x) => x.name === name);
  expect(p, `program ${name}`).toBeDefined();
  return p as ProgramInfo;
}

/** An analysis without its timings, for comparing two of them. */
export const stable = (a: CFileAnalysis) => ({ ...a, timings: null });

/** 1-based line of a 0-based range, as people read it. */
export const line = (r: { start: { line: number } }) => r.start.line + 1;

/** The 0-based range of the n-th occurrence of `needle` on 1-based line `ln` of `text`. */
export function rangeOf(text: string, ln: number, needle: string, nth = 0) {
  const l = text.split('\n')[ln - 1];
  let at = -1;
  for (let i = 0; i <= nth; i++) at = l.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`"${needle}" not on line ${ln}: ${l}`);
  return { start: { line: ln - 1, character: at }, end: { line: ln - 1, character: at + needle.length } };
}
