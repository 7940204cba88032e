// `datapath-lens`: the analysis core on the command line (contract.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createCParser } from '../ebpf/parser';
import { startServer } from '../lsp/server';
import { isBpfC, loadFolder, readIfExists } from '../inference/load-folder';
import { labCommand } from '../lab/lab';
import { importCommand } from '../import/command';
import { verifyCommand } from '../verify/cli';
import { Workspace } from '../inference/workspace';
import { resolvePathStatement } from '../topology/resolve';
import { parseStatements } from '../topology/syntax';
import { parseArgs, UsageError } from './args';
import { formatText, toJson } from './diagnostics-json';
import { pathToJson, pathToTable } from './path-json';
import { programToJson } from './programs-json';
import { toSarif } from './sarif';

declare const DATAPATH_LENS_VERSION: string;
const VERSION = typeof DATAPATH_LENS_VERSION === 'string' ? DATAPATH_LENS_VERSION : '0.0.0-dev';

const USAGE = `Usage: datapath-lens <command> [options]

Commands:
  path FILE.topo [--from A --to B] [--json]   walk the packet paths of a topology
  programs FILE.c ... [--topo F.topo ...] [--root DIR] [--json]
                                               where each eBPF program runs, and its redirects
  check [PATH ...] [--json | --sarif]          diagnostics for topology, eBPF C and loader files
  lab up|trace|down FILE.topo [--json]         build the topology in fresh network namespaces (root),
                                               trace its paths on the kernel, remove it again
  verify FILE.c ... [--root DIR] [--json | --sarif]
                                               compile each file and load its tc/XDP programs into
                                               the kernel's verifier (root); rejections as diagnostics
  lsp --stdio                                  the language server, for any LSP client
  --version                                    print the version

Exit status: 0 fine, 1 an error diagnostic, 2 bad usage or unreadable input.`;

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The tree-sitter parser: its wasm files sit beside the bundle. */
async function workspace(): Promise<Workspace> {
  const parser = await createCParser({ wasmDir: __dirname });
  return new Workspace(parser, readIfExists);
}

async function pathCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['from', 'to']);
  const [file] = args.positional;
  if (!file || args.positional.length > 1) throw new UsageError('path takes one topology file');
  const abs = path.resolve(file);
  const ws = await workspace();
  const { topology, diagnostics } = ws.setTopology(abs, readFile(abs));
  const from = args.options.get('from')?.[0];
  const to = args.options.get('to')?.[0];
  if ((from === undefined) !== (to === undefined)) throw new UsageError('--from and --to go together');
  let results = ws.paths(abs);
  if (from !== undefined && to !== undefined) {
    const parsed = parseStatements(`path ${from} -> ${to}`, '<command line>');
    const st = parsed.statements[0];
    if (!st || st.kind !== 'path') throw new UsageError(`--from/--to: ${parsed.diagnostics[0]?.message ?? 'not a path'}`);
    const r = resolvePathStatement(topology, st);
    if (!r.spec) throw new UsageError(`--from/--to: ${r.diagnostics.map((d) => d.message).join(' ')}`);
    results = [ws.walker(topology).walk(r.spec)];
  }
  const all = ws.diagnostics().filter((d) => from === undefined || !d.code.startsWith('path-'));
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify({ paths: results.map(pathToJson), diagnostics: all.map((d) => toJson(d)) }, null, 2) + '\n');
  } else {
    for (const d of all) process.stderr.write(formatText(toJson(d)) + '\n');
    process.stdout.write(results.map(pathToTable).join('\n\n') + '\n');
  }
  ws.dispose();
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** The nearest folder holding every file. */
function commonRoot(files: string[]): string {
  let root = path.dirname(files[0]);
  while (!files.every((f) => f.startsWith(root + path.sep)) && path.dirname(root) !== root) root = path.dirname(root);
  return root;
}

async function programsCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['topo', 'root']);
  if (!args.positional.length) throw new UsageError('programs takes one or more eBPF C files');
  const files = args.positional.map((f) => path.resolve(f));
  const root = path.resolve(args.options.get('root')?.[0] ?? commonRoot(files));
  const ws = await workspace();
  for (const f of files) ws.setCFile(f, readFile(f));
  const topos = args.options.get('topo');
  for (const t of topos ?? []) ws.setTopology(path.resolve(t), readFile(path.resolve(t)));
  loadFolder(ws, root, { topologies: !topos, cFiles: false });
  const placed = ws.placed().filter((p) => files.includes(p.model.file));
  const diags = ws.diagnostics();
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify({ programs: placed.map(programToJson), diagnostics: diags.map((d) => toJson(d)) }, null, 2) + '\n');
  } else {
    for (const p of placed.map(programToJson)) {
      process.stdout.write(`${p.file}:${p.line} ${p.name}  SEC("${p.section}")  ${p.hook} · ${p.role} · ${p.confidence}${p.attachments.length ? `  at ${p.attachments.map((a) => `${a.dev}@${a.ns}`).join(', ')}` : ''}\n`);
      for (const e of p.evidence) process.stdout.write(`    evidence: ${e.kind} ${e.file ?? ''}${e.line ? ':' + e.line : ''} ${e.detail}\n`);
      for (const r of p.redirects) process.stdout.write(`    line ${r.line}: ${r.helper} (${r.kind}${r.target ? ' → ' + r.target : ''})${r.legal ? '' : ' — dropped by the kernel'}\n`);
    }
    for (const d of diags) process.stdout.write(formatText(toJson(d)) + '\n');
  }
  ws.dispose();
  return diags.some((d) => d.severity === 'error') ? 1 : 0;
}

async function checkCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, []);
  const targets = args.positional.length ? args.positional : ['.'];
  const ws = await workspace();
  for (const t of targets) {
    const abs = path.resolve(t);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`no such file or folder: ${t}`);
    if (st.isDirectory()) { loadFolder(ws, abs, { topologies: true, cFiles: true }); continue; }
    const text = readFile(abs);
    if (abs.endsWith('.topo')) ws.setTopology(abs, text);
    else if (isBpfC(abs, text)) ws.setCFile(abs, text);
    else ws.setLoader(abs, text);
  }
  const diags = ws.diagnostics();
  const files = ws.size();
  const json = diags.map((d) => toJson(d));
  if (args.flags.has('sarif')) process.stdout.write(JSON.stringify(toSarif(json, VERSION), null, 2) + '\n');
  else if (args.flags.has('json')) process.stdout.write(JSON.stringify({ files, diagnostics: json }, null, 2) + '\n');
  else {
    for (const d of json) process.stdout.write(formatText(d) + '\n');
    const count = (s: string) => json.filter((d) => d.severity === s).length;
    process.stdout.write(`${files} file(s): ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} note(s)\n`);
  }
  ws.dispose();
  return diags.some((d) => d.severity === 'error') ? 1 : 0;
}

/** The language server over stdio (or --node-ipc / --socket=N), for any LSP client. */
function lspCommand(argv: string[]): number {
  if (!argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
    throw new UsageError('lsp needs a transport: --stdio (or --node-ipc, --socket=PORT, --pipe=NAME)');
  }
  startServer(createConnection(ProposedFeatures.all), { wasmDir: __dirname });
  return -1;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'path': return await pathCommand(rest);
      case 'programs': return await programsCommand(rest);
      case 'check': return await checkCommand(rest);
      case 'lab': return await labCommand(rest, { workspace });
      case 'import': return await importCommand(rest);
      case 'verify': return await verifyCommand(rest, { workspace, version: VERSION });
      case 'lsp': return lspCommand(rest);
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

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { if (code >= 0) process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`datapath-lens: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 3;
  });
}
