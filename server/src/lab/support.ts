// Can this machine run the lab? A sentence that says why not, or undefined.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const TOOLS: Array<[string, string[], string]> = [
  ['ip', ['-V'], 'iproute2'],
  ['tc', ['-V'], 'iproute2'],
  ['bpftool', ['version'], 'bpftool'],
  ['clang', ['--version'], 'clang'],
  ['ping', ['-V'], 'iputils-ping'],
];

/** Does `cmd args` run and exit 0 (within 5 s)? */
export function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  return !r.error && r.status === 0;
}

export function labUnsupported(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux network namespaces, and this is ${process.platform}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the lab needs root (network namespaces, bpffs and BPF programs), and this process is not root';
  const missing = TOOLS.filter(([c, a]) => !works(c, a)).map(([c, , pkg]) => `${c} (${pkg})`);
  if (missing.length) return `the lab needs ${missing.join(', ')}, not found on this machine`;
  if (!fs.existsSync('/proc/sys/net/ipv4/ip_forward')) return 'the lab needs IPv4 networking (/proc/sys/net/ipv4 is missing)';
  if (!fs.readFileSync('/proc/filesystems', 'utf8').split('\n').some((l) => l.trim().endsWith('bpf'))) return 'the kernel has no bpf filesystem (CONFIG_BPF_SYSCALL)';
  return tryNamespaceAndBpffs();
}

/** A throw-away namespace and bpffs mount: refused in many containers even as root. */
function tryNamespaceAndBpffs(): string | undefined {
  const ns = `dlcheck${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8', timeout: 5000 });
  if (add.status !== 0) return `this machine refuses network namespaces (ip netns add: ${(add.stderr || add.error?.message || '').trim()})`;
  spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlcheck-'));
  try {
    const m = spawnSync('mount', ['-t', 'bpf', 'bpf', dir], { encoding: 'utf8', timeout: 5000 });
    if (m.status !== 0) return `this machine refuses a bpf filesystem (mount -t bpf: ${(m.stderr || m.error?.message || '').trim()})`;
    spawnSync('umount', [dir], { timeout: 5000 });
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Can this machine make netkit pairs? Kernel 6.7+ built with CONFIG_NETKIT, and iproute2 6.7+
 * that knows `type netkit`: tried in a throw-away namespace. A sentence that says why not.
 */
export function netkitUnsupported(): string | undefined {
  const ns = `dlnk${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8', timeout: 5000 });
  if (add.status !== 0) return `this machine refuses network namespaces (ip netns add: ${(add.stderr || '').trim()})`;
  try {
    const r = spawnSync('ip', ['-n', ns, 'link', 'add', 'dlnk0', 'type', 'netkit', 'peer', 'name', 'dlnk1'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) return undefined;
    const msg = (r.stderr || r.error?.message || '').trim().split('\n')[0];
    const version = (spawnSync('ip', ['-V'], { encoding: 'utf8' }).stdout ?? '').trim();
    const reasons: string[] = [];
    if (/iproute2-(?:[0-5]\.|6\.[0-6]\b)/.test(version)) reasons.push(`${version.replace(/^ip utility, /, '').split(',')[0]} predates netkit (6.7+)`);
    if (kernelConfig('CONFIG_NETKIT') === false) reasons.push(`kernel ${os.release()} is built without CONFIG_NETKIT`);
    return `${reasons.length ? reasons.join(', and ') : `this machine cannot make netkit devices (kernel ${os.release()}, needs 6.7+ with CONFIG_NETKIT)`} (ip link add type netkit: ${msg})`;
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
  }
}

/** A kernel option from /proc/config.gz: true/false, or undefined when the file is not there. */
function kernelConfig(option: string): boolean | undefined {
  try {
    const text = zlib.gunzipSync(fs.readFileSync('/proc/config.gz')).toString('utf8');
    return new RegExp(`^${option}=[ym]$`, 'm').test(text);
  } catch {
    return undefined;
  }
}

/** tcx (bpf_mprog at the tc hooks) came with kernel 6.6. */
export function tcxSupported(release: string = os.release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return !!m && (Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 6));
}
