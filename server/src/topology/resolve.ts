// Statements → model. Declarations first (namespaces, then devices), references after, so a
// file may use a name before the line that declares it. Every problem is reported and the
// statement is kept as far as it makes sense, so one bad line never hides the rest.
import * as path from 'node:path';
import { contains, parseCidr, parseIp } from './address';
import type { Token } from './lex';
import {
  HOOKS, HOST_NS, devKey,
  type Attachment, type Cidr, type Device, type DevKey, type Diagnostic, type Endpoint, type Hook,
  type MapOperand, type NameRef, type PathSpec, type Range, type Route, type Topology,
} from './model';
import { closest } from './suggest';
import { isName, tokenRange, type DevRef, type PairEnd, type Statement } from './syntax';

export function resolveTopology(statements: Statement[], file: string): { topology: Topology; diagnostics: Diagnostic[] } {
  return new Resolver(file).run(statements);
}

/** A `path` given outside the file (the CLI's --from/--to), resolved against a parsed topology. */
export function resolvePathStatement(topo: Topology, statement: Extract<Statement, { kind: 'path' }>): { spec?: PathSpec; diagnostics: Diagnostic[] } {
  // A copy of the namespaces: an unknown @NS is adopted to avoid cascades, and must not leak into `topo`.
  const r = new Resolver(topo.file, { ...topo, namespaces: new Map(topo.namespaces), refs: [], paths: [] });
  const { topology, diagnostics } = r.runPaths([statement]);
  return { spec: topology.paths[0], diagnostics };
}

class Resolver {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly topo: Topology;
  /** The line that made each device a veth/netkit end, to explain reuse. */
  private readonly pairLine = new Map<DevKey, number>();
  /** Where each route's gateway is written, to point at it. */
  private readonly viaRanges = new Map<Route, Range>();
  /** Namespaces used but never declared: already reported, so their devices are not again. */
  private readonly adopted = new Set<string>();

  constructor(private readonly file: string, existing?: Topology) {
    this.topo = existing ?? {
      file, namespaces: new Map([[HOST_NS, { name: HOST_NS, forwarding: true }]]),
      devices: new Map(), routes: [], attachments: [], paths: [], maps: [], refs: [],
    };
  }

  runPaths(statements: Extract<Statement, { kind: 'path' }>[]) {
    for (const s of statements) this.path(s);
    return { topology: this.topo, diagnostics: this.diagnostics };
  }

  run(statements: Statement[]) {
    for (const s of statements) if (s.kind === 'netns') this.netns(s);
    for (const s of statements) {
      if (s.kind === 'nic' || s.kind === 'bridge') this.device(s.kind, s.end, s.range);
      else if (s.kind === 'veth' || s.kind === 'netkit') this.pair(s);
    }
    for (const s of statements) {
      switch (s.kind) {
        case 'bridge': this.ports(s); break;
        case 'wire': this.wire(s); break;
        case 'route': this.route(s); break;
        case 'attach': this.attach(s); break;
        case 'path': this.path(s); break;
        case 'map': this.map(s); break;
        default: break;
      }
    }
    this.checkGateways();
    return { topology: this.topo, diagnostics: this.diagnostics };
  }

  private error(range: Range, code: string, message: string, fix?: Diagnostic['fix']): void {
    this.diagnostics.push({ file: this.file, range, severity: 'error', code, message, ...(fix ? { fix } : {}) });
  }

  /** "Did you mean" text and the quick fix that applies it. */
  private suggest(word: string, candidates: Iterable<string>, range: Range): { hint: string; fix?: Diagnostic['fix'] } {
    const c = closest(word, candidates);
    return c ? { hint: ` Did you mean "${c}"?`, fix: { title: `Change to "${c}"`, range, text: c } } : { hint: '' };
  }

  private netns(s: Extract<Statement, { kind: 'netns' }>): void {
    const name = s.name.text;
    const existing = this.topo.namespaces.get(name);
    if (existing && existing.range) {
      this.error(tokenRange(s.name), 'topo-duplicate', `Namespace "${name}" is already declared on line ${existing.range.start.line + 1}.`);
      return;
    }
    if (name === HOST_NS) {
      // `host` is the root namespace and always forwards; declaring it only gives it a place.
      this.topo.namespaces.set(name, { name, forwarding: true, range: s.range, nameRange: tokenRange(s.name) });
    } else {
      this.topo.namespaces.set(name, { name, forwarding: s.forwarding, range: s.range, nameRange: tokenRange(s.name) });
    }
    this.topo.refs.push({ kind: 'namespace', target: name, range: tokenRange(s.name), declaration: true });
  }

  /** The namespace a DEV names, reporting an unknown one (and adopting it, to avoid a cascade). */
  private nsOf(ref: DevRef, fallback = HOST_NS): string {
    const ns = ref.ns ?? fallback;
    if (ref.ns !== undefined) {
      this.topo.refs.push({ kind: 'namespace', target: ns, range: ref.nsRange!, declaration: false });
      if (!this.topo.namespaces.has(ns)) {
        const s = this.suggest(ns, this.topo.namespaces.keys(), ref.nsRange!);
        this.error(ref.nsRange!, 'topo-unknown-name', `Unknown namespace "${ns}": declare it with "netns ${ns}".${s.hint}`, s.fix);
        this.topo.namespaces.set(ns, { name: ns, forwarding: false });
        this.adopted.add(ns);
      }
    }
    return ns;
  }

  private addrs(tokens: Token[]): Cidr[] {
    const out: Cidr[] = [];
    for (const t of tokens) {
      const c = parseCidr(t.text);
      if (typeof c === 'string') this.error(tokenRange(t), 'topo-bad-cidr', `Malformed CIDR "${t.text}": expected ${c}.`);
      else out.push(c);
    }
    return out;
  }

  private device(kind: Device['kind'], end: PairEnd, range: Range): Device | undefined {
    const ns = this.nsOf(end.dev);
    const key = devKey(end.dev.name, ns);
    const existing = this.topo.devices.get(key);
    if (existing) {
      const reuse = this.pairLine.has(key) && (kind === 'veth' || kind === 'netkit');
      this.error(end.dev.nameRange, reuse ? 'topo-veth-reuse' : 'topo-duplicate', reuse
        ? `"${key}" is already an end of the pair on line ${this.pairLine.get(key)! + 1}: a ${kind} end belongs to one pair only.`
        : `Device "${end.dev.name}" is already declared in namespace "${ns}" on line ${existing.range.start.line + 1}.`);
      return undefined;
    }
    const dev: Device = {
      key, name: end.dev.name, ns, kind, addrs: this.addrs(end.cidrs), ports: [], range, nameRange: end.dev.nameRange,
      ...(end.attrs.ifindex ? { ifindex: end.attrs.ifindex.value } : {}),
      ...(end.attrs.mac ? { mac: end.attrs.mac.value } : {}),
    };
    this.topo.devices.set(key, dev);
    this.topo.refs.push({ kind: 'device', target: key, range: end.dev.nameRange, declaration: true });
    return dev;
  }

  private pair(s: Extract<Statement, { kind: 'veth' | 'netkit' }>): void {
    const [a, b] = s.ends.map((e) => this.device(s.kind, e, s.range));
    if (a) this.pairLine.set(a.key, s.line);
    if (b) this.pairLine.set(b.key, s.line);
    if (a && b) {
      a.peer = b.key;
      b.peer = a.key;
      if (s.kind === 'netkit') {
        a.netkitEnd = 'primary';
        b.netkitEnd = 'peer';
        a.netkitMode = b.netkitMode = (s.mode?.text as 'l2' | 'l3' | undefined) ?? 'l3';
      }
    }
  }

  /** Looks a device up, reporting an unknown one with the closest name in that namespace. */
  private lookup(ref: DevRef, fallbackNs = HOST_NS): Device | undefined {
    const ns = this.nsOf(ref, fallbackNs);
    const key = devKey(ref.name, ns);
    const dev = this.topo.devices.get(key);
    if (!dev && this.adopted.has(ns)) return undefined;
    if (!dev) {
      const here = [...this.topo.devices.values()].filter((d) => d.ns === ns).map((d) => d.name);
      const s = this.suggest(ref.name, here, ref.nameRange);
      const elsewhere = [...this.topo.devices.values()].filter((d) => d.name === ref.name).map((d) => d.key);
      const hint = s.hint || (elsewhere.length ? ` A device of that name exists as ${elsewhere.map((k) => `"${k}"`).join(', ')}.` : '');
      this.error(ref.nameRange, 'topo-unknown-name', `Unknown device "${ref.name}" in namespace "${ns}".${hint}`, s.fix);
      return undefined;
    }
    this.topo.refs.push({ kind: 'device', target: key, range: ref.nameRange, declaration: false });
    return dev;
  }

  private ports(s: Extract<Statement, { kind: 'bridge' }>): void {
    const bridgeNs = s.end.dev.ns ?? HOST_NS;
    const br = this.topo.devices.get(devKey(s.end.dev.name, bridgeNs));
    if (!br || br.kind !== 'bridge' || br.range !== s.range) return;
    for (const p of s.ports) {
      if (p.ns !== undefined && p.ns !== bridgeNs) {
        this.nsOf(p);
        this.error(p.tok.line === p.nameRange.start.line ? { start: p.nameRange.start, end: p.nsRange!.end } : p.nameRange, 'topo-port-namespace',
          `Port "${p.name}@${p.ns}" is in namespace "${p.ns}", but bridge "${br.name}" is in "${bridgeNs}": a bridge enslaves devices of its own namespace only.`);
        continue;
      }
      // An unqualified port lives in the bridge's namespace.
      const dev = this.lookup({ ...p, ns: undefined }, bridgeNs);
      if (!dev) continue;
      if (dev.key === br.key) { this.error(p.nameRange, 'topo-bad-port', `Bridge "${br.name}" cannot be a port of itself.`); continue; }
      if (dev.kind === 'bridge') { this.error(p.nameRange, 'topo-bad-port', `"${dev.name}" is a bridge: the kernel refuses to enslave a bridge to a bridge (br_add_if returns -ELOOP).`); continue; }
      if (dev.master) { this.error(p.nameRange, 'topo-bad-port', `"${dev.name}" is already a port of bridge "${this.topo.devices.get(dev.master)!.name}".`); continue; }
      dev.master = br.key;
      br.ports.push(dev.key);
    }
  }

  private wire(s: Extract<Statement, { kind: 'wire' }>): void {
    const a = this.lookup(s.a);
    const b = this.lookup(s.b);
    for (const [d, ref] of [[a, s.a], [b, s.b]] as const) {
      if (d && d.kind !== 'nic') this.error(ref.nameRange, 'topo-bad-wire', `"${d.key}" is a ${d.kind}: a wire joins two NICs (declare it with "nic").`);
      else if (d && d.wire) this.error(ref.nameRange, 'topo-bad-wire', `"${d.key}" is already wired to "${d.wire}".`);
    }
    if (!a || !b || a.kind !== 'nic' || b.kind !== 'nic' || a.wire || b.wire) return;
    if (a.key === b.key) { this.error(s.b.nameRange, 'topo-bad-wire', 'A wire needs two different NICs.'); return; }
    a.wire = b.key;
    b.wire = a.key;
  }

  private route(s: Extract<Statement, { kind: 'route' }>): void {
    let ns = HOST_NS;
    if (s.ns) {
      ns = this.nsOf({ name: 'x', ns: s.ns.text, tok: s.ns, nameRange: tokenRange(s.ns), nsRange: tokenRange(s.ns) });
    }
    let dest: Cidr | null = null;
    if (s.dest.text !== 'default') {
      const c = parseCidr(s.dest.text);
      if (typeof c === 'string') {
        this.error(tokenRange(s.dest), 'topo-bad-cidr', `Malformed destination "${s.dest.text}": expected "default" or a CIDR; ${c}.`);
        return;
      }
      dest = c;
    }
    let via: number | undefined;
    if (s.via) {
      via = parseIp(s.via.text);
      if (via === undefined) { this.error(tokenRange(s.via), 'topo-bad-cidr', `Malformed gateway "${s.via.text}": expected an IPv4 address such as 10.0.0.1.`); return; }
    }
    let dev: Device | undefined;
    if (s.dev) {
      dev = this.lookup({ name: s.dev.text, tok: s.dev, nameRange: tokenRange(s.dev) }, ns);
      if (!dev) return;
    }
    const route: Route = { ns, dest, destText: s.dest.text, range: s.range, ...(via !== undefined ? { via, viaText: s.via!.text } : {}), ...(dev ? { dev: dev.key } : {}) };
    this.topo.routes.push(route);
    if (s.via) this.viaRanges.set(route, tokenRange(s.via));
  }

  /** A gateway must be on a connected subnet (or a device route) of its namespace, on `dev` when given. */
  private checkGateways(): void {
    const byNs = new Map<string, Device[]>();
    for (const d of this.topo.devices.values()) if (!d.master) byNs.set(d.ns, [...(byNs.get(d.ns) ?? []), d]);
    const deviceRoutes = new Map<string, Route[]>();
    // fib_check_nh accepts a gateway that any device route covers, `default dev X` included.
    for (const o of this.topo.routes) if (o.via === undefined) deviceRoutes.set(o.ns, [...(deviceRoutes.get(o.ns) ?? []), o]);
    for (const r of this.topo.routes) {
      if (r.via === undefined) continue;
      const devs = (byNs.get(r.ns) ?? []).filter((d) => !r.dev || d.key === r.dev);
      const onLink = devs.some((d) => d.addrs.some((c) => contains(c, r.via!))) ||
        (deviceRoutes.get(r.ns) ?? []).some((o) => (!o.dest || contains(o.dest, r.via!)) && (!r.dev || o.dev === r.dev));
      if (!onLink) {
        const where = r.dev ? `device "${r.dev}"` : `namespace "${r.ns}"`;
        this.error(this.viaRanges.get(r) ?? r.range, 'topo-unreachable-gateway',
          `Gateway ${r.viaText} is not on any subnet of ${where}: the kernel refuses this route ("Nexthop has invalid gateway"). Give a device an address in its subnet, or add "route ${r.ns === HOST_NS ? '' : '@' + r.ns + ' '}${r.viaText}/32 dev NAME" first.`);
      }
    }
  }

  private attach(s: Extract<Statement, { kind: 'attach' }>): void {
    const hookText = s.hook.text;
    const known = (HOOKS as readonly string[]).includes(hookText);
    if (!known) {
      const sug = this.suggest(hookText, HOOKS, tokenRange(s.hook));
      this.error(tokenRange(s.hook), 'topo-unknown-hook', `Unknown hook "${hookText}": expected one of ${HOOKS.join(', ')}.${sug.hint}`, sug.fix);
    }
    const dev = this.lookup(s.dev);
    const redirect = s.redirectTo ? this.lookup(s.redirectTo, dev?.ns ?? HOST_NS) : undefined;
    if (!known || !dev) return;
    const hook = hookText as Hook;
    if ((hook === 'netkit-primary' || hook === 'netkit-peer') && dev.netkitEnd !== 'primary') {
      this.error(tokenRange(s.hook), 'topo-bad-hook', `Hook "${hook}" belongs to a netkit pair and is named on its primary end; "${dev.key}" is ${dev.kind === 'netkit' ? 'the peer end (programs attach through the primary\'s ifindex)' : `a ${dev.kind}`}.`);
      return;
    }
    if (hook === 'xdp' && dev.kind === 'netkit') {
      // drivers/net/netkit.c has no ndo_bpf: `ip link set ... xdpdrv` is refused (checked on 6.12).
      this.error(tokenRange(s.hook), 'topo-bad-hook', `netkit has no native XDP (the driver has no ndo_bpf): the kernel refuses to attach "${s.prog.text}" at xdp of ${dev.key} ("Underlying driver does not support XDP in native mode"). Generic XDP works on any device: use xdp-generic.`,
        { title: 'Use xdp-generic', range: tokenRange(s.hook), text: 'xdp-generic' });
      return;
    }
    const fileAbs = s.file ? path.resolve(path.dirname(this.file), s.file.text) : undefined;
    const att: Attachment = {
      hook, dev: dev.key, prog: s.prog.text, order: this.topo.attachments.length, range: s.range,
      hookRange: tokenRange(s.hook), devRange: s.dev.nameRange, progRange: tokenRange(s.prog),
      ...(s.file ? { file: s.file.text, fileAbs } : {}),
      ...(redirect ? { redirectTo: redirect.key } : {}),
      ...(s.priority ? { priority: s.priority.value } : {}),
    };
    this.topo.attachments.push(att);
    this.topo.refs.push({ kind: 'program', target: s.prog.text, range: tokenRange(s.prog), declaration: false });
  }

  private endpoint(t: Token): Endpoint | undefined {
    const ip = parseIp(t.text);
    if (ip !== undefined) return { kind: 'ip', ip, text: t.text };
    if (/^\d+(\.\d+)*$/.test(t.text)) {
      this.error(tokenRange(t), 'topo-bad-cidr', `Malformed address "${t.text}": expected an IPv4 address such as 10.0.0.1.`);
      return undefined;
    }
    if (t.text.includes('@')) {
      const at = t.text.indexOf('@');
      const ref: DevRef = {
        name: t.text.slice(0, at), ns: t.text.slice(at + 1), tok: t,
        nameRange: { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.start + at } },
        nsRange: { start: { line: t.line, character: t.start + at + 1 }, end: { line: t.line, character: t.end } },
      };
      if (!isName(ref.name) || !isName(ref.ns!)) { this.error(tokenRange(t), 'topo-syntax', `Expected a namespace, an IP or a device (NAME@NS), found "${t.text}".`); return undefined; }
      const dev = this.lookup(ref);
      return dev ? { kind: 'dev', dev: dev.key, text: t.text } : undefined;
    }
    if (!isName(t.text)) { this.error(tokenRange(t), 'topo-syntax', `Expected a namespace, an IP or a device, found "${t.text}".`); return undefined; }
    // A bare name is a namespace first (a process in it), else a device of `host`.
    if (this.topo.namespaces.has(t.text)) {
      this.topo.refs.push({ kind: 'namespace', target: t.text, range: tokenRange(t), declaration: false });
      return { kind: 'ns', ns: t.text, text: t.text };
    }
    const hostDev = this.topo.devices.get(devKey(t.text, HOST_NS));
    if (hostDev) {
      this.topo.refs.push({ kind: 'device', target: hostDev.key, range: tokenRange(t), declaration: false });
      return { kind: 'dev', dev: hostDev.key, text: t.text };
    }
    const candidates = [...this.topo.namespaces.keys(), ...[...this.topo.devices.values()].filter((d) => d.ns === HOST_NS).map((d) => d.name)];
    const sug = this.suggest(t.text, candidates, tokenRange(t));
    this.error(tokenRange(t), 'topo-unknown-name', `Unknown namespace or device "${t.text}".${sug.hint}`, sug.fix);
    return undefined;
  }

  private path(s: Extract<Statement, { kind: 'path' }>): void {
    const from = this.endpoint(s.from);
    const to = this.endpoint(s.to);
    if (!from || !to) return;
    const proto = !s.proto || s.proto.text === 'icmp'
      ? { kind: 'icmp' as const }
      : { kind: s.proto.text as 'udp' | 'tcp', port: s.port!.value };
    this.topo.paths.push({ from, to, proto, range: s.range });
  }

  private operand(t: Token): MapOperand | undefined {
    if (/^\d+$/.test(t.text)) return { kind: 'number', value: Number(t.text), text: t.text };
    const ip = parseIp(t.text);
    if (ip !== undefined) return { kind: 'ip', ip, text: t.text };
    const at = t.text.indexOf('@');
    const name = at < 0 ? t.text : t.text.slice(0, at);
    if (!isName(name)) { this.error(tokenRange(t), 'topo-syntax', `Expected an IP, a device or a number, found "${t.text}".`); return undefined; }
    const ref: DevRef = {
      name, ns: at < 0 ? undefined : t.text.slice(at + 1), tok: t,
      nameRange: { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.start + name.length } },
      ...(at < 0 ? {} : { nsRange: { start: { line: t.line, character: t.start + at + 1 }, end: { line: t.line, character: t.end } } }),
    };
    const dev = this.lookup(ref);
    return dev ? { kind: 'dev', dev: dev.key, text: t.text } : undefined;
  }

  private map(s: Extract<Statement, { kind: 'map' }>): void {
    const key = this.operand(s.key);
    const value = this.operand(s.value);
    if (!key || !value) return;
    this.topo.maps.push({
      name: s.name.text, key, value, range: s.range,
      ...(s.file ? { file: s.file.text, fileAbs: path.resolve(path.dirname(this.file), s.file.text) } : {}),
    });
  }
}

export type { NameRef };
