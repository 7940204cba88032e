// Snapshots → topology text: namespaces, devices (kind, addresses, ifindex, MAC), pairs,
// bridges and ports, main-table routes, ip_forward, attached programs. Sorted, so the same
// machine gives the same file.
import * as path from 'node:path';
import { ImportError } from './errors';
import { topoKind, type TopoKind } from './kinds';
import { NameMap } from './names';
import { isMac, isProgName } from '../topology/syntax';
import { linkKey, resolvePeers, type Peer } from './peers';
import { attachmentsOf, programName, type CSource } from './programs';
import type { Link, NsSnapshot } from './snapshot';
import { FILES } from './dump-layout';

export interface EmitOptions {
  source: string;
  /** Namespaces named PREFIX-x become x (PREFIX-host becomes host). */
  prefix?: string;
  sources?: CSource[];
  /** Folder the file paths of `attach ... file` are relative to. */
  outDir: string;
  /** Where each namespace's link.json came from, for errors. */
  where?: (ns: string, file: string) => string;
}

export interface Emitted { text: string; unreadable: string[] }

interface Dev { snap: NsSnapshot; link: Link; kind: TopoKind; name: string; ns: string; notes: string[] }

export function emitTopology(snaps: NsSnapshot[], opts: EmitOptions): Emitted {
  const nsNames = new NameMap(['host']);
  const nsRenamed: string[] = [];
  const topoNs = new Map<string, string>();
  for (const s of [...snaps].sort((a, b) => a.name.localeCompare(b.name))) {
    if (s.name === '') { topoNs.set('', 'host'); continue; }
    const stripped = opts.prefix && s.name.startsWith(`${opts.prefix}-`) ? s.name.slice(opts.prefix.length + 1) : s.name;
    const n = opts.prefix && stripped === 'host' ? 'host' : nsNames.get(stripped);
    topoNs.set(s.name, n);
    if (n !== stripped) nsRenamed.push(`namespace "${s.name}" is ${n} here (not a NAME${stripped === 'host' ? ', or taken by the root namespace' : ''})`);
  }
  const order = [...snaps].sort((a, b) => {
    const x = topoNs.get(a.name)!, y = topoNs.get(b.name)!;
    return x === 'host' ? -1 : y === 'host' ? 1 : x.localeCompare(y);
  });
  const peers = resolvePeers(snaps);
  const devs = new Map<string, Dev>();
  const renamed: string[] = [];
  for (const s of order) {
    const names = new NameMap();
    for (const l of [...s.links].sort((a, b) => a.ifname.localeCompare(b.ifname))) {
      if (l.ifname === 'lo') continue;
      const k = topoKind(l.kind);
      if (!k) throw new ImportError(`${opts.where?.(s.name, FILES.link) ?? FILES.link}: device ${l.ifname} has an unknown kind "${l.kind}" (known: physical NICs, veth, bridge, netkit, and Linux's other link types such as dummy, vxlan, vlan)`);
      const name = names.get(l.ifname);
      const ns = topoNs.get(s.name)!;
      const notes = k.note ? [k.note] : [];
      if (name !== l.ifname) { notes.push(`named "${l.ifname}" on the machine (not a NAME)`); renamed.push(`${l.ifname} in ${ns} → ${name}`); }
      devs.set(linkKey(s.name, l.ifname), { snap: s, link: l, kind: k.kind, name, ns, notes });
    }
  }
  const ref = (d: Dev) => (d.ns === 'host' ? d.name : `${d.name}@${d.ns}`);
  const peerOf = (d: Dev): Dev | string | undefined => {
    const p: Peer | undefined = peers.get(linkKey(d.snap.name, d.link.ifname));
    if (!p) return undefined;
    return 'outside' in p ? p.outside : devs.get(linkKey(p.ns, p.ifname)) ?? 'its peer is not imported';
  };
  const attrs = (d: Dev, withMac = true) => {
    const out = [...(d.snap.addrs.get(d.link.ifname) ?? [])];
    out.push('ifindex', String(d.link.ifindex));
    if (withMac && d.link.mac && isMac(d.link.mac)) out.push('mac', d.link.mac.toLowerCase());
    return out.join(' ');
  };
  const comment = (notes: string[]) => (notes.length ? `  # ${notes.join('; ')}` : '');

  const lines: string[] = [];
  const unreadable = snaps.flatMap((s) => s.unreadable.map((u) => `${topoNs.get(s.name)}: ${u}`));
  lines.push(`# Imported by "datapath-lens import" from ${opts.source}.`);
  lines.push('# Left out: policy rules (ip rule), routing tables other than main, IPv6, neighbours, netfilter;');
  lines.push('# connected and local routes are implied by the addresses. The root namespace is "host".');
  for (const r of [...nsRenamed, ...renamed.map((r) => `device ${r}`)]) lines.push(`# Renamed: ${r}`);
  for (const u of unreadable) lines.push(`# Could not read: ${u}`);
  const v6 = snaps.reduce((n, s) => n + s.ipv6, 0);
  if (v6) lines.push(`# ${v6} global IPv6 address(es) left out.`);
  lines.push('');

  for (const s of order) {
    const ns = topoNs.get(s.name)!;
    if (ns === 'host') {
      if (s.ipForward === false) lines.push(`# host: ip_forward is 0 on the machine, but the language's host always forwards.`);
      continue;
    }
    lines.push(`netns ${ns}${s.ipForward ? ' forwarding' : ''}${s.ipForward === undefined ? '  # ip_forward could not be read' : ''}`);
  }
  lines.push('');

  const all = [...devs.values()];
  const bridges = new Set(all.filter((d) => d.kind === 'bridge').map((d) => linkKey(d.snap.name, d.link.ifname)));
  const masterNote = (d: Dev) => (d.link.master && !bridges.has(linkKey(d.snap.name, d.link.master)) ? [`enslaved to ${d.link.master} (not a bridge: left out)`] : []);
  const emitted = new Set<Dev>();
  const section = (title: string, body: string[]) => { if (body.length) lines.push(`# ${title}`, ...body, ''); };

  const pairs: string[] = [];
  const nics: string[] = [];
  /** netkit ends written as pairs: a netkit end whose peer was not imported becomes a nic. */
  const netkitPaired = new Set<Dev>();
  for (const d of all) {
    if (emitted.has(d) || d.kind === 'bridge') continue;
    if (d.kind === 'veth' || d.kind === 'netkit') {
      const p = peerOf(d);
      if (p && typeof p !== 'string') {
        let [a, b] = [d, p];
        if (d.kind === 'netkit') {
          const primary = d.link.netkit?.primary ?? (p.link.netkit?.primary === undefined ? d.ns === 'host' || p.ns !== 'host' : !p.link.netkit.primary);
          if (!primary) [a, b] = [p, d];
        }
        emitted.add(a); emitted.add(b);
        if (d.kind === 'netkit') { netkitPaired.add(a); netkitPaired.add(b); }
        const l3 = d.kind === 'netkit' && (a.link.netkit?.mode ?? 'l3') !== 'l2';
        const mode = d.kind === 'netkit' ? ` mode ${l3 ? 'l3' : 'l2'}` : '';
        const notes = [...a.notes, ...masterNote(a), ...b.notes.map((n) => `${b.name}: ${n}`), ...masterNote(b)];
        pairs.push(`${d.kind} ${ref(a)} ${attrs(a, !l3)} -- ${ref(b)} ${attrs(b, !l3)}${mode}${comment(notes)}`);
        continue;
      }
      emitted.add(d);
      nics.push(`nic ${ref(d)} ${attrs(d)}${comment([d.kind, typeof p === 'string' ? p : 'its peer is unknown', ...d.notes, ...masterNote(d)])}`);
      continue;
    }
    emitted.add(d);
    nics.push(`nic ${ref(d)} ${attrs(d)}${comment([...d.notes, ...masterNote(d)])}`);
  }
  section('Devices (nic: physical, or a kind the language does not have)', nics);
  section('Pairs', pairs);
  const brLines: string[] = [];
  for (const d of all.filter((x) => x.kind === 'bridge')) {
    const ports = all.filter((p) => p.snap === d.snap && p.link.master === d.link.ifname).map((p) => p.name).sort();
    brLines.push(`bridge ${ref(d)} ${attrs(d)}${ports.length ? ` ports ${ports.join(' ')}` : ''}${comment([...d.notes, ...masterNote(d)])}`);
  }
  section('Bridges', brLines);

  const routes: string[] = [];
  for (const s of order) {
    const ns = topoNs.get(s.name)!;
    const at = ns === 'host' ? '' : ` @${ns}`;
    const rs = [...s.routes].sort((a, b) => a.dst.localeCompare(b.dst) || (a.dev ?? '').localeCompare(b.dev ?? '') || (a.gateway ?? '').localeCompare(b.gateway ?? ''));
    for (const r of rs) {
      if (r.protocol === 'kernel' && r.scope === 'link') continue;
      if (r.dst.includes(':')) continue;
      const dest = r.dst === 'default' ? 'default' : r.dst.includes('/') ? r.dst : `${r.dst}/32`;
      const dev = r.dev ? devs.get(linkKey(s.name, r.dev)) : undefined;
      const why = r.type && r.type !== 'unicast' ? `a ${r.type} route` : r.multipath ? 'a multipath route' : r.dev === 'lo' ? 'a route through lo' : r.dev && !dev ? `its device ${r.dev} is not imported` : !r.dev && !r.gateway ? 'no device and no gateway' : undefined;
      if (why) { routes.push(`# left out in ${ns}: ${r.type && r.type !== 'unicast' ? r.type + ' ' : ''}${dest}${r.gateway ? ' via ' + r.gateway : ''}${r.dev ? ' dev ' + r.dev : ''} (${why})`); continue; }
      routes.push(`route${at} ${dest}${r.gateway ? ` via ${r.gateway}` : ''}${dev ? ` dev ${dev.name}` : ''}`);
    }
  }
  section('Routes (main table)', routes);

  const attaches: string[] = [];
  for (const s of order) {
    const ns = topoNs.get(s.name)!;
    const { attaches: list, skipped } = attachmentsOf(s);
    // bpftool's tcx and netkit entries carry no tag; the same program seen by tc has one.
    const tagOf = new Map(list.filter((a) => a.prog.tag && a.prog.id !== undefined).map((a) => [a.prog.id, a.prog.tag]));
    for (const a of list) {
      const d = devs.get(linkKey(s.name, a.dev));
      if (!d) { attaches.push(`# left out in ${ns}: ${a.prog.name} at ${a.hook} of ${a.dev} (device not imported)`); continue; }
      if (a.hook.startsWith('netkit-') && !netkitPaired.has(d)) {
        attaches.push(`# left out in ${ns}: ${a.prog.name} at ${a.hook} of ${a.dev} (its netkit peer was not imported, so ${d.name} is written as a nic)`);
        continue;
      }
      const pn = programName(a.prog.name, opts.sources ?? []);
      // The kernel allows '.' and a leading digit in program names; `prog` takes C identifiers.
      const prog = isProgName(pn.name) ? pn.name : pn.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_');
      const file = pn.file ? ` file "${path.relative(opts.outDir, pn.file).split(path.sep).join('/')}"` : '';
      const tag = a.prog.tag ?? tagOf.get(a.prog.id);
      const notes = [`id ${a.prog.id ?? '?'}`, ...(tag ? [`tag ${tag}`] : [])];
      if (a.pref !== undefined) notes.push(`tc pref ${a.pref}`);
      if (pn.note) notes.push(pn.note);
      if (prog !== pn.name) notes.push(`kernel name "${pn.name}" is not a NAME`);
      attaches.push(`attach ${a.hook} ${ref(d)} prog ${prog}${file}${a.pref !== undefined ? ` priority ${a.pref}` : ''}${comment(notes)}`);
    }
    for (const k of skipped) attaches.push(`# left out in ${ns}: ${k}`);
  }
  section('Programs', attaches);
  while (lines[lines.length - 1] === '') lines.pop();
  return { text: lines.join('\n') + '\n', unreadable };
}
