// The topology's eBPF programs on the real kernel: compile each attached C file once, load all
// its programs with bpftool (several programs share `SEC("tc")`, and `tc ... obj F sec S` would
// take only the first), pin them on the lab's bpffs, and attach them where the attach lines say.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Attachment, DevKey, Hook, Topology } from '../topology/model';
import { LabError, type Cmd } from './exec';
import type { DevicePlan } from './build';

export interface LabObject {
  /** The C file, and the object and pin folder made from it. */
  source: string;
  object: string;
  pinDir: string;
  /** bpftool's `type`: forced for every program of the object when the hooks agree. */
  type?: 'tc' | 'xdp';
  attachments: Attachment[];
}

/** The filter priority of the lab's probes: below every user filter, so they run first. */
export const PROBE_PRIO = 1;
/** User filters get FIRST_USER_PRIO, +1, ... in the engine's order at each hook. */
export const FIRST_USER_PRIO = 10;

/** The include folder of the target's multiarch headers (asm/types.h for -target bpf). */
export function multiarchInclude(): string {
  for (const cc of ['gcc', 'clang']) {
    const r = spawnSync(cc, ['-print-multiarch'], { encoding: 'utf8', timeout: 5000 });
    const m = (r.stdout ?? '').trim();
    if (!r.error && r.status === 0 && m) return `/usr/include/${m}`;
  }
  return `/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
}

export function compileCommand(source: string, object: string, include: string, extra: string[] = []): Cmd {
  return { argv: ['clang', '-O2', '-g', ...extra, '-target', 'bpf', `-I${include}`, '-c', source, '-o', object], timeoutMs: 60_000 };
}

/** `bpftool prog loadall OBJ DIR [type T] pinmaps DIR/maps`: every program pinned by its name. */
export function loadCommand(o: Pick<LabObject, 'object' | 'pinDir' | 'type'>): Cmd {
  return { argv: ['bpftool', 'prog', 'loadall', o.object, o.pinDir, ...(o.type ? ['type', o.type] : []), 'pinmaps', path.join(o.pinDir, 'maps')], timeoutMs: 60_000 };
}

const isXdp = (h: Hook) => h === 'xdp' || h === 'xdp-generic';

/**
 * One object per attached C file, in the order the attach lines name them. bpftool loads every
 * program of the object; `type` forces one type on all of them, so it is given only when the
 * file's programs (`progTypes`, from the C analysis) are all tc or all XDP; otherwise libbpf
 * takes each type from its section name.
 */
export function planObjects(
  topo: Topology, fileOf: (a: Attachment) => string | undefined, workDir: string, bpffs: string,
  progTypes: (file: string) => string[] = () => [],
): LabObject[] {
  const byFile = new Map<string, Attachment[]>();
  for (const a of topo.attachments) {
    const f = fileOf(a);
    if (!f) throw new LabError(`attach ${a.hook} ${a.dev} prog ${a.prog}: no C file of the workspace defines ${a.prog}`);
    byFile.set(f, [...(byFile.get(f) ?? []), a]);
  }
  return [...byFile].map(([source, attachments], i) => {
    // bpffs refuses names with a dot.
    const base = `obj${i}-${path.basename(source).replace(/\.c$/, '').replace(/[^\w-]/g, '_')}`;
    const types = [...progTypes(source), ...attachments.map((a) => (isXdp(a.hook) ? 'xdp' : 'sched_cls'))];
    return {
      source, attachments,
      object: path.join(workDir, `${base}.o`),
      pinDir: path.join(bpffs, base),
      ...(types.every((t) => t === 'sched_cls') ? { type: 'tc' as const } : types.every((t) => t === 'xdp') ? { type: 'xdp' as const } : {}),
    };
  });
}

/** The mprog attach helper (mprog-attach.c: tcx and netkit) beside the bundle, or in the sources (tests). */
export function mprogSource(dir: string = __dirname): string {
  for (const f of [path.join(dir, MPROG_FILE), path.join(dir, 'mprog-attach.c'), path.resolve(dir, '../server/src/lab/mprog-attach.c')]) {
    if (fs.existsSync(f)) return f;
  }
  throw new LabError(`the lab's tcx/netkit attach helper (${MPROG_FILE}) is missing beside ${dir}`);
}
export const MPROG_FILE = 'lab-mprog-attach.c';

/** The helper is a host program: the machine's C compiler (clang, which the lab needs anyway). */
export function mprogCompileCommand(source: string, binary: string): Cmd {
  return { argv: ['clang', '-O2', '-o', binary, source], timeoutMs: 60_000 };
}

export type MprogHook = 'tcx-ingress' | 'tcx-egress' | 'netkit-primary' | 'netkit-peer';

/** Attach (appended, or `first`) or detach a pinned program at a tcx/netkit hook of an ifindex in `ns`. */
export function mprogCommand(helper: string, mode: 'attach' | 'detach', ns: string, ifindex: number, hook: MprogHook, pinned: string, first = false): Cmd {
  return { argv: ['ip', 'netns', 'exec', ns, helper, mode, pinned, String(ifindex), hook, ...(first ? ['first'] : [])], ...(mode === 'detach' ? { ignoreFailure: true } : {}) };
}

export interface AttachPlan {
  commands: Cmd[];
  /** labNs/name of every device that needs a clsact qdisc. */
  clsact: string[];
  notes: string[];
}

const DIRECTIONS: Array<{ dir: 'ingress' | 'egress'; hooks: Hook[] }> = [
  { dir: 'ingress', hooks: ['tcx-ingress', 'tc-ingress'] },
  { dir: 'egress', hooks: ['tcx-egress', 'tc-egress'] },
];

export function clsactCommand(ns: string, dev: string): Cmd {
  return { argv: ['tc', '-n', ns, 'qdisc', 'add', 'dev', dev, 'clsact'], tolerate: /File exists|Exclusivity flag on/ };
}

export function tcFilterCommand(ns: string, dev: string, dir: 'ingress' | 'egress', prio: number, pinned: string): Cmd {
  return { argv: ['tc', '-n', ns, 'filter', 'add', 'dev', dev, dir, 'prio', String(prio), 'bpf', 'da', 'object-pinned', pinned] };
}

/**
 * Attach commands in the engine's order (`chain`: tcx before classic, then priority, then
 * declaration). tcx and netkit programs go on through the mprog helper (`mprog`, built where
 * the kernel has tcx); without it, tcx-* programs go on as classic direct-action filters
 * ahead of the classic ones (said in the notes), and netkit cannot be attached.
 */
export function attachCommands(
  topo: Topology, plan: DevicePlan, objects: LabObject[],
  chain: (dev: DevKey, hooks: Hook[]) => Attachment[],
  mprog?: string,
): AttachPlan {
  const pinOf = new Map<Attachment, string>();
  for (const o of objects) for (const a of o.attachments) pinOf.set(a, path.join(o.pinDir, a.prog));
  const out: AttachPlan = { commands: [], clsact: [], notes: [] };
  const devs = [...new Set(topo.attachments.map((a) => a.dev))];
  for (const key of devs) {
    const d = topo.devices.get(key)!;
    const ns = plan.devices.get(key)!.labNs;
    const ifindex = plan.devices.get(key)!.ifindex;
    for (const { dir, hooks } of DIRECTIONS) {
      const atts = chain(key, hooks);
      const classic = mprog ? atts.filter((a) => !a.hook.startsWith('tcx-')) : atts;
      if (mprog) for (const a of atts.filter((x) => x.hook.startsWith('tcx-'))) out.commands.push(mprogCommand(mprog, 'attach', ns, ifindex, a.hook as MprogHook, pinOf.get(a)!));
      if (!classic.length) continue;
      if (!out.clsact.includes(`${ns}/${d.name}`)) { out.clsact.push(`${ns}/${d.name}`); out.commands.push(clsactCommand(ns, d.name)); }
      classic.forEach((a, i) => {
        if (a.hook.startsWith('tcx-')) out.notes.push(`${a.prog} at ${a.hook} of ${key}: attached as a classic tc ${dir} filter (this kernel has no tcx, or the lab's tcx helper was not built); it still runs before the classic ones`);
        out.commands.push(tcFilterCommand(ns, d.name, dir, FIRST_USER_PRIO + i, pinOf.get(a)!));
      });
    }
    // netkit programs: through the primary's ifindex, in the primary's namespace, in chain order.
    for (const hook of ['netkit-primary', 'netkit-peer'] as const) {
      for (const a of chain(key, [hook])) {
        if (!mprog) throw new LabError(`attach ${hook} ${key}: the lab's netkit attach helper was not built`);
        out.commands.push(mprogCommand(mprog, 'attach', ns, ifindex, hook, pinOf.get(a)!));
      }
    }
    for (const hook of ['xdp', 'xdp-generic'] as const) {
      const atts = chain(key, [hook]);
      if (atts.length > 1) throw new LabError(`${key} has ${atts.length} ${hook} programs; a device runs one XDP program per mode`);
      if (atts.length) out.commands.push({ argv: ['ip', '-n', ns, 'link', 'set', 'dev', d.name, hook === 'xdp' ? 'xdpdrv' : 'xdpgeneric', 'pinned', pinOf.get(atts[0])!] });
    }
  }
  return out;
}
