// Reading what clang and `bpftool -d prog loadall` print: pure functions, tested without a kernel.
import * as path from 'node:path';

/** One program's verifier log, as libbpf prints it between BEGIN/END PROG LOAD LOG. */
export interface ProgramLog { name: string; ok: boolean; lines: string[] }

export interface VerifierFailure {
  /** 1-based source line the verifier names last before the error (undefined: none of this file). */
  line?: number;
  /** The verifier's own message (first line), and the lines after it. */
  message: string;
  detail: string[];
  /** The last verifier states before the failure (instruction lines with their register states). */
  states: string[];
}

export interface LogStats {
  /** `processed N insns`, `total_states N`, `verification time N usec`. */
  insns?: number;
  states?: number;
  timeUs?: number;
}

const BEGIN = /^libbpf: prog '([^']+)': -- BEGIN PROG LOAD LOG --$/;
const END = /^-- END PROG LOAD LOG --$/;
const FAILED = /^libbpf: prog '([^']+)': (?:BPF program load failed|failed to load)/;
const SOURCE = /^; (.*) @ (.+):(\d+)$/;
const INSN = /^\d+: \([0-9a-f]{2}\)/;
const STATE = /^\d+: R\d+/;

/** Splits bpftool's output into per-program logs; a program is ok when libbpf did not say it failed. */
export function splitProgramLogs(output: string): ProgramLog[] {
  const out: ProgramLog[] = [];
  const failed = new Set<string>();
  let cur: ProgramLog | undefined;
  for (const line of output.split('\n')) {
    const f = FAILED.exec(line);
    if (f) { failed.add(f[1]); if (!cur) continue; }
    const b = BEGIN.exec(line);
    if (b) { cur = { name: b[1], ok: true, lines: [] }; out.push(cur); continue; }
    if (cur && END.test(line)) { cur = undefined; continue; }
    if (cur) cur.lines.push(line);
  }
  for (const p of out) if (failed.has(p.name)) p.ok = false;
  // A program that failed without a log (e.g. a map it uses could not be created).
  for (const name of failed) if (!out.some((p) => p.name === name)) out.push({ name, ok: false, lines: [] });
  return out;
}

export function logStats(lines: string[]): LogStats {
  const s: LogStats = {};
  for (const l of lines) {
    const p = /^processed (\d+) insns .*total_states (\d+)/.exec(l);
    if (p) { s.insns = Number(p[1]); s.states = Number(p[2]); }
    const t = /^verification time (\d+) usec/.exec(l);
    if (t) s.timeUs = Number(t[1]);
  }
  return s;
}

const isNoise = (l: string) => !l.trim() || /^\(\d+\) /.test(l) || /^(func#\d+ @\d+|Live regs before insn:|caller:|callee:)$/.test(l)
  || /^ +\d+: [.0-9]{10} /.test(l) || /^libbpf: /.test(l);

/**
 * The failure in a rejected program's log: the message is the first line after the last
 * instruction that is neither an instruction, a source line nor liveness output; its line is the
 * last `; ... @ FILE:LINE` of `sourceFile` before it.
 */
export function parseFailure(lines: string[], sourceFile: string): VerifierFailure {
  let end = lines.findIndex((l) => /^verification time \d+ usec/.test(l) || /^processed \d+ insns/.test(l));
  if (end < 0) end = lines.length;
  let lastInsn = -1;
  for (let i = 0; i < end; i++) if (INSN.test(lines[i]) || SOURCE.test(lines[i])) lastInsn = i;
  const after = lines.slice(lastInsn + 1, end).filter((l) => !isNoise(l) && !SOURCE.test(l));
  const message = after[0]?.trim() || lines.slice(0, end).filter((l) => !isNoise(l)).pop()?.trim() || 'the verifier rejected the program';
  const at = lastInsn >= 0 ? lastInsn + 1 + lines.slice(lastInsn + 1, end).findIndex((l) => l.trim() === message) : end;
  const base = path.basename(sourceFile);
  let line: number | undefined;
  for (let i = Math.min(at, end) - 1; i >= 0; i--) {
    const m = SOURCE.exec(lines[i]);
    if (m && path.basename(m[2]) === base && Number(m[3]) > 0) { line = Number(m[3]); break; }
  }
  const states = lines.slice(0, Math.min(at, end)).filter((l) => INSN.test(l) || STATE.test(l) || /^from \d+ to \d+: /.test(l)).slice(-6)
    .map((l) => (l.length > 400 ? l.slice(0, 400) + '…' : l));
  return { ...(line !== undefined ? { line } : {}), message, detail: after.slice(1, 6).map((l) => l.trim()), states };
}

/** A short explanation of the common rejections (undefined for the others). */
export function explain(message: string): string | undefined {
  if (/invalid access to packet/.test(message)) return 'The program touches packet bytes it has not proven to lie before data_end: compare `(void *)(hdr + 1) > data_end` and return before reading the header.';
  if (/_or_null'?/.test(message)) return 'A map lookup may return NULL: check the pointer (`if (!value) return ...;`) before using it.';
  if (/back-edge|infinite loop|too complex|program is too large/i.test(message)) return 'The verifier cannot prove that the loop ends: give it a constant bound (`for (int i = 0; i < N; i++)`) or use bpf_loop().';
  if (/program of this type cannot use helper/.test(message)) return 'This program type may not call that helper (bpf_redirect_peer is tc-only, for example): use a helper of this hook, or attach the program at a hook that allows it.';
  if (/stack size|combined stack|stack limit/i.test(message)) return 'BPF has 512 bytes of stack, summed over the whole call chain: move large buffers into a per-CPU array map.';
  if (/unknown func/.test(message)) return 'The kernel does not know this helper (or not for this program type).';
  if (/invalid mem access 'scalar'|R\d+ !read_ok/.test(message)) return 'A register is used as a pointer (or read) before it holds one: check the code path that reaches this line.';
  return undefined;
}

export interface CompilerMessage { file: string; line: number; column: number; severity: 'error' | 'warning'; message: string }

/** `file:LINE:COL: error|warning: message` lines of clang's stderr (notes dropped). */
export function parseClang(stderr: string): CompilerMessage[] {
  const out: CompilerMessage[] = [];
  for (const l of stderr.split('\n')) {
    const m = /^(.+?):(\d+):(\d+): (error|fatal error|warning): (.*)$/.exec(l);
    if (m) out.push({ file: m[1], line: Number(m[2]), column: Number(m[3]), severity: m[4] === 'warning' ? 'warning' : 'error', message: m[5] });
    else {
      const g = /^(?:error|fatal error): (.*)$/.exec(l);
      if (g) out.push({ file: '', line: 0, column: 0, severity: 'error', message: g[1] });
    }
  }
  return out;
}
