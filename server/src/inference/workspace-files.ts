// Every file of a workspace worth scanning for topology files, eBPF sources and loaders.
// Symlinked directories are followed once per real path (a link back to an ancestor is a
// loop); dependency and build output folders are skipped. The result is sorted, so two
// runs over the same tree see the same files in the same order.

import * as fs from 'node:fs';
import * as path from 'node:path';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'build', 'out', 'dist', 'target', '.vscode-test']);

export interface ListOptions {
  /** Stop after this many files (default 20,000). */
  maxFiles?: number;
  /** Leave out files larger than this many bytes (default 2 MiB): generated or binary. */
  maxBytes?: number;
}

export function listWorkspaceFiles(root: string, opts: ListOptions = {}): string[] {
  const maxFiles = opts.maxFiles ?? 20_000;
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const out: string[] = [];

  const walk = (dir: string): void => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return; // unreadable: not ours to report
    }
    names.sort();
    for (const name of names) {
      if (out.length >= maxFiles) return;
      const full = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(full); // follows symlinks; a dangling one throws
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(full);
      } else if (st.isFile() && st.size <= maxBytes) {
        let realFile = full;
        try {
          realFile = fs.realpathSync(full);
        } catch {
          continue;
        }
        if (seenFiles.has(realFile)) continue;
        seenFiles.add(realFile);
        out.push(full);
      }
    }
  };

  walk(root);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
