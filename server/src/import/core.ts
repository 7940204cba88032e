// `import` without the command line: choose namespaces, read them (live or from a dump), check
// them, emit the topology. The CLI and the language server both call this.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Runner } from '../lab/exec';
import { parseTopology } from '../topology/parse';
import { emitTopology } from './emit';
import { ImportError } from './errors';
import type { CSource } from './programs';
import type { RawMachine } from './raw';
import { FILES } from './dump-layout';
import { dumpNamespaces, readDump } from './read-dump';
import { liveNamespaces, readLive } from './read-live';
import { snapshot } from './snapshot';

export interface ImportRequest {
  /** Named namespaces to add to the root one. */
  netns?: string[];
  allNetns?: boolean;
  /** Only the namespaces named PREFIX-*, mapped back to their topology names (not the root). */
  prefix?: string;
  fromDump?: string;
  /** C files: kernel names truncated to 15 characters map back to their functions. */
  sources?: string[];
  /** Folder that `attach ... file` paths are relative to. */
  outDir: string;
  run: Runner;
  /** Whether this process may enter namespaces (root); default: getuid() === 0. */
  root?: boolean;
}

export interface ImportResult { text: string; unreadable: string[]; namespaces: number }

function select(all: string[], req: ImportRequest): { names: string[]; root: boolean } {
  if (req.prefix) return { names: all.filter((n) => n.startsWith(`${req.prefix}-`)), root: false };
  if (req.allNetns) return { names: all, root: true };
  for (const n of req.netns ?? []) if (!all.includes(n)) throw new ImportError(`no namespace "${n}" (there are: ${all.join(', ') || 'none'})`);
  return { names: req.netns ?? [], root: true };
}

export function importTopology(req: ImportRequest): ImportResult {
  const isRoot = req.root ?? (typeof process.getuid !== 'function' || process.getuid() === 0);
  let machine: RawMachine;
  const notes: string[] = [];
  if (req.fromDump) {
    const sel = select(dumpNamespaces(req.fromDump), req);
    machine = readDump(req.fromDump, (n) => (n === '' ? sel.root : sel.names.includes(n)));
  } else {
    const sel = select(liveNamespaces(req.run), req);
    let names = sel.names;
    if (!isRoot && names.length) {
      notes.push(`namespaces ${names.join(', ')}: entering a namespace needs root`);
      names = [];
    }
    machine = readLive(req.run, names, sel.root);
  }
  if (!machine.namespaces.length) throw new ImportError(req.prefix ? `no namespace is named ${req.prefix}-*` : 'no namespace selected');
  const snaps = machine.namespaces.map(snapshot);
  const blind = bpftoolBlindSpots(machine.namespaces[0]?.read(FILES.bpftoolVersion));
  if (!isRoot && !req.fromDump) notes.push('without root, bpftool and ip_forward in other namespaces may be unreadable');
  const sources: CSource[] = (req.sources ?? []).map((f) => {
    try {
      return { path: path.resolve(f), text: fs.readFileSync(f, 'utf8') };
    } catch (e) {
      throw new ImportError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  });
  const byName = new Map(machine.namespaces.map((n) => [n.name, n]));
  const out = emitTopology(snaps, {
    source: machine.source, prefix: req.prefix, sources, outDir: req.outDir,
    where: (ns, file) => byName.get(ns)?.where(file) ?? file,
  });
  const unreadable = [...notes, ...(blind ? [blind] : []), ...out.unreadable];
  let text = out.text;
  const head = [...notes.map((n) => `# Could not read: ${n}`), ...(blind ? [`# Not listed: ${blind}`] : [])];
  if (head.length) text = text.replace('\n', `\n${head.join('\n')}\n`);
  // What we write must parse: a failure here is our bug, said before anything is written.
  const errors = parseTopology(text, path.join(req.outDir, 'imported.topo')).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new ImportError(`the imported topology does not parse (a bug): ${errors.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join('; ')}`);
  return { text, unreadable, namespaces: snaps.length };
}

/**
 * What the bpftool that made `bpftool -j net show` could not list: tcx programs came to its
 * net dump with bpftool 7.3 (kernel 6.6), netkit programs with 7.4 (kernel 6.7).
 */
export function bpftoolBlindSpots(versionText: string | undefined): string | undefined {
  const m = /bpftool v(\d+)\.(\d+)/.exec(versionText ?? '');
  if (!m) return undefined;
  const v = Number(m[1]) * 100 + Number(m[2]);
  const missing = [...(v < 703 ? ['tcx (7.3+)'] : []), ...(v < 704 ? ['netkit (7.4+)'] : [])];
  return missing.length ? `bpftool v${m[1]}.${m[2]} does not list ${missing.join(' or ')} programs: any attached that way are missing from this file` : undefined;
}

/** Writes `text` to `file` through a temporary file in the same folder, renamed only on success. */
export function writeAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new ImportError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
