// Raw files → a checked snapshot of one namespace: links, addresses, routes, programs, ip_forward.
// Every missing or malformed file fails with its name and what is missing.
import { FILES } from './dump-layout';
import { ImportError } from './errors';
import type { RawNamespace } from './raw';

export interface ProgRef { id?: number; name: string; tag?: string }

export interface Link {
  ifindex: number;
  ifname: string;
  /** linkinfo.info_kind (undefined: a physical device). */
  kind?: string;
  master?: string;
  mac?: string;
  linkIndex?: number;
  linkNetnsid?: number;
  operstate?: string;
  netkit?: { primary?: boolean; mode?: string };
  xdp: Array<{ mode: 'xdp' | 'xdp-generic' | 'xdp-offload'; prog: ProgRef }>;
}

export interface RouteEntry { dst: string; gateway?: string; dev?: string; protocol?: string; scope?: string; type?: string; multipath: boolean }

export interface TcProg { dev: string; dir: 'ingress' | 'egress'; pref: number; prog?: ProgRef; kind: string }

export interface BpftoolEntry { section: string; devname: string; kind: string; prog: ProgRef }

export interface NsSnapshot {
  name: string;
  links: Link[];
  addrs: Map<string, string[]>;
  ipv6: number;
  routes: RouteEntry[];
  tc: TcProg[];
  bpftool: BpftoolEntry[];
  bpftoolRead: boolean;
  ipForward?: boolean;
  /** nsid → namespace name, as this namespace sees them. */
  nsids: Map<number, string>;
  unreadable: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(ns: RawNamespace, file: string, optional = false): unknown {
  const text = ns.read(file);
  if (text === undefined) {
    if (optional) return undefined;
    throw new ImportError(`${ns.where(file)}: missing (${describe(file)})`);
  }
  if (!text.trim()) return optional || file.startsWith('tc-') ? [] : fail(ns, file, 'empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(ns, file, `not valid JSON (${(e as Error).message}); truncated?`);
  }
}

function fail(ns: RawNamespace, file: string, what: string): never {
  throw new ImportError(`${ns.where(file)}: ${what}`);
}

function describe(file: string): string {
  if (file === FILES.link) return 'the output of "ip -j -d link show"';
  if (file === FILES.addr) return 'the output of "ip -j addr"';
  if (file === FILES.route) return 'the output of "ip -j route"';
  const m = /^tc-(.+)-(ingress|egress)\.json$/.exec(file);
  if (m) return `the output of "tc -j filter show dev ${m[1]} ${m[2]}"`;
  return 'see "datapath-lens import --help" for the dump layout';
}

function array(ns: RawNamespace, file: string, v: unknown): Obj[] {
  if (!Array.isArray(v)) fail(ns, file, 'expected a JSON array');
  return v.map((x, i) => (isObj(x) ? x : fail(ns, file, `entry ${i} is not an object`)));
}

function num(ns: RawNamespace, file: string, o: Obj, key: string, i: number): number {
  const v = o[key];
  if (typeof v !== 'number') fail(ns, file, `entry ${i} has no "${key}" number`);
  return v;
}
function str(ns: RawNamespace, file: string, o: Obj, key: string, i: number): string {
  const v = o[key];
  if (typeof v !== 'string') fail(ns, file, `entry ${i} has no "${key}" string`);
  return v;
}
const optStr = (o: Obj, k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const optNum = (o: Obj, k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);

function progRef(o: unknown): ProgRef | undefined {
  if (!isObj(o)) return undefined;
  const name = optStr(o, 'name');
  if (!name) return undefined;
  return { name, id: optNum(o, 'id'), tag: optStr(o, 'tag') };
}

const XDP_MODES: Record<number, Link['xdp'][number]['mode']> = { 1: 'xdp', 2: 'xdp-generic', 3: 'xdp-offload' };

function links(ns: RawNamespace): Link[] {
  const f = FILES.link;
  return array(ns, f, json(ns, f)).map((o, i) => {
    const linkinfo = isObj(o.linkinfo) ? o.linkinfo : undefined;
    const data = linkinfo && isObj(linkinfo.info_data) ? linkinfo.info_data : undefined;
    const kind = linkinfo ? optStr(linkinfo, 'info_kind') : undefined;
    const l: Link = {
      ifindex: num(ns, f, o, 'ifindex', i), ifname: str(ns, f, o, 'ifname', i), kind,
      master: optStr(o, 'master'), mac: optStr(o, 'address'), linkIndex: optNum(o, 'link_index'),
      linkNetnsid: optNum(o, 'link_netnsid'), operstate: optStr(o, 'operstate'), xdp: [],
    };
    if (linkinfo && !('info_kind' in linkinfo) && !('info_slave_kind' in linkinfo)) fail(ns, f, `entry ${i} (${l.ifname}): "linkinfo" has no "info_kind"`);
    // iproute2 6.7+ says "type": "primary" | "peer" (checked with 6.15 on kernel 6.12).
    if (kind === 'netkit') {
      const type = data ? optStr(data, 'type') : undefined;
      l.netkit = { primary: type === undefined ? undefined : type === 'primary', mode: data ? optStr(data, 'mode') : undefined };
    }
    const xdp = isObj(o.xdp) ? o.xdp : undefined;
    if (xdp) {
      const attached = Array.isArray(xdp.attached) ? xdp.attached.filter(isObj) : [xdp];
      for (const a of attached) {
        const mode = XDP_MODES[optNum(a, 'mode') ?? optNum(xdp, 'mode') ?? 0];
        const prog = progRef(a.prog);
        if (mode && prog) l.xdp.push({ mode, prog });
      }
    }
    return l;
  });
}

function addrs(ns: RawNamespace): { v4: Map<string, string[]>; v6: number } {
  const f = FILES.addr;
  const v4 = new Map<string, string[]>();
  let v6 = 0;
  array(ns, f, json(ns, f)).forEach((o, i) => {
    const name = str(ns, f, o, 'ifname', i);
    const info = Array.isArray(o.addr_info) ? o.addr_info.filter(isObj) : [];
    for (const a of info) {
      const local = optStr(a, 'local');
      const len = optNum(a, 'prefixlen');
      if (!local || len === undefined) continue;
      if (a.family === 'inet') v4.set(name, [...(v4.get(name) ?? []), `${local}/${len}`]);
      else if (a.family === 'inet6' && a.scope !== 'link' && a.scope !== 'host') v6++;
    }
  });
  return { v4, v6 };
}

function routes(ns: RawNamespace): RouteEntry[] {
  const f = FILES.route;
  return array(ns, f, json(ns, f)).map((o, i) => ({
    dst: str(ns, f, o, 'dst', i), gateway: optStr(o, 'gateway'), dev: optStr(o, 'dev'), protocol: optStr(o, 'protocol'),
    scope: optStr(o, 'scope'), type: optStr(o, 'type'), multipath: Array.isArray(o.nexthops),
  }));
}

function tc(ns: RawNamespace, ls: Link[]): TcProg[] {
  const out: TcProg[] = [];
  for (const l of ls) {
    for (const dir of ['ingress', 'egress'] as const) {
      const f = FILES.tc(l.ifname, dir);
      const seen = new Set<string>();
      for (const o of array(ns, f, json(ns, f))) {
        // tc prints each filter twice: a head entry without options, then the filter itself.
        if (!isObj(o.options)) continue;
        const kind = optStr(o, 'kind') ?? '?';
        const pref = optNum(o, 'pref') ?? 0;
        const prog = kind === 'bpf' ? progRef(o.options.prog) : undefined;
        const k = `${kind}|${pref}|${prog?.id ?? optStr(o.options, 'handle')}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ dev: l.ifname, dir, pref, kind, prog });
      }
    }
  }
  return out;
}

function bpftool(ns: RawNamespace): { entries: BpftoolEntry[]; read: boolean } {
  const f = FILES.bpftool;
  const text = ns.read(f);
  if (text === undefined || !text.trim()) return { entries: [], read: false };
  const v = json(ns, f);
  const out: BpftoolEntry[] = [];
  for (const top of array(ns, f, v)) {
    for (const [section, list] of Object.entries(top)) {
      if (!Array.isArray(list)) continue;
      for (const e of list.filter(isObj)) {
        const devname = optStr(e, 'devname');
        const name = optStr(e, 'name');
        if (!devname || !name) continue;
        // Classic tc entries read "prog:[*fsobj]" or "file.o:[sec]"; the kernel name is before the colon.
        out.push({ section, devname, kind: optStr(e, 'kind') ?? optStr(e, 'mode') ?? section, prog: { name: name.replace(/:\[.*\]$/, ''), id: optNum(e, 'id') ?? optNum(e, 'prog_id') } });
      }
    }
  }
  return { entries: out, read: true };
}

function forward(ns: RawNamespace): boolean | undefined {
  const text = ns.read(FILES.forward);
  if (text === undefined) throw new ImportError(`${ns.where(FILES.forward)}: missing (the content of /proc/sys/net/ipv4/ip_forward in the namespace)`);
  const t = text.trim();
  if (t === '') return undefined;
  if (t !== '0' && t !== '1') fail(ns, FILES.forward, `expected 0 or 1, found "${t.slice(0, 20)}"`);
  return t === '1';
}

function nsids(ns: RawNamespace): Map<number, string> {
  const out = new Map<number, string>();
  const v = json(ns, FILES.nsids, true);
  if (v === undefined) return out;
  for (const o of array(ns, FILES.nsids, v)) {
    const id = optNum(o, 'nsid');
    const name = optStr(o, 'name');
    if (id !== undefined && name) out.set(id, name);
  }
  return out;
}

export function snapshot(ns: RawNamespace): NsSnapshot {
  const ls = links(ns);
  const a = addrs(ns);
  const b = bpftool(ns);
  const snap: NsSnapshot = {
    name: ns.name, links: ls, addrs: a.v4, ipv6: a.v6, routes: routes(ns), tc: tc(ns, ls), bpftool: b.entries, bpftoolRead: b.read,
    ipForward: forward(ns), nsids: nsids(ns), unreadable: ns.unreadable,
  };
  return snap;
}
