// `datapath-lens lab up|trace|down FILE.topo [--json]`: builds a topology on the real kernel in
// fresh namespaces, traces every `path` with marked packets, and removes it all again.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, parseArgs } from '../cli/args';
import type { Workspace } from '../inference/workspace';
import { formatIp } from '../topology/address';
import type { DevKey, Topology } from '../topology/model';
import {
  deviceSysctlCommands, linkCommands, namespaceCommands, neighbourCommands, neighbourNeeds, parseLinks,
  planDevices, proxyArpDevices, routeCommands,
} from './build';
import { LabError, realRunner, type Runner } from './exec';
import { mapFills, parseMapShow, updateCommand, type ObjectMaps } from './maps';
import { labNs, newPrefix, ownsNs, workDir } from './naming';
import { probeAttachCommands, probeCompileCommand, probeDetachCommands, probeFiles, probeLoadCommand, probeSource } from './probes';
import { attachCommands, compileCommand, loadCommand, mprogCompileCommand, mprogSource, multiarchInclude, planObjects } from './programs';
import { traceJson, traceTable, upJson, upText } from './report';
import { readState, removeState, writeState, type LabState } from './state';
import { labUnsupported, netkitUnsupported, tcxSupported } from './support';
import { parseNetnsList, teardown } from './teardown';
import { tracePaths } from './trace';

export interface LabDeps {
  workspace: () => Promise<Workspace>;
  run?: Runner;
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** Where state files live (default os.tmpdir()). */
  stateDir?: string;
  /** Overrides the machine check (tests). */
  unsupported?: () => string | undefined;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Runs `fn`, and `cleanup` first if SIGINT/SIGTERM/SIGHUP arrives meanwhile. */
async function trapped<T>(cleanup: () => void, fn: () => Promise<T> | T): Promise<T> {
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const h = () => {
      try { cleanup(); } finally { process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 129); }
    };
    process.once(sig, h);
    return [sig, h] as const;
  });
  try {
    return await fn();
  } finally {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  }
}

async function load(deps: LabDeps, abs: string) {
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const ws = await deps.workspace();
  const { topology } = ws.setTopology(abs, text);
  const errors = ws.diagnostics().filter((d) => d.file === abs && d.severity === 'error');
  if (errors.length) throw new LabError(`${abs} has errors:\n${errors.map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join('\n')}`);
  return { ws, topology, text, paths: ws.paths(abs) };
}

export async function labCommand(argv: string[], deps: LabDeps): Promise<number> {
  const args = parseArgs(argv, []);
  const [sub, file, ...more] = args.positional;
  if (!sub || !['up', 'trace', 'down'].includes(sub)) throw new UsageError('lab takes up, trace or down, then a topology file');
  if (!file || more.length) throw new UsageError(`lab ${sub} takes one topology file`);
  const abs = path.resolve(file);
  const json = args.flags.has('json');
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const err = deps.err ?? ((s: string) => process.stderr.write(s));
  const why = (deps.unsupported ?? labUnsupported)();
  if (why) {
    const sentence = `Skipped: ${why}.`;
    if (json) out(JSON.stringify(sub === 'trace' ? traceJson([], sentence) : { skipped: sentence }, null, 2) + '\n');
    else err(`datapath-lens lab ${sub}: ${sentence}\n`);
    return 0;
  }
  const run = deps.run ?? realRunner;
  try {
    if (sub === 'up') return await up(abs, json, deps, run, out, err);
    if (sub === 'trace') return await trace(abs, json, deps, run, out, err);
    return down(abs, json, deps, run, out, err);
  } catch (e) {
    if (e instanceof LabError) { err(`datapath-lens lab ${sub}: ${e.message}\n`); return 1; }
    throw e;
  }
}

async function up(abs: string, json: boolean, deps: LabDeps, run: Runner, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { ws, topology, text, paths } = await load(deps, abs);
  const existingNs = () => parseNetnsList(run({ argv: ['ip', 'netns', 'list'] }).stdout);
  const old = readState(abs, deps.stateDir);
  if (old) {
    if (existingNs().some((n) => ownsNs(old.prefix, n))) throw new LabError(`a lab is already up for ${abs} (prefix ${old.prefix}); run "lab down" first`);
    teardown(run, old);
    removeState(abs, deps.stateDir);
  }
  let prefix = newPrefix();
  for (let i = 0; i < 10 && existingNs().some((n) => ownsNs(prefix, n)); i++) prefix = newPrefix();
  const wd = workDir(prefix);
  fs.mkdirSync(wd, { recursive: true });
  const state: LabState = {
    version: 1, topology: abs, topologyHash: sha(text), prefix, createdAt: new Date().toISOString(), pid: process.pid,
    workDir: wd, namespaces: [], devices: [], clsact: [], notes: [], complete: false,
  };
  const save = () => writeState(state, deps.stateDir);
  save();
  const abort = () => { teardown(run, state); removeState(abs, deps.stateDir); };
  await trapped(abort, () => {
    try {
      build(ws, topology, paths, state, run, save);
    } catch (e) {
      const problems = teardown(run, state);
      removeState(abs, deps.stateDir);
      if (problems.length) err(`datapath-lens lab up: cleaning up after the failure: ${problems.join('; ')}\n`);
      throw e;
    }
  });
  out(json ? JSON.stringify(upJson(state), null, 2) + '\n' : upText(state) + '\n');
  return 0;
}

function build(ws: Workspace, topology: Topology, paths: ReturnType<Workspace['paths']>, state: LabState, run: Runner, save: () => void): void {
  const walker = ws.walker(topology);
  const plan = planDevices(topology, state.prefix);
  const netkit = [...topology.devices.values()].find((d) => d.kind === 'netkit');
  const why = netkit && netkitUnsupported();
  if (why) throw new LabError(`${netkit!.key} is a netkit device, and ${why}. \`node scripts/kernel-vm.mjs -- node dist/cli.js lab ...\` (from a checkout) runs the lab under a kernel that has netkit`);
  const bpffs = path.join(state.workDir, 'bpffs');
  const objects = planObjects(topology, (a) => a.fileAbs ?? ws.programFor(a)?.file, state.workDir, bpffs, (f) => (ws.cFile(f)?.programs ?? []).map((p) => p.progType));
  // Compile first: a program that does not build leaves nothing behind.
  const include = multiarchInclude();
  for (const o of objects) run(compileCommand(o.source, o.object, include));

  for (const c of namespaceCommands(topology, plan)) {
    if (c.argv[1] === 'netns' && c.argv[2] === 'add') { state.namespaces.push(c.argv[3]); save(); }
    run(c);
  }
  state.devices = [...plan.devices.values(), ...plan.worldPeers.values()];
  save();
  for (const c of linkCommands(topology, plan)) run(c);
  for (const c of deviceSysctlCommands(topology, plan, proxyArpDevices(topology, paths, walker.fib, walker.links))) run(c);
  for (const c of routeCommands(topology, plan)) run(c);

  // What the kernel made: every ifindex as planned, and each device's MAC.
  for (const ns of state.namespaces) {
    const links = parseLinks(run({ argv: ['ip', '-n', ns, '-j', 'link', 'show'] }).stdout);
    for (const d of state.devices.filter((x) => x.labNs === ns)) {
      const l = links.get(d.name);
      if (!l) throw new LabError(`${d.key} was not created in ${ns}`);
      if (l.ifindex !== d.ifindex) throw new LabError(`${d.key} got ifindex ${l.ifindex}, not ${d.ifindex}`);
      d.mac = l.mac;
    }
  }
  save();
  const labDev = (k: DevKey) => plan.devices.get(k)!;
  const neighbours = neighbourNeeds(topology, paths, walker.fib, walker.links);
  for (const c of neighbourCommands(topology, plan, neighbours, (d) => d.mac!)) run(c);

  fs.mkdirSync(bpffs, { recursive: true });
  run({ argv: ['mount', '-t', 'bpf', 'bpf', bpffs] });
  state.bpffs = bpffs;
  save();
  for (const o of objects) run(loadCommand(o));
  const objMaps: ObjectMaps[] = objects.map((o) => {
    const dir = path.join(o.pinDir, 'maps');
    const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    return {
      source: o.source,
      maps: names.map((n) => parseMapShow(run({ argv: ['bpftool', '-j', 'map', 'show', 'pinned', path.join(dir, n)] }).stdout, path.join(dir, n))),
      redirectTo: [...new Set(o.attachments.map((a) => a.redirectTo).filter((r): r is DevKey => !!r))],
    };
  });
  const fills = mapFills(topology, objMaps, { ifindex: (k) => labDev(k).ifindex, mac: (k) => labDev(k).mac! });
  for (const f of fills) { run(updateCommand(f.map, f.key, f.value)); state.notes.push(`map ${f.why}`); }
  // tcx and netkit go on through the lab's own helper (the probes too, ahead of everything).
  if (tcxSupported() || topology.attachments.some((a) => a.hook.startsWith('netkit-'))) {
    state.mprog = path.join(state.workDir, 'mprog-attach');
    run(mprogCompileCommand(mprogSource(), state.mprog));
    save();
  }
  const attach = attachCommands(topology, plan, objects, (dev, hooks) => walker.chain(dev, hooks), state.mprog);
  state.clsact = attach.clsact;
  state.notes.push(...attach.notes);
  for (const c of attach.commands) run(c);
  for (const n of neighbours) state.notes.push(`permanent neighbour ${formatIp(n.ip)} on ${n.dev}: ${n.why}`);
  state.complete = true;
  save();
}

async function trace(abs: string, json: boolean, deps: LabDeps, run: Runner, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const state = readState(abs, deps.stateDir);
  if (!state || !state.complete || !state.bpffs) throw new LabError(`no lab is up for ${abs}; run "lab up" first`);
  const { topology, text, paths } = await load(deps, abs);
  const notes: string[] = [];
  if (sha(text) !== state.topologyHash) notes.push(`${abs} changed since "lab up": the lab still has the old topology`);
  const probe = probeFiles(state.workDir, state.bpffs);
  const devices = state.devices;
  const detach = () => {
    for (const c of probeDetachCommands(devices, probe, state.mprog)) run(c);
    fs.rmSync(probe.pinDir, { recursive: true, force: true });
  };
  const results = await trapped(detach, () => {
    try {
      fs.rmSync(probe.pinDir, { recursive: true, force: true });
      run(probeCompileCommand(probeSource(), probe.object, multiarchInclude()));
      run(probeLoadCommand(probe));
      for (const c of probeAttachCommands(devices, probe, state.mprog)) run(c);
      return tracePaths(run, topology, paths, devices, probe, (ns) => labNs(state.prefix, ns), randomBytes(1)[0]);
    } finally {
      detach();
    }
  });
  for (const n of notes) err(`datapath-lens lab trace: ${n}\n`);
  out(json ? JSON.stringify(traceJson(results, null, notes), null, 2) + '\n' : traceTable(results) + '\n');
  return results.every((r) => r.match) ? 0 : 1;
}

function down(abs: string, json: boolean, deps: LabDeps, run: Runner, out: (s: string) => void, err: (s: string) => void): number {
  const state = readState(abs, deps.stateDir);
  if (!state) {
    out(json ? JSON.stringify({ removed: null, problems: [], skipped: null }, null, 2) + '\n' : `lab down: no lab is up for ${abs}\n`);
    return 0;
  }
  const problems = teardown(run, state);
  removeState(abs, deps.stateDir);
  for (const p of problems) err(`datapath-lens lab down: ${p}\n`);
  out(json ? JSON.stringify({ removed: state.prefix, problems, skipped: null }, null, 2) + '\n' : `lab down: removed ${state.prefix} (${state.namespaces.length} namespaces)\n`);
  return problems.length ? 1 : 0;
}
