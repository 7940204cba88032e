// The lab's own probe programs (probe.bpf.c, compiled at run time): a classic tc filter of the
// lowest priority at ingress and egress of every device, recording which hooks an echo
// request carrying the trace's pattern passed, in order. XDP-redirected frames never pass
// tc egress, and nothing is seen where a frame never gets an skb.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabError, type Cmd } from './exec';
import { clsactCommand, compileCommand, loadCommand, mprogCommand, PROBE_PRIO, tcFilterCommand } from './programs';
import type { LabDeviceState } from './state';

export const PROBE_FILE = 'lab-probe.bpf.c';
export const MAX_EVENTS = 256;

/** probe.bpf.c beside the bundle (dist/lab-probe.bpf.c), or in the sources (tests). */
export function probeSource(dir: string = __dirname): string {
  for (const f of [path.join(dir, PROBE_FILE), path.join(dir, 'probe.bpf.c'), path.resolve(dir, '../server/src/lab/probe.bpf.c')]) {
    if (fs.existsSync(f)) return f;
  }
  throw new LabError(`the lab's probe program (${PROBE_FILE}) is missing beside ${dir}`);
}

export interface ProbeFiles { object: string; pinDir: string }

export function probeFiles(workDir: string, bpffs: string): ProbeFiles {
  return { object: path.join(workDir, 'probe.o'), pinDir: path.join(bpffs, 'probe') };
}

/** clang for the probe: -mcpu=v3 for the atomic fetch-and-add that numbers the events. */
export function probeCompileCommand(source: string, object: string, include: string): Cmd {
  return compileCommand(source, object, include, ['-mcpu=v3']);
}

export function probeLoadCommand(p: ProbeFiles): Cmd {
  return loadCommand({ ...p, type: 'tc' });
}

/**
 * The probes at ingress and egress of every device. With the tcx helper (kernel 6.6+) they go
 * on as tcx programs before every other (BPF_F_BEFORE): tcx programs run ahead of classic tc
 * filters, so a classic probe would miss what a tcx program drops or redirects. Without it,
 * classic filters of the lowest priority.
 */
export function probeAttachCommands(devices: LabDeviceState[], p: ProbeFiles, mprog?: string): Cmd[] {
  return devices.flatMap((d) => mprog
    ? (['ingress', 'egress'] as const).map((dir) => mprogCommand(mprog, 'attach', d.labNs, d.ifindex, `tcx-${dir}`, path.join(p.pinDir, `dl_probe_${dir}`), true))
    : [
      clsactCommand(d.labNs, d.name),
      tcFilterCommand(d.labNs, d.name, 'ingress', PROBE_PRIO, path.join(p.pinDir, 'dl_probe_ingress')),
      tcFilterCommand(d.labNs, d.name, 'egress', PROBE_PRIO, path.join(p.pinDir, 'dl_probe_egress')),
    ]);
}

export function probeDetachCommands(devices: LabDeviceState[], p: ProbeFiles, mprog?: string): Cmd[] {
  return devices.flatMap((d) => (['ingress', 'egress'] as const).map((dir) => (mprog
    ? mprogCommand(mprog, 'detach', d.labNs, d.ifindex, `tcx-${dir}`, path.join(p.pinDir, `dl_probe_${dir}`))
    : { argv: ['tc', '-n', d.labNs, 'filter', 'del', 'dev', d.name, dir, 'prio', String(PROBE_PRIO)], ignoreFailure: true })));
}

export function resetCounterCommand(p: ProbeFiles): Cmd {
  return { argv: ['bpftool', 'map', 'update', 'pinned', path.join(p.pinDir, 'maps', 'dl_count'), 'key', 'hex', '00', '00', '00', '00', 'value', 'hex', '00', '00', '00', '00'] };
}

export function dumpCommands(p: ProbeFiles): { count: Cmd; events: Cmd } {
  return {
    count: { argv: ['bpftool', '-j', 'map', 'dump', 'pinned', path.join(p.pinDir, 'maps', 'dl_count')] },
    events: { argv: ['bpftool', '-j', 'map', 'dump', 'pinned', path.join(p.pinDir, 'maps', 'dl_events')] },
  };
}

export interface ProbeEvent { ifindex: number; dir: 'ingress' | 'egress'; seq: number; tag: number[] }

const bytesOf = (v: string[]) => v.map((h) => parseInt(h, 16));
const u32 = (b: number[], o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/** The counter's value from `bpftool -j map dump` of dl_count. */
export function parseCount(json: string): number {
  const [e] = JSON.parse(json) as Array<{ value: string[] }>;
  return e ? u32(bytesOf(e.value), 0) : 0;
}

/** The events numbered below `count`, in order, from `bpftool -j map dump` of dl_events. */
export function parseEvents(json: string, count: number): ProbeEvent[] {
  const out: ProbeEvent[] = [];
  for (const e of JSON.parse(json) as Array<{ key: string[]; value: string[] }>) {
    const k = u32(bytesOf(e.key), 0);
    if (k >= Math.min(count, MAX_EVENTS)) continue;
    const v = bytesOf(e.value);
    out.push({ ifindex: u32(v, 0), dir: u32(v, 4) === 0 ? 'ingress' : 'egress', seq: u32(v, 8), tag: v.slice(12, 16) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}
