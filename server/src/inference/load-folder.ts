// Fills a workspace from a folder on disk: topology files, eBPF C files and loader files
// (the CLI's `programs` and `check`, tests and benchmarks).
import * as fs from 'node:fs';
import { isLoaderCandidate } from './loaders';
import type { Workspace } from './workspace';
import { listWorkspaceFiles } from './workspace-files';

/** eBPF C: a file that places something in an ELF section. */
export const isBpfC = (file: string, text: string): boolean =>
  /\.(c|h)$/.test(file) && /\bSEC\s*\(|__section\w*\s*\(|__attribute__\s*\(\(\s*section/.test(text);

export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function loadFolder(ws: Workspace, root: string, opts: { topologies: boolean; cFiles: boolean }): void {
  for (const f of listWorkspaceFiles(root)) {
    if (ws.has(f)) continue;
    if (f.endsWith('.topo')) {
      const t = opts.topologies ? readIfExists(f) : undefined;
      if (t !== undefined) ws.setTopology(f, t);
      continue;
    }
    // A .h is never a loader candidate and never set as a C file (only .c is): not read.
    const text = f.endsWith('.c') || isLoaderCandidate(f) ? readIfExists(f) : undefined;
    if (text === undefined) continue;
    if (isBpfC(f, text)) {
      if (opts.cFiles && f.endsWith('.c')) ws.setCFile(f, text);
    } else if (isLoaderCandidate(f)) {
      ws.setLoader(f, text);
    }
  }
}
