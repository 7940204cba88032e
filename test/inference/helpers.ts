// Shared by the inference tests: read a fixture, scan it, and view evidence compactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoaderEvidence } from '../../server/src/inference/loaders/index';
import { scanLoaderFile } from '../../server/src/inference/loaders/index';

export const FIXTURES = join(__dirname, 'fixtures');
export const ACCEPTANCE = '/work/shared/acceptance/cases';

export function scanFixture(rel: string): LoaderEvidence[] {
  const file = join(FIXTURES, rel);
  return scanLoaderFile(file, readFileSync(file, 'utf8'));
}

/** Only what a test asserts: lines (0-based), hook and the names; absent fields left out. */
export interface Brief {
  lines: [number, number];
  hook: string;
  dev?: string;
  prog?: string;
  progCandidates?: string[];
  object?: string;
  section?: string;
}

export function brief(e: LoaderEvidence): Brief {
  const b: Brief = { lines: [e.range.start.line, e.range.end.line], hook: e.hook };
  if (e.dev !== undefined) b.dev = e.dev;
  if (e.prog !== undefined) b.prog = e.prog;
  if (e.progCandidates !== undefined) b.progCandidates = e.progCandidates;
  if (e.object !== undefined) b.object = e.object;
  if (e.section !== undefined) b.section = e.section;
  return b;
}

/** Scans an inline snippet as a file of the given name. */
export function scanText(name: string, text: string): Brief[] {
  return scanLoaderFile(name, text).map(brief);
}
