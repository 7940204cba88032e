// A real VS Code for `npm start` and the end-to-end suite: code-server 4.100.3 (VS Code 1.100,
// the last line that runs on Node 20), installed from npm into a cache folder outside the
// repository, with its own user data, extensions and XDG folders so it never touches the
// user's. See ../shared/docs/test-environments.md ("A real VS Code").
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
// code-server 4.100.3 depends on @vscode/ripgrep 1.15.11, whose postinstall downloads this
// asset from GitHub (unreachable here) unless it finds it in $TMPDIR/vscode-ripgrep-cache-<version>/.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = `ripgrep-v13.0.0-10-${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-unknown-linux-musl.tar.gz`;
/** Debian packages: kerberos headers for code-server's native addon, and ripgrep to seed the cache. */
export const APT_PACKAGES = ['libkrb5-dev', 'ripgrep'];

/** `$DATAPATH_LENS_CACHE`, else `$XDG_CACHE_HOME/datapath-lens`, else `~/.cache/datapath-lens`. */
export function cacheDir() {
  return process.env.DATAPATH_LENS_CACHE || join(process.env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'datapath-lens');
}

export function codeServerDir() {
  return join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerBin() {
  return join(codeServerDir(), 'node_modules', '.bin', 'code-server');
}

const installedMarker = () => join(codeServerDir(), '.installed');

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const dpkgInstalled = (p) => run('dpkg-query', ['-W', '-f=${Status}', p]).out.includes('install ok installed');

/** Installs the missing Debian packages when we are root with apt; else says what is missing. */
export function ensureAptPackages(packages = APT_PACKAGES, log = console.log, who = 'code-server') {
  if (!existsSync('/usr/bin/dpkg-query')) return; // not Debian: the npm install will say what it lacks
  const missing = packages.filter((p) => !dpkgInstalled(p));
  if (!missing.length) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${who} needs the Debian packages ${missing.join(', ')}: run sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`Installing ${missing.join(', ')} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  if (!r.ok) {
    run('apt-get', ['update'], { env });
    r = run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  }
  if (!r.ok) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${r.out.slice(-2000)}`);
}

/** A tarball holding Debian's `rg` as `rg`, where @vscode/ripgrep's postinstall looks first. */
function seedRipgrepCache(tmp) {
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!rg) throw new Error('ripgrep (rg) is not installed: code-server\'s install would download it from GitHub');
  const dir = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(dir, { recursive: true });
  const tarball = join(dir, RIPGREP_ASSET);
  if (existsSync(tarball)) return;
  const r = run('tar', ['-czf', tarball, '--transform', 's|.*|rg|', '-C', '/', rg.slice(1)]);
  if (!r.ok) throw new Error(`could not make ${tarball}: ${r.out}`);
}

/**
 * Installs code-server into the cache folder unless it is already there; returns its binary.
 * Idempotent: a finished install leaves a marker, an interrupted one is started over.
 */
export function ensureCodeServer(log = console.log) {
  const bin = codeServerBin();
  if (existsSync(installedMarker()) && existsSync(bin)) return bin;
  ensureAptPackages(APT_PACKAGES, log);
  const dir = codeServerDir();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Its own package.json, so npm installs here instead of walking up to a project.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'datapath-lens-code-server', private: true }, null, 2));
  const tmp = join(dir, 'tmp');
  seedRipgrepCache(tmp);
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${dir} (about a minute)...`);
  const started = Date.now();
  // Its postinstall runs nested npm installs and `npx node-gyp`: say yes, keep root's permissions.
  const env = { ...process.env, TMPDIR: tmp, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const r = run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--unsafe-perm', '--no-package-lock'], { cwd: dir, env });
  if (!r.ok || !existsSync(bin)) {
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed:\n${r.out.slice(-3000)}`);
  }
  const v = run(bin, ['--version']);
  if (!v.ok || !v.out.includes(CODE_SERVER_VERSION)) throw new Error(`code-server does not start: ${v.out.slice(-2000)}`);
  writeFileSync(installedMarker(), `${CODE_SERVER_VERSION}\n`);
  rmSync(tmp, { recursive: true, force: true });
  log(`code-server ${CODE_SERVER_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s.`);
  return bin;
}

/** Folders of one isolated code-server: user data, extensions, and the XDG_* it writes to anyway. */
export function profile(root) {
  const p = {
    root,
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(root, 'xdg', 'config'),
      XDG_DATA_HOME: join(root, 'xdg', 'data'),
      XDG_CACHE_HOME: join(root, 'xdg', 'cache'),
      XDG_STATE_HOME: join(root, 'xdg', 'state'),
    },
  };
  for (const d of [p.userDataDir, p.extensionsDir, p.env.XDG_CONFIG_HOME, p.env.XDG_DATA_HOME, p.env.XDG_CACHE_HOME, p.env.XDG_STATE_HOME]) {
    mkdirSync(d, { recursive: true });
  }
  return p;
}

/** A first-run profile without the welcome page, tips, recommendations or update checks. */
export function writeSettings(p, extra = {}) {
  const dir = join(p.userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'settings.json');
  let current = {};
  try { current = JSON.parse(readFileSync(file, 'utf8')); } catch { /* first run */ }
  writeFileSync(file, JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    ...current,
    ...extra,
  }, null, 2));
}

/** `code-server --install-extension` into the profile (replacing an older build of it). */
export function installExtension(bin, p, vsix) {
  const r = run(bin, ['--install-extension', vsix, '--force', '--extensions-dir', p.extensionsDir, '--user-data-dir', p.userDataDir], { env: p.env });
  if (!r.ok || !/successfully installed/i.test(r.out)) throw new Error(`code-server --install-extension ${vsix} failed:\n${r.out.slice(-2000)}`);
  return r.out.trim();
}

/** A free TCP port on 127.0.0.1: `preferred` when it is free, else one the kernel picks. */
export async function freePort(preferred = 0) {
  const tryPort = (port) => new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => { const got = s.address().port; s.close(() => resolve(got)); });
  });
  return (preferred && await tryPort(preferred)) || await tryPort(0);
}

const httpOk = (url) => new Promise((resolve) => {
  const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode !== undefined && res.statusCode < 500); });
  req.on('error', () => resolve(false));
  req.setTimeout(2000, () => { req.destroy(); resolve(false); });
});

/**
 * Starts code-server on 127.0.0.1:port with the profile, opening `folder`; resolves once it
 * answers HTTP. `stop()` ends it (and only it).
 */
export async function startCodeServer(bin, p, { port, folder, onOutput, timeoutMs = 60_000 }) {
  const args = [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--user-data-dir', p.userDataDir, '--extensions-dir', p.extensionsDir,
    folder,
  ];
  const proc = spawn(bin, args, { env: p.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (d) => { output += String(d); onOutput?.(String(d)); };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { proc.kill('SIGTERM'); }
    setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}:\n${output.slice(-2000)}`);
    if (await httpOk(`${url}healthz`)) return { url, proc, stop, output: () => output };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s:\n${output.slice(-2000)}`);
}

export const tempDir = (prefix) => mkdtempSync(join(os.tmpdir(), prefix));
