// Runs the lab's commands (ip, tc, bpftool, clang, ping): synchronously, each bounded in time,
// failing with the command line and its stderr. A dry runner records instead (unit tests).
import { spawnSync } from 'node:child_process';

export interface Cmd {
  argv: string[];
  /** Milliseconds before the command is killed (default 15 s). */
  timeoutMs?: number;
  /** Stderr text that means "already so" and is not a failure (e.g. /File exists/). */
  tolerate?: RegExp;
  /** Never fail (clean-up). */
  ignoreFailure?: boolean;
}

export interface CmdResult { status: number; stdout: string; stderr: string }

export class LabError extends Error {}

export type Runner = (cmd: Cmd) => CmdResult;

export const DEFAULT_TIMEOUT_MS = 15_000;

/** `a b 'c d'`: a command line to show in messages and in `--dry-run`. */
export function showCmd(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export const realRunner: Runner = (cmd) => {
  const r = spawnSync(cmd.argv[0], cmd.argv.slice(1), {
    encoding: 'utf8', timeout: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024,
  });
  const out: CmdResult = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (r.error) out.stderr += `${out.stderr ? '\n' : ''}${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : r.error.message}`;
  if (out.status !== 0 && !cmd.ignoreFailure && !(cmd.tolerate && cmd.tolerate.test(out.stderr))) {
    throw new LabError(`${showCmd(cmd.argv)} failed (${r.error ? 'error' : `exit ${out.status}`}): ${out.stderr.trim() || out.stdout.trim()}`);
  }
  return out;
};

/** Records every command and answers success with empty output. */
export function recordingRunner(log: Cmd[], answer?: (cmd: Cmd) => string): Runner {
  return (cmd) => { log.push(cmd); return { status: 0, stdout: answer?.(cmd) ?? '', stderr: '' }; };
}
