// Which files can hold loader code, and which scanner reads each kind. Decided by the
// file's name first (cheap, for workspace walks), then confirmed by its text: a C file
// with SEC("...") is an eBPF program, not a loader; an extensionless file needs a shebang.

import { scanBcc } from './bcc';
import { scanDockerfile } from './dockerfile';
import { scanEmbeddedCommands } from './embedded';
import type { LoaderEvidence } from './evidence';
import { scanGo } from './go';
import { scanLibbpf } from './libbpf';
import { scanShellFile } from './shell';
import { basename, blankComments } from './text';
import { scanYaml } from './yaml';

export type LoaderKind = 'sh' | 'make' | 'yaml' | 'dockerfile' | 'just' | 'c' | 'go' | 'python' | 'script';

// Extensionless files that are documentation or metadata, never scripts.
const NOT_SCRIPTS = /^(license|licence|copying|notice|readme|authors|contributors|changelog|changes|version|codeowners|owners|maintainers|makefile\.in|configure)$/i;

export function loaderKind(file: string): LoaderKind | undefined {
  const name = basename(file);
  const lower = name.toLowerCase();
  if (/^(gnu)?makefile$/.test(lower) || lower.endsWith('.mk') || lower.endsWith('.make')) return 'make';
  if (lower === 'dockerfile' || lower === 'containerfile' || lower.startsWith('dockerfile.') || lower.endsWith('.dockerfile') || lower.endsWith('.containerfile')) return 'dockerfile';
  if (lower === 'justfile' || lower === '.justfile' || lower.endsWith('.just')) return 'just';
  if (/\.(sh|bash|zsh|ksh)$/.test(lower)) return 'sh';
  if (/\.(ya?ml)$/.test(lower)) return 'yaml';
  if (lower.endsWith('.go')) return lower.endsWith('_test.go') ? undefined : 'go';
  if (lower.endsWith('.py')) return 'python';
  // eBPF sources by convention; a loader never has these names
  if (lower.endsWith('.bpf.c') || lower.endsWith('_kern.c') || lower.endsWith('.skel.h')) return undefined;
  if (/\.(c|cc|cpp|cxx)$/.test(lower)) return 'c';
  if (!name.includes('.') && !NOT_SCRIPTS.test(name)) return 'script';
  return undefined;
}

export function isLoaderCandidate(file: string): boolean {
  return loaderKind(file) !== undefined;
}

export function scanLoaderFile(file: string, text: string): LoaderEvidence[] {
  let kind = loaderKind(file);
  if (kind === 'script') kind = shebangKind(text);
  let out: LoaderEvidence[];
  switch (kind) {
    case 'sh':
    case 'make':
    case 'just':
      out = scanShellFile(file, text, kind);
      break;
    case 'dockerfile':
      out = scanDockerfile(file, text);
      break;
    case 'yaml':
      out = scanYaml(file, text);
      break;
    case 'c':
      if (/\bSEC\s*\(\s*"/.test(blankComments(text, 'c'))) return [];
      out = [...scanLibbpf(file, text), ...scanEmbeddedCommands(file, text, 'c')];
      break;
    case 'go':
      out = [...scanGo(file, text), ...scanEmbeddedCommands(file, text, 'go')];
      break;
    case 'python':
      out = [...scanBcc(file, text), ...scanEmbeddedCommands(file, text, 'python')];
      break;
    default:
      return [];
  }
  return dedupe(out);
}

function shebangKind(text: string): LoaderKind | undefined {
  const first = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!first) return undefined;
  const interp = basename(first[1]) === 'env' ? first[2] ?? '' : basename(first[1]);
  if (/^(sh|bash|dash|zsh|ksh|ash)$/.test(interp)) return 'sh';
  if (/^python[0-9.]*$/.test(interp)) return 'python';
  if (/^make$/.test(interp)) return 'make';
  return undefined;
}

/** Sorted by position; the same attach seen twice (a string and a list) counts once. */
function dedupe(list: LoaderEvidence[]): LoaderEvidence[] {
  const seen = new Set<string>();
  const out: LoaderEvidence[] = [];
  const sorted = [...list].sort((a, b) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (const e of sorted) {
    const key = JSON.stringify([e.range, e.hook, e.prog, e.progCandidates, e.object, e.section, e.dev]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}
