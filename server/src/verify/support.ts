// Can this machine compile and verify eBPF programs? A sentence saying what is missing and how
// to get it, or undefined.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { works } from '../lab/support';

const CAP_SYS_ADMIN = 21;
const CAP_BPF = 39;

/** The effective capabilities of this process (from /proc/self/status). */
function capEff(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt('0x' + m[1]) : 0n;
  } catch {
    return 0n;
  }
}
const has = (caps: bigint, bit: number) => ((caps >> BigInt(bit)) & 1n) === 1n;

let cached: { at: number; why: string | undefined } | undefined;

/** Cached for a minute: the editor asks on every save. */
export function verifyUnsupported(): string | undefined {
  if (cached && Date.now() - cached.at < 60_000) return cached.why;
  cached = { at: Date.now(), why: check() };
  return cached.why;
}

function check(): string | undefined {
  if (process.platform !== 'linux') return `verifying needs the Linux kernel's BPF verifier, and this is ${process.platform}`;
  const caps = capEff();
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root && !(has(caps, CAP_BPF) && has(caps, CAP_SYS_ADMIN))) {
    return 'verifying loads programs into the kernel: it needs root (or CAP_BPF with CAP_SYS_ADMIN for the private bpffs and network namespace), and this process has neither. Run the editor or `sudo datapath-lens verify` as root.';
  }
  const missing: string[] = [];
  if (!works('clang', ['--version'])) missing.push('clang (apt-get install clang)');
  if (!works('bpftool', ['version'])) missing.push('bpftool (apt-get install bpftool, or linux-tools-$(uname -r))');
  if (!works('llvm-objcopy', ['--version'])) missing.push('llvm-objcopy (apt-get install llvm)');
  if (!works('unshare', ['--version'])) missing.push('unshare (apt-get install util-linux)');
  if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) missing.push("libbpf's headers (apt-get install libbpf-dev)");
  if (missing.length) return `verifying needs ${missing.join(', ')}, not found on this machine`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlverify-check-'));
  try {
    const r = spawnSync('unshare', ['-n', '-m', 'mount', '-t', 'bpf', 'bpf', dir], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0) return `this machine refuses a private network namespace with a bpf filesystem (unshare -n -m mount -t bpf: ${(r.stderr || r.error?.message || '').trim()})`;
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
