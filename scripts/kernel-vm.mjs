// A second kernel for the lab, under qemu, for what this machine's own kernel cannot show:
// netkit (CONFIG_NETKIT, kernel 6.7+) is not built into every kernel, and iproute2 6.1 cannot
// make netkit devices. Debian's bookworm-backports kernel (netkit built in), iproute2 and
// bpftool are fetched once into the cache folder, checked against the archive's index, and
// unpacked there (nothing is installed on the machine). The VM boots that kernel with a small
// busybox initramfs, mounts this machine's root read-only over 9p, chroots into it and runs a
// shell script; the script's stdout, stderr and exit status come back through a second,
// writable 9p share. So the lab, node and clang inside are the very ones of this checkout.
// KVM is used when it works; otherwise qemu emulates (TCG): slower, same kernel.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheDir, ensureAptPackages } from './code-server.mjs';

export const MIRROR = 'http://deb.debian.org/debian';
export const SUITE = 'bookworm-backports';
/** Debian packages the VM needs on this machine: qemu, and a static busybox for the initramfs. */
export const APT_PACKAGES = ['qemu-system-x86', 'busybox-static', 'xz-utils'];

/** The packages fetched from the archive: a name pattern each (the newest matching version wins). */
const WANTED = {
  kernel: /^linux-image-6\.\d+\.\d+\+deb12-amd64-unsigned$/,
  iproute2: /^iproute2$/,
  bpftool: /^bpftool$/,
};

/** Modules the initramfs loads, dependencies first: 9p for the root, then what the lab uses. */
const MODULES = [
  'fs/netfs/netfs', 'net/9p/9pnet', 'net/9p/9pnet_virtio', 'fs/9p/9p',
  'drivers/net/veth', 'net/llc/llc', 'net/802/stp', 'net/bridge/bridge',
  'net/sched/sch_ingress', 'net/sched/cls_bpf', 'drivers/net/dummy',
];

export function vmDir() { return path.join(cacheDir(), 'kernel-vm'); }
const manifestPath = () => path.join(vmDir(), 'manifest.json');

const log0 = (s) => process.stderr.write(`${s}\n`);

async function download(url, dest) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  fs.writeFileSync(dest, buf);
  return buf;
}

/** Debian's `Packages` index → stanzas as records (only the fields we read). */
export function parsePackages(text) {
  const out = [];
  for (const block of text.split(/\n\n+/)) {
    const rec = {};
    for (const line of block.split('\n')) {
      const m = /^([\w-]+):\s*(.*)$/.exec(line);
      if (m) rec[m[1]] = m[2];
    }
    if (rec.Package && rec.Filename) out.push(rec);
  }
  return out;
}

/** The newest stanza whose package name matches, by `dpkg --compare-versions`. */
function newest(stanzas, re) {
  let best;
  for (const s of stanzas) {
    if (!re.test(s.Package)) continue;
    if (!best || spawnSync('dpkg', ['--compare-versions', s.Version, 'gt', best.Version]).status === 0) best = s;
  }
  if (!best) throw new Error(`${SUITE} has no package matching ${re}`);
  return best;
}

export function readManifest() {
  try {
    const m = JSON.parse(fs.readFileSync(manifestPath(), 'utf8'));
    return [m.vmlinuz, m.modules, m.toolsBin].every((f) => fs.existsSync(f)) ? m : undefined;
  } catch { return undefined; }
}

/**
 * Fetches and unpacks the kernel, iproute2 and bpftool and builds the initramfs, unless the
 * cache has them; returns the manifest (paths and versions).
 */
export async function ensureVmAssets(log = log0) {
  const have = readManifest();
  if (have) return have;
  ensureAptPackages(APT_PACKAGES, log, 'the kernel VM');
  const dir = vmDir();
  fs.mkdirSync(dir, { recursive: true });
  log(`kernel VM: reading the ${SUITE} index`);
  const xz = await download(`${MIRROR}/dists/${SUITE}/main/binary-amd64/Packages.xz`, path.join(dir, 'Packages.xz'));
  const index = execFileSync('xz', ['-dc'], { input: xz, maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
  const stanzas = parsePackages(index);
  const picked = Object.fromEntries(Object.entries(WANTED).map(([k, re]) => [k, newest(stanzas, re)]));
  const roots = {};
  for (const [k, s] of Object.entries(picked)) {
    const deb = path.join(dir, path.basename(s.Filename));
    let buf = fs.existsSync(deb) ? fs.readFileSync(deb) : undefined;
    if (!buf || createHash('sha256').update(buf).digest('hex') !== s.SHA256) {
      log(`kernel VM: fetching ${s.Package} ${s.Version} (${Math.round(Number(s.Size) / 1e6)} MB)`);
      buf = await download(`${MIRROR}/${s.Filename}`, deb);
    }
    const sum = createHash('sha256').update(buf).digest('hex');
    if (sum !== s.SHA256) throw new Error(`${deb}: SHA256 ${sum}, the index says ${s.SHA256}`);
    const root = path.join(dir, k);
    fs.rmSync(root, { recursive: true, force: true });
    execFileSync('dpkg-deb', ['-x', deb, root]);
    roots[k] = root;
    fs.rmSync(deb);
  }
  const release = fs.readdirSync(path.join(roots.kernel, 'lib/modules'))[0];
  const vmlinuz = path.join(roots.kernel, 'boot', `vmlinuz-${release}`);
  const modules = path.join(dir, 'modules');
  fs.rmSync(modules, { recursive: true, force: true });
  fs.mkdirSync(modules);
  for (const m of MODULES) {
    const ko = path.join(roots.kernel, 'lib/modules', release, 'kernel', `${m}.ko.xz`);
    if (!fs.existsSync(ko)) throw new Error(`${picked.kernel.Package} has no module ${m}`);
    fs.writeFileSync(path.join(modules, `${path.basename(m)}.ko`), execFileSync('xz', ['-dc', ko], { maxBuffer: 64 * 1024 * 1024 }));
  }
  // Only the boot image and those modules are needed from the kernel package.
  for (const sub of ['lib', 'usr']) fs.rmSync(path.join(roots.kernel, sub), { recursive: true, force: true });
  // iproute2 and bpftool side by side in one folder that goes first on the VM's PATH.
  const toolsBin = path.join(dir, 'bin');
  fs.rmSync(toolsBin, { recursive: true, force: true });
  fs.mkdirSync(toolsBin);
  for (const [k, names] of [['iproute2', ['ip', 'tc', 'bridge']], ['bpftool', ['bpftool']]]) {
    for (const n of names) {
      const f = ['sbin', 'usr/sbin', 'bin', 'usr/bin'].map((d) => path.join(roots[k], d, n)).find((p) => fs.existsSync(p));
      if (!f) throw new Error(`${picked[k].Package} ${picked[k].Version} has no ${n}`);
      fs.symlinkSync(f, path.join(toolsBin, n));
    }
  }
  const manifest = {
    release, vmlinuz, modules, toolsBin,
    packages: Object.fromEntries(Object.entries(picked).map(([k, s]) => [k, `${s.Package} ${s.Version}`])),
  };
  fs.writeFileSync(manifestPath(), JSON.stringify(manifest, null, 2));
  log(`kernel VM: ${Object.values(manifest.packages).join(', ')}`);
  return readManifest();
}

/** The VM's /init: load the modules, mount this machine's root and the output share, run the job. */
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
grep -q dl.debug /proc/cmdline && set -x
for m in $(cat /modules); do insmod /mod/$m.ko || echo "init: insmod $m failed"; done
out=$(sed -n 's/.*dl\\.out=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
r=/host
mkdir -p $r
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot $r || { echo "init: cannot mount the host root"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out $r$out || { echo "init: cannot mount the output share"; poweroff -f; }
mount -t proc proc $r/proc; mount -t sysfs sysfs $r/sys; mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts; mount -t tmpfs tmpfs $r/dev/shm
mount -t tmpfs tmpfs $r/tmp; mount -t tmpfs tmpfs $r/run
mount -t bpf bpf $r/sys/fs/bpf
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null
hostname kernel-vm
chroot $r /bin/sh $out/job.sh > $r$out/stdout 2> $r$out/stderr
echo $? > $r$out/rc
sync
poweroff -f
`;

/** The initramfs for this /init and module list, built when either changed. */
function ensureInitramfs(modules) {
  const hash = createHash('sha256').update(INIT).update(MODULES.join()).digest('hex').slice(0, 12);
  const out = path.join(vmDir(), `initramfs-${hash}.cpio`);
  if (fs.existsSync(out)) return out;
  for (const f of fs.readdirSync(vmDir())) if (/^initramfs-\w+\.cpio$/.test(f)) fs.rmSync(path.join(vmDir(), f));
  const tree = fs.mkdtempSync(path.join(vmDir(), 'initramfs-'));
  try {
    for (const d of ['bin', 'mod', 'proc', 'sys', 'dev', 'host']) fs.mkdirSync(path.join(tree, d));
    fs.copyFileSync('/bin/busybox', path.join(tree, 'bin/busybox'));
    fs.chmodSync(path.join(tree, 'bin/busybox'), 0o755);
    for (const m of MODULES) fs.copyFileSync(path.join(modules, `${path.basename(m)}.ko`), path.join(tree, 'mod', `${path.basename(m)}.ko`));
    fs.writeFileSync(path.join(tree, 'modules'), MODULES.map((m) => path.basename(m)).join('\n') + '\n');
    fs.writeFileSync(path.join(tree, 'init'), INIT, { mode: 0o755 });
    const list = execFileSync('/bin/busybox', ['find', '.'], { cwd: tree }).toString();
    fs.writeFileSync(`${out}.tmp`, execFileSync('/bin/busybox', ['cpio', '-o', '-H', 'newc'], { cwd: tree, input: list, maxBuffer: 256 * 1024 * 1024 }));
    fs.renameSync(`${out}.tmp`, out);
    return out;
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

/** Does KVM run this kernel here? (Nested KVM may exist yet fail to run a guest.) Asked once. */
function kvmWorks(m) {
  if (process.env.DATAPATH_LENS_VM_ACCEL) return process.env.DATAPATH_LENS_VM_ACCEL === 'kvm';
  try { fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK); } catch { return false; }
  const probe = path.join(vmDir(), 'kvm-works');
  if (fs.existsSync(probe)) return fs.readFileSync(probe, 'utf8') === 'yes';
  // Without a root the kernel panics; booting that far under KVM within 20 s is the test.
  const r = spawnSync('qemu-system-x86_64', ['-accel', 'kvm', '-cpu', 'host', '-m', '512', '-display', 'none', '-serial', 'stdio', '-monitor', 'none',
    '-no-reboot', '-nic', 'none', '-kernel', m.vmlinuz, '-append', 'console=ttyS0 panic=-1'], { encoding: 'utf8', timeout: 20_000 });
  const yes = /Kernel panic/.test(r.stdout ?? '');
  fs.writeFileSync(probe, yes ? 'yes' : 'no');
  return yes;
}

/** Why the VM cannot run here (a sentence), or undefined. Does not fetch anything. */
export function vmUnsupported() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the kernel VM runs on x86-64 Linux, and this is ${process.platform}/${process.arch}`;
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) return 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';
  if (!fs.existsSync('/bin/busybox')) return 'a static busybox is not installed (apt-get install busybox-static)';
  if (!readManifest()) return `the VM's kernel is not in ${vmDir()} (node scripts/install-kernel-vm.mjs fetches it)`;
  return undefined;
}

/**
 * Runs `script` (sh) in the VM, in `cwd` (a folder of this machine), with the VM's iproute2 and
 * bpftool first on PATH; this machine's files are read-only there, /tmp and /run are the VM's
 * own, and files the script writes into $DL_OUT come back. Resolves with its exit status,
 * stdout, stderr, those files, the VM's console, and how long boot to power-off took.
 */
export async function runInVm(script, { cwd = process.cwd(), timeoutMs = 600_000, memoryMb = 2048, env = {} } = {}) {
  const m = readManifest();
  if (!m) throw new Error(vmUnsupported() ?? 'the kernel VM is not installed');
  const runs = path.join(vmDir(), 'runs');
  fs.mkdirSync(runs, { recursive: true });
  const out = fs.mkdtempSync(path.join(runs, 'run-'));
  const exports = Object.entries({ HOME: '/tmp', DL_OUT: out, PATH: `${m.toolsBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, ...env })
    .map(([k, v]) => `export ${k}='${String(v).replace(/'/g, `'\\''`)}'`);
  fs.writeFileSync(path.join(out, 'job.sh'), [...exports, `cd '${cwd.replace(/'/g, `'\\''`)}'`, script, ''].join('\n'));
  const kvm = kvmWorks(m);
  const args = [
    ...(kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max']),
    '-smp', String(Math.min(2, os.cpus().length)), '-m', String(memoryMb),
    '-display', 'none', '-monitor', 'none', '-serial', `file:${path.join(out, 'console.log')}`, '-no-reboot', '-nic', 'none',
    '-kernel', m.vmlinuz, '-initrd', ensureInitramfs(m.modules),
    '-append', `console=ttyS0 ${process.env.DATAPATH_LENS_VM_DEBUG ? 'dl.debug' : 'quiet'} panic=-1 rdinit=/init dl.out=${out}`,
    '-fsdev', 'local,id=hostroot,path=/,security_model=passthrough,readonly=on,multidevs=remap', '-device', 'virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot',
    '-fsdev', `local,id=out,path=${out},security_model=passthrough`, '-device', 'virtio-9p-pci,fsdev=out,mount_tag=out',
  ];
  const started = Date.now();
  const exit = await new Promise((resolve) => {
    const p = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); resolve({ code: null, err: `${err}timed out after ${timeoutMs} ms` }); }, timeoutMs);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, err }); });
  });
  const read = (f) => { try { return fs.readFileSync(path.join(out, f), 'utf8'); } catch { return ''; } };
  const rcText = read('rc').trim();
  // Whatever else the job wrote into $DL_OUT comes back by name.
  const files = Object.fromEntries(fs.readdirSync(out).filter((f) => !['job.sh', 'stdout', 'stderr', 'rc', 'console.log'].includes(f))
    .filter((f) => fs.statSync(path.join(out, f)).isFile()).map((f) => [f, read(f)]));
  const result = {
    files,
    status: rcText === '' ? null : Number(rcText),
    stdout: read('stdout'), stderr: read('stderr'), console: read('console.log') + (exit.err ? `\n[qemu] ${exit.err}` : ''),
    ms: Date.now() - started, accel: kvm ? 'kvm' : 'tcg', release: m.release,
  };
  if (process.env.DATAPATH_LENS_VM_KEEP) process.stderr.write(`kernel VM: the run's folder ($DL_OUT) is kept: ${out}\n`);
  else fs.rmSync(out, { recursive: true, force: true });
  return result;
}

// `node scripts/kernel-vm.mjs -- CMD ...`: run a command in the VM from this folder.
if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--');
  const cmd = i >= 0 ? process.argv.slice(i + 1) : [];
  if (!cmd.length) { console.error('usage: node scripts/kernel-vm.mjs -- COMMAND [ARG...]'); process.exit(2); }
  await ensureVmAssets();
  const q = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const r = await runInVm(cmd.map(q).join(' '));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status === null) process.stderr.write(`kernel VM: no exit status (${r.ms} ms); console:\n${r.console.slice(-4000)}\n`);
  process.exit(r.status ?? 1);
}
