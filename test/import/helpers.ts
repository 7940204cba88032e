// Shared by the import tests: the path results of a topology file as comparable hop lists.
import * as fs from 'node:fs';
import { readIfExists } from '../../server/src/inference/load-folder';
import { Workspace } from '../../server/src/inference/workspace';
import type { CParser } from '../../server/src/ebpf/parser';

export interface Walked { from: string; to: string; verdict: string; hops: string[] }

/** Every `path` of `file` (with `cFiles` in the workspace): from, to, verdict, dev@ns:role hops. */
export function walk(parser: CParser, file: string, text: string, cFiles: string[]): Walked[] {
  const ws = new Workspace(parser, readIfExists);
  for (const c of cFiles) ws.setCFile(c, fs.readFileSync(c, 'utf8'));
  ws.setTopology(file, text);
  const out = ws.paths(file).map((p) => ({
    from: p.spec.from.text, to: p.spec.to.text, verdict: p.verdict,
    hops: p.hops.map((h) => `${h.dev}:${h.role}`),
  }));
  ws.dispose();
  return out;
}

/** The `path` lines of a topology text. */
export function pathLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*path\s/.test(l));
}
