// Compile a BPF C file with clang and load each of its tc/XDP programs into the kernel's verifier
// (bpftool, in a fresh network and mount namespace, on a private bpffs that vanishes with it):
// compiler messages and verifier rejections become diagnostics at the line they name, and
// programs that pass get their instruction count, states and verification time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LabError, realRunner, type Runner } from '../lab/exec';
import type { Diagnostic, Range } from '../topology/model';
import { defaultCacheDir, includeFolders } from './includes';
import { explain, logStats, parseClang, parseFailure, splitProgramLogs, type VerifierFailure } from './log';

export type VerifyType = 'tc' | 'xdp';

/** What the C analysis knows of a program: its name, section, line and inferred hook. */
export interface ProgramInput { name: string; section: string; line: number; hook?: string }

export interface ProgramVerdict {
  name: string;
  section: string;
  /** 0-based line of the program's function. */
  line: number;
  type?: VerifyType;
  status: 'verified' | 'rejected' | 'not-verified';
  insns?: number;
  states?: number;
  timeUs?: number;
  failure?: VerifierFailure & { explanation?: string };
  /** Why it was not verified. */
  note?: string;
}

export interface FileVerification {
  file: string;
  programs: ProgramVerdict[];
  diagnostics: Diagnostic[];
  compileMs: number;
  loadMs: number;
  /** Compile + load, measured. */
  ms: number;
}

export interface VerifyOptions {
  /** The workspace folder searched for include folders (default: the file's folder). */
  root?: string;
  cacheDir?: string;
  run?: Runner;
}

/** tc or xdp: from the section, else from where our inference places the program. */
export function programType(p: ProgramInput): VerifyType | undefined {
  if (/^xdp(\/|\.|$)/.test(p.section)) return 'xdp';
  if (/^(tc|tcx|classifier|action|netkit)(\/|$)/.test(p.section)) return 'tc';
  if (p.hook && /^xdp/.test(p.hook)) return 'xdp';
  if (p.hook && /^(tc|tcx|netkit)-/.test(p.hook)) return 'tc';
  return undefined;
}

function lineRange(text: string[], line0: number, column0?: number): Range {
  const l = Math.max(0, Math.min(line0, text.length - 1));
  const s = text[l] ?? '';
  const start = column0 !== undefined ? Math.min(column0, s.length) : s.length - s.trimStart().length;
  return { start: { line: l, character: start }, end: { line: l, character: Math.max(start, s.trimEnd().length) } };
}

export function verifyFile(file: string, text: string, programs: ProgramInput[], opts: VerifyOptions = {}): FileVerification {
  const run = opts.run ?? realRunner;
  const lines = text.split('\n');
  const t0 = performance.now();
  const result: FileVerification = { file, programs: [], diagnostics: [], compileMs: 0, loadMs: 0, ms: 0 };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlverify-'));
  try {
    const object = path.join(tmp, path.basename(file).replace(/\.c$/, '') + '.o');
    const includes = includeFolders(file, text, opts.root ?? path.dirname(file), opts.cacheDir ?? defaultCacheDir(), run);
    const cc = run({ argv: ['clang', '-O2', '-g', '-target', 'bpf', ...includes.map((d) => `-I${d}`), '-c', file, '-o', object], timeoutMs: 60_000, ignoreFailure: true });
    result.compileMs = performance.now() - t0;
    for (const m of parseClang(cc.stderr)) {
      const here = m.file && path.resolve(path.dirname(file), m.file) === path.resolve(file);
      result.diagnostics.push({
        file, severity: m.severity, code: m.severity === 'error' ? 'compile-error' : 'compile-warning',
        range: here ? lineRange(lines, m.line - 1, m.column - 1) : lineRange(lines, 0),
        message: `${here || !m.file ? '' : `${m.file}:${m.line}: `}${m.message} (clang)`,
      });
    }
    if (cc.status !== 0 || !fs.existsSync(object)) {
      if (!result.diagnostics.some((d) => d.severity === 'error')) {
        result.diagnostics.push({ file, severity: 'error', code: 'compile-error', range: lineRange(lines, 0), message: `clang failed: ${(cc.stderr || cc.stdout).trim().split('\n').slice(-3).join(' ')}` });
      }
      result.programs = programs.map((p) => ({ name: p.name, section: p.section, line: p.line, status: 'not-verified', note: 'the file does not compile' }));
      return result;
    }
    const t1 = performance.now();
    result.programs = loadPrograms(file, object, tmp, programs, run);
    result.loadMs = performance.now() - t1;
    for (const p of result.programs) {
      if (p.status !== 'rejected' || !p.failure) continue;
      const f = p.failure;
      result.diagnostics.push({
        file, severity: 'error', code: 'verifier-rejected',
        range: lineRange(lines, f.line !== undefined ? f.line - 1 : p.line),
        message: `${p.name}: the verifier rejected it: ${f.message}${f.explanation ? ` — ${f.explanation}` : ''}`,
      });
    }
    return result;
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    result.diagnostics.push({ file, severity: 'error', code: 'verify-failed', range: lineRange(lines, 0), message: e.message });
    return result;
  } finally {
    result.ms = performance.now() - t0;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Loads the object's programs, one bpftool run per program type (`type tc` / `type xdp`), the
 * sections of the other types switched off (renamed `?SEC`: libbpf does not autoload them).
 * libbpf stops at the first rejected program, so its section is then switched off too and the
 * rest loaded again; programs sharing a section with a rejected one are not verified.
 */
function loadPrograms(file: string, object: string, tmp: string, programs: ProgramInput[], run: Runner): ProgramVerdict[] {
  const verdicts = new Map<string, ProgramVerdict>();
  for (const p of programs) {
    const type = programType(p);
    verdicts.set(p.name, { name: p.name, section: p.section, line: p.line, ...(type ? { type } : {}), status: 'not-verified', ...(type ? {} : { note: 'neither a tc nor an XDP program' }) });
  }
  const sections = [...new Set(programs.map((p) => p.section))];
  const bpffs = path.join(tmp, 'bpffs');
  fs.mkdirSync(bpffs);
  for (const type of ['tc', 'xdp'] as const) {
    const mine = programs.filter((p) => programType(p) === type);
    if (!mine.length) continue;
    const off = new Set(sections.filter((s) => !mine.some((p) => p.section === s)));
    for (let attempt = 0; attempt <= mine.length; attempt++) {
      let obj = object;
      if (off.size) {
        obj = path.join(tmp, `${type}-${attempt}.o`);
        run({ argv: ['llvm-objcopy', ...[...off].flatMap((s) => ['--rename-section', `${s}=?${s}`]), object, obj], timeoutMs: 15_000 });
      }
      const r = run({
        argv: ['unshare', '-n', '-m', 'sh', '-c', 'mount -t bpf bpf "$1" && exec bpftool -d prog loadall "$2" "$1" type "$3"', 'sh', bpffs, obj, type],
        timeoutMs: 60_000, ignoreFailure: true,
      });
      const logs = splitProgramLogs(`${r.stdout}\n${r.stderr}`);
      let rejected: ProgramVerdict | undefined;
      for (const log of logs) {
        const v = verdicts.get(log.name);
        if (!v || v.type !== type) continue;
        const stats = logStats(log.lines);
        Object.assign(v, { status: log.ok ? 'verified' : 'rejected' }, stats);
        delete v.note;
        if (!log.ok) {
          const f = parseFailure(log.lines, file);
          if (!log.lines.length) f.message = bpftoolError(r.stderr) ?? f.message;
          const explanation = explain(f.message);
          v.failure = { ...f, ...(explanation ? { explanation } : {}) };
          rejected = v;
        }
      }
      const pending = mine.filter((p) => verdicts.get(p.name)!.status === 'not-verified' && !off.has(p.section));
      if (!rejected) {
        const why = bpftoolError(r.stderr);
        for (const p of pending) verdicts.get(p.name)!.note = r.status === 0 ? 'bpftool did not load it' : `bpftool failed: ${why ?? `exit ${r.status}`}`;
        break;
      }
      off.add(rejected.section);
      for (const p of pending) if (p.section === rejected.section) verdicts.get(p.name)!.note = `not verified: it shares SEC("${p.section}") with ${rejected.name}, which the verifier rejected`;
      if (!pending.some((p) => !off.has(p.section))) break;
    }
  }
  return programs.map((p) => verdicts.get(p.name)!);
}

function bpftoolError(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((l) => /^(Error: |libbpf: .*(failed|error|Error))/.test(l) && !/can't pin|failed to pin/.test(l));
  return lines.length ? lines.map((l) => l.replace(/^Error: /, '')).join('; ') : undefined;
}

/** "verified · 123 insns · 0.08 ms" or "✗ rejected: line 42" (code lens titles). */
export function verdictTitle(v: ProgramVerdict): string {
  if (v.status === 'verified') {
    const ms = v.timeUs !== undefined ? ` · ${v.timeUs < 10_000 ? (v.timeUs / 1000).toFixed(2) : Math.round(v.timeUs / 1000)} ms` : '';
    return `verified · ${v.insns ?? '?'} insns${ms}`;
  }
  if (v.status === 'rejected') return `✗ rejected${v.failure?.line !== undefined ? `: line ${v.failure.line}` : ''}${v.failure ? ` · ${v.failure.message.slice(0, 60)}` : ''}`;
  return `not verified${v.note ? `: ${v.note}` : ''}`;
}
