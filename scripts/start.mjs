#!/usr/bin/env node
// `npm start`: build and package the extension, install it into a local code-server (a real
// VS Code in the browser, installed into a cache folder on first use), open examples/ there,
// print the address, and keep running until Ctrl-C.
//   PORT=9000 npm start     a port of your choice (default 8080, or a free one if that is taken)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cs from './code-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const folder = join(root, 'examples');
const vsix = join(root, 'datapath-lens.vsix');

function fail(message) {
  console.error(`\nnpm start: ${message}`);
  process.exit(1);
}

console.log('Building and packaging the extension (npm run package)...');
const pack = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
if (pack.status !== 0 || !existsSync(vsix)) fail('npm run package failed (see above).');
console.log(`datapath-lens.vsix: ${(statSync(vsix).size / 1e6).toFixed(2)} MB`);

let bin;
try {
  bin = cs.ensureCodeServer();
} catch (e) {
  fail(String(e instanceof Error ? e.message : e));
}

// One profile kept between runs (settings you change stay), apart from your own VS Code's.
const profile = cs.profile(join(cs.cacheDir(), 'profile'));
cs.writeSettings(profile);
try {
  cs.installExtension(bin, profile, vsix);
} catch (e) {
  fail(String(e instanceof Error ? e.message : e));
}

const wanted = Number(process.env.PORT || 0);
const port = wanted ? wanted : await cs.freePort(8080);
if (wanted && (await cs.freePort(wanted)) !== wanted) fail(`port ${wanted} (PORT) is in use.`);

let server;
try {
  server = await cs.startCodeServer(bin, profile, { port, folder });
} catch (e) {
  fail(String(e instanceof Error ? e.message : e));
}

const url = `${server.url}?folder=${encodeURI(folder)}`;
console.log(`
Datapath Lens is running in VS Code (code-server ${cs.CODE_SERVER_VERSION}) with examples/ open:

    ${url}

Open that address in a browser on this machine (on a remote machine or container, forward
port ${port} first, e.g. ssh -L ${port}:127.0.0.1:${port}). Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
server.proc.on('exit', (code) => {
  if (stopping) return;
  console.error(`code-server exited (${code}):\n${server.output().slice(-2000)}`);
  process.exit(code || 1);
});
