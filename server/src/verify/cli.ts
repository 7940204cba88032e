// `datapath-lens verify FILE.c ... [--root DIR] [--json | --sarif]`: compile each file and load
// its programs into the kernel's verifier (verify.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../cli/args';
import { formatText, toJson, displayPath } from '../cli/diagnostics-json';
import { toSarif } from '../cli/sarif';
import { loadFolder } from '../inference/load-folder';
import type { Workspace } from '../inference/workspace';
import { verifyUnsupported } from './support';
import { verdictTitle, verifyFile, type FileVerification, type ProgramInput } from './verify';

export interface VerifyDeps { workspace: () => Promise<Workspace>; version: string }

/** The programs of the workspace's C file `file`, with the hook our inference gives each. */
export function programInputs(ws: Workspace, file: string): ProgramInput[] {
  return ws.placed().filter((p) => p.model.file === file).map((p) => ({
    name: p.model.name, section: p.model.section, line: p.model.range.start.line, hook: p.placement.hook,
  }));
}

export function verificationJson(r: FileVerification, cwd = process.cwd()) {
  return {
    file: displayPath(r.file, cwd),
    compileMs: Math.round(r.compileMs), loadMs: Math.round(r.loadMs), ms: Math.round(r.ms),
    programs: r.programs.map((p) => ({
      name: p.name, section: p.section, line: p.line + 1, type: p.type ?? null, status: p.status,
      ...(p.insns !== undefined ? { insns: p.insns } : {}), ...(p.states !== undefined ? { states: p.states } : {}),
      ...(p.timeUs !== undefined ? { verifyUs: p.timeUs } : {}),
      ...(p.failure ? { failure: { line: p.failure.line ?? null, message: p.failure.message, detail: p.failure.detail, explanation: p.failure.explanation ?? null, states: p.failure.states } } : {}),
      ...(p.note ? { note: p.note } : {}),
    })),
  };
}

export async function verifyCommand(argv: string[], deps: VerifyDeps): Promise<number> {
  const args = parseArgs(argv, ['root']);
  if (!args.positional.length) throw new UsageError('verify takes one or more eBPF C files');
  const files = args.positional.map((f) => path.resolve(f));
  const texts = files.map((f) => {
    try { return fs.readFileSync(f, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`); }
  });
  const why = verifyUnsupported();
  if (why) { process.stderr.write(`datapath-lens: cannot verify: ${why}\n`); return 2; }
  const root = args.options.get('root')?.[0];
  const ws = await deps.workspace();
  files.forEach((f, i) => ws.setCFile(f, texts[i]));
  for (const dir of new Set(root ? [path.resolve(root)] : files.map((f) => path.dirname(f)))) loadFolder(ws, dir, { topologies: true, cFiles: false });
  const results = files.map((f, i) => verifyFile(f, texts[i], programInputs(ws, f), { root: root ? path.resolve(root) : path.dirname(f) }));
  ws.dispose();
  const diags = results.flatMap((r) => r.diagnostics).map((d) => toJson(d));
  if (args.flags.has('sarif')) process.stdout.write(JSON.stringify(toSarif(diags, deps.version), null, 2) + '\n');
  else if (args.flags.has('json')) process.stdout.write(JSON.stringify({ files: results.map((r) => verificationJson(r)), diagnostics: diags }, null, 2) + '\n');
  else {
    for (const r of results) {
      process.stdout.write(`${displayPath(r.file)}: compiled in ${Math.round(r.compileMs)} ms, loaded in ${Math.round(r.loadMs)} ms\n`);
      for (const p of r.programs) process.stdout.write(`  ${p.name}  SEC("${p.section}")${p.type ? ` type ${p.type}` : ''}: ${verdictTitle(p)}${p.states !== undefined && p.status === 'verified' ? ` · ${p.states} states` : ''}\n`);
    }
    for (const d of diags) process.stdout.write(formatText(d) + '\n');
  }
  return diags.some((d) => d.severity === 'error') ? 1 : 0;
}
