// `datapath-lens`: the analysis core on the command line (contract.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathDiagnostics } from '../datapath/verdict-diagnostics';
import { Walker } from '../datapath/walk';
import { unknownEffects } from '../datapath/path';
import type { Diagnostic } from '../topology/model';
import { parseTopology } from '../topology/parse';
import { resolvePathStatement } from '../topology/resolve';
import { parseStatements } from '../topology/syntax';
import { parseArgs, UsageError } from './args';
import { formatText, toJson } from './diagnostics-json';
import { pathToJson, pathToTable } from './path-json';
import { toSarif } from './sarif';

declare const DATAPATH_LENS_VERSION: string;
const VERSION = typeof DATAPATH_LENS_VERSION === 'string' ? DATAPATH_LENS_VERSION : '0.0.0-dev';

const USAGE = `Usage: datapath-lens <command> [options]

Commands:
  path FILE.topo [--from A --to B] [--json]   walk the packet paths of a topology
  check [PATH ...] [--json | --sarif]          report diagnostics for topology files
  --version                                    print the version

Exit status: 0 fine, 1 an error diagnostic, 2 bad usage or unreadable input.`;

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function pathCommand(argv: string[]): number {
  const args = parseArgs(argv, ['from', 'to']);
  const [file] = args.positional;
  if (!file || args.positional.length > 1) throw new UsageError('path takes one topology file');
  const abs = path.resolve(file);
  const { topology, diagnostics } = parseTopology(readFile(abs), abs);
  const from = args.options.get('from')?.[0];
  const to = args.options.get('to')?.[0];
  if ((from === undefined) !== (to === undefined)) throw new UsageError('--from and --to go together');
  let specs = topology.paths;
  if (from !== undefined && to !== undefined) {
    const parsed = parseStatements(`path ${from} -> ${to}`, '<command line>');
    const st = parsed.statements[0];
    if (!st || st.kind !== 'path') throw new UsageError(`--from/--to: ${parsed.diagnostics[0]?.message ?? 'not a path'}`);
    const r = resolvePathStatement(topology, st);
    if (!r.spec) throw new UsageError(`--from/--to: ${r.diagnostics.map((d) => d.message).join(' ')}`);
    specs = [r.spec];
  }
  const walker = new Walker(topology, unknownEffects);
  const results = specs.map((s) => walker.walk(s));
  const all: Diagnostic[] = [...diagnostics, ...(from === undefined ? pathDiagnostics(results, abs) : [])];
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify({ paths: results.map(pathToJson), diagnostics: all.map((d) => toJson(d)) }, null, 2) + '\n');
  } else {
    for (const d of diagnostics) process.stderr.write(formatText(toJson(d)) + '\n');
    process.stdout.write(results.map(pathToTable).join('\n\n') + '\n');
  }
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** Topology files named, or found under the folders named. */
function collectTopologies(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, seen: Set<string>) => {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch { throw new UsageError(`no such file or folder: ${p}`); }
    if (st.isFile()) { out.push(path.resolve(p)); return; }
    const real = fs.realpathSync(p);
    if (seen.has(real)) return;
    seen.add(real);
    for (const e of fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const child = path.join(p, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && fs.statSync(child, { throwIfNoEntry: false })?.isDirectory())) visit(child, seen);
      else if (e.name.endsWith('.topo')) out.push(path.resolve(child));
    }
  };
  for (const p of paths) visit(p, new Set());
  return out;
}

function checkCommand(argv: string[]): number {
  const args = parseArgs(argv, []);
  const files = collectTopologies(args.positional.length ? args.positional : ['.']);
  const diags: Diagnostic[] = [];
  for (const file of files) {
    const { topology, diagnostics } = parseTopology(readFile(file), file);
    const walker = new Walker(topology, unknownEffects);
    diags.push(...diagnostics, ...pathDiagnostics(topology.paths.map((p) => walker.walk(p)), file));
  }
  const json = diags.map((d) => toJson(d));
  if (args.flags.has('sarif')) process.stdout.write(JSON.stringify(toSarif(json, VERSION), null, 2) + '\n');
  else if (args.flags.has('json')) process.stdout.write(JSON.stringify({ files: files.length, diagnostics: json }, null, 2) + '\n');
  else {
    for (const d of json) process.stdout.write(formatText(d) + '\n');
    const count = (s: string) => json.filter((d) => d.severity === s).length;
    process.stdout.write(`${files.length} file(s): ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s)\n`);
  }
  return diags.some((d) => d.severity === 'error') ? 1 : 0;
}

export function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'path': return pathCommand(rest);
      case 'check': return checkCommand(rest);
      case '--version': case 'version': process.stdout.write(VERSION + '\n'); return 0;
      case undefined: case '--help': case '-h': case 'help': process.stdout.write(USAGE + '\n'); return cmd === undefined ? 2 : 0;
      default: throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`datapath-lens: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
