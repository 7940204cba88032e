// Go loaders: cilium/ebpf's link.AttachTCX / AttachXDP / AttachNetkit / RawAttachProgram /
// AttachRawLink, and vishvananda/netlink's BpfFilter (classic tc) and LinkSetXdpFd.
// bpf2go turns C names into Go identifiers (to_container → ToContainer); the go:generate
// line says which C source the objects come from.

import type { Hook } from '../../topology/model';
import { Assignments, stripParens } from './assignments';
import { hasName, isDeviceName, mechanismOf, type LoaderEvidence, type ProgRef } from './evidence';
import { parentDirection } from './shell';
import { shellCommands } from './shell-words';
import { basename, blankComments, keyedFields, LineIndex, matchBracket, oneLine, splitArgs, type Arg } from './text';

/** cilium/ebpf's internal.Identifier, which bpf2go applies to every C program name. */
export function bpf2goIdentifier(str: string): string {
  let prev = -1; // -1: start of string, or the previous rune was deleted
  let out = '';
  for (const ch of str) {
    let r = ch;
    const isLetter = /\p{L}/u.test(ch);
    if (isLetter) {
      if (prev === -1) r = ch.toUpperCase();
    } else if (ch === '_') {
      const p = prev === -1 ? '' : String.fromCodePoint(prev);
      if (prev === -1 || /\p{Nd}/u.test(p) || (/\p{L}/u.test(p) && p === p.toLowerCase() && p !== p.toUpperCase())) {
        prev = -1;
        continue;
      }
    } else if (!/\p{Nd}/u.test(ch)) {
      continue; // deleted, prev unchanged
    }
    prev = r.codePointAt(0) ?? -1;
    out += r;
  }
  return out;
}

/** Plausible C names for a bpf2go identifier, most likely first (each maps back to it). */
export function cNameCandidates(goName: string): string[] {
  const snake = goName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  const camel = goName.charAt(0).toLowerCase() + goName.slice(1);
  return [...new Set([snake, camel, goName])].filter((c) => bpf2goIdentifier(c) === goName);
}

const BPF2GO_FLAGS_WITH_VALUE = new Set(['-cc', '-cflags', '-strip', '-tags', '-target', '-type', '-go-package', '-output-dir', '-output-stem', '-makebase', '-output-suffix']);

export function scanGo(file: string, text: string): LoaderEvidence[] {
  return new GoLoader(file, text).scan();
}

interface Field { text: string; at: number; start: number }

class GoLoader {
  private readonly code: string;
  private readonly vals: Assignments;
  private readonly lines: LineIndex;
  /** bpf2go identifier (`bpf`) → C source basename (`tc.c`) */
  private readonly sources = new Map<string, string>();
  /** objects variable → bpf2go identifier */
  private readonly objVars = new Map<string, string>();
  /** collection variable → object file basename (ebpf.LoadCollection("x.o")) */
  private readonly collVars = new Map<string, string>();

  constructor(private readonly file: string, text: string) {
    this.code = blankComments(text, 'go');
    this.vals = new Assignments(this.code, 'go');
    this.lines = new LineIndex(text);
    for (const m of text.matchAll(/^[ \t]*\/\/go:generate[ \t]+(.*)$/gm)) {
      const words = shellCommands({ text: m[1] }, 'sh')[0] ?? [];
      const at = words.findIndex((w) => /(^|\/)bpf2go$/.test(w.value));
      if (at < 0) continue;
      const pos: string[] = [];
      for (let k = at + 1; k < words.length; k++) {
        const v = words[k].value;
        if (v === '--') break;
        if (v.startsWith('-')) {
          if (BPF2GO_FLAGS_WITH_VALUE.has(v.replace(/^--/, '-'))) k++;
          continue;
        }
        pos.push(v);
      }
      if (pos.length >= 2) this.sources.set(pos[0], basename(pos[1]));
    }
    for (const m of this.code.matchAll(/\b([A-Za-z_]\w*)\s*:?=\s*&?([A-Za-z_]\w*?)(?:Objects|Programs)\s*\{/g)) this.objVars.set(m[1], m[2]);
    for (const m of this.code.matchAll(/\bvar\s+([A-Za-z_]\w*)\s+([A-Za-z_]\w*?)(?:Objects|Programs)\b/g)) this.objVars.set(m[1], m[2]);
    for (const m of this.code.matchAll(/\b([A-Za-z_]\w*)\s*,\s*\w+\s*:?=\s*ebpf\.LoadCollection(?:Spec)?\s*\(\s*"([^"]+)"/g)) this.collVars.set(m[1], basename(m[2]));
  }

  scan(): LoaderEvidence[] {
    return [...this.linkAttach(), ...this.bpfFilters(), ...this.netlinkXdp()]
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }

  private evidence(start: number, end: number, hook: Hook, ref: ProgRef, dev: string | undefined, why: string): LoaderEvidence {
    const ev: LoaderEvidence = {
      file: this.file,
      range: this.lines.range(start, end),
      hook,
      mechanism: mechanismOf(hook),
      detail: oneLine(this.code.slice(start, end)) + (why ? ` (${why})` : ''),
    };
    if (dev) ev.dev = dev;
    Object.assign(ev, ref);
    return ev;
  }

  // ---- link.AttachTCX(link.TCXOptions{Interface, Program, Attach}) and friends

  private linkAttach(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    const re = /\b(?:[A-Za-z_]\w*\.)?(AttachTCX|AttachXDP|AttachNetkit|RawAttachProgram|AttachRawLink)\s*\(/g;
    for (const m of this.code.matchAll(re)) {
      const start = m.index ?? 0;
      if (/\bfunc\s+(?:\([^)]*\)\s*)?$/.test(this.code.slice(Math.max(0, start - 40), start))) continue;
      const open = start + m[0].length - 1;
      const { args, close } = splitArgs(this.code, open, 'go');
      if (!args.length) continue;
      const field = (name: string) => this.optionField(args[0], name, start);
      const prog = field('Program');
      const ref = prog && this.resolveProg(prog.text, prog.at);
      if (!ref || !hasName(ref)) continue;
      let hook: Hook | undefined;
      let why = '';
      if (m[1] === 'AttachXDP') {
        const flags = field('Flags');
        hook = flags && /\bXDPGenericMode\b/.test(flags.text) ? 'xdp-generic' : 'xdp';
        why = flags ? flags.text : '';
      } else {
        const attach = field('Attach');
        hook = attach ? this.attachHook(attach.text, attach.at) : undefined;
        why = attach ? attach.text : '';
      }
      if (!hook) continue;
      const iface = field(m[1] === 'RawAttachProgram' || m[1] === 'AttachRawLink' ? 'Target' : 'Interface');
      const dev = iface ? this.devOf(iface.text, iface.at) : undefined;
      out.push(this.evidence(start, close + 1, hook, ref, dev, why));
    }
    return out;
  }

  private attachHook(expr: string, at: number, depth = 0): Hook | undefined {
    const e = stripParens(expr);
    const table: Record<string, Hook> = {
      AttachTCXIngress: 'tcx-ingress', AttachTCXEgress: 'tcx-egress',
      AttachNetkitPrimary: 'netkit-primary', AttachNetkitPeer: 'netkit-peer',
      AttachXDP: 'xdp',
    };
    const m = /(?:^|\.)(\w+)$/.exec(e);
    if (m && table[m[1]] && (m[1] !== e || /^Attach/.test(e))) return table[m[1]];
    if (depth > 3) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.attachHook(next.expr, next.at, depth + 1) : undefined;
  }

  /**
   * A field of an options struct as the call sees it: from a composite literal in the call,
   * or from the variable's declaration and later `opts.Field = x` assignments.
   */
  private optionField(arg: Arg, name: string, at: number): Field | undefined {
    const e = stripParens(arg.text);
    if (/^[\w.]+\s*\{/.test(e)) {
      const open = this.code.indexOf('{', arg.start);
      const f = keyedFields(splitArgs(this.code, open, 'go').args, ':').get(name);
      return f ? { text: f.text, at, start: f.start } : undefined;
    }
    if (!/^[A-Za-z_]\w*$/.test(e)) return undefined;
    const events: Field[] = [];
    for (const d of this.vals.all(e)) {
      if (!/^&?[\w.]+\s*\{/.test(d.rhs)) continue;
      const open = this.code.indexOf('{', d.rhsStart);
      const f = keyedFields(splitArgs(this.code, open, 'go').args, ':').get(name);
      if (f) events.push({ text: f.text, at: d.at, start: f.start });
    }
    for (const a of this.vals.all(`${e}.${name}`)) events.push({ text: a.rhs, at: a.at, start: a.rhsStart });
    events.sort((x, y) => x.at - y.at);
    return this.vals.pick(events, at, e);
  }

  /** objs.ToContainer, objs.X.FD(), coll.Programs["name"], or a variable holding one. */
  private resolveProg(expr: string, at: number, depth = 0): ProgRef | undefined {
    const e = stripParens(expr);
    let m = /^([\s\S]+)\.FD\s*\(\s*\)$/.exec(e);
    if (m) return this.resolveProg(m[1], at, depth + 1);
    m = /^([A-Za-z_]\w*)(?:\.\w+)*\.Programs\s*\[\s*"([^"]+)"\s*\]$/.exec(e);
    if (m) {
      const object = this.collVars.get(m[1]);
      return object ? { prog: m[2], object } : { prog: m[2] };
    }
    m = /^([A-Za-z_]\w*)(?:\.\w+)*\.([A-Z]\w*)$/.exec(e);
    if (m && (this.objVars.has(m[1]) || this.sources.size > 0 || /objs|programs|progs/i.test(e))) {
      const ident = this.objVars.get(m[1]);
      const object = (ident && this.sources.get(ident)) ?? (this.sources.size === 1 ? [...this.sources.values()][0] : undefined);
      const ref: ProgRef = { progCandidates: cNameCandidates(m[2]), goName: m[2] };
      if (object) ref.object = object;
      return ref;
    }
    if (depth > 4) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.resolveProg(next.expr, next.at, depth + 1) : undefined;
  }

  /** net.InterfaceByName("eth0") / netlink.LinkByName("eth0"), through variables. */
  private devOf(expr: string, at: number, depth = 0): string | undefined {
    const e = stripParens(expr);
    const m = /(?:InterfaceByName|LinkByName)\s*\(([^()]*)\)/.exec(e);
    if (m) {
      const v = this.vals.stringValue(m[1], at);
      return isDeviceName(v) ? v : undefined;
    }
    if (depth > 4) return undefined;
    // iface.Index, link.Attrs().Index: follow the root variable
    const root = /^([A-Za-z_]\w*)\b/.exec(e);
    if (!root) return undefined;
    const next = this.vals.follow(root[1], at);
    return next ? this.devOf(next.expr, next.at, depth + 1) : undefined;
  }

  // ---- netlink.FilterAdd(&netlink.BpfFilter{FilterAttrs: ..., Fd: objs.X.FD(), DirectAction: true})

  private bpfFilters(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const m of this.code.matchAll(/\b(?:[A-Za-z_]\w*\.)?BpfFilter\s*\{/g)) {
      const litStart = m.index ?? 0;
      const open = litStart + m[0].length - 1;
      const { args, close } = splitArgs(this.code, open, 'go');
      const fields = keyedFields(args, ':');
      const fd = fields.get('Fd');
      const ref = fd && this.resolveProg(fd.text, litStart);
      if (!ref || !hasName(ref)) continue;
      const attrsArg = fields.get('FilterAttrs');
      let attrs = new Map<string, Arg>();
      if (attrsArg) {
        const brace = this.code.indexOf('{', attrsArg.start);
        if (brace >= 0 && brace < attrsArg.end) attrs = keyedFields(splitArgs(this.code, brace, 'go').args, ':');
      }
      const parent = attrs.get('Parent');
      const dir = parent && this.goParent(parent.text, litStart);
      if (!dir) continue;
      const link = attrs.get('LinkIndex');
      const dev = link ? this.devOf(link.text, litStart) : undefined;
      const [start, end] = this.filterCall(litStart, close);
      out.push(this.evidence(start, end, dir === 'ingress' ? 'tc-ingress' : 'tc-egress', ref, dev, `Parent: ${parent.text}`));
    }
    return out;
  }

  /** The FilterAdd/FilterReplace call that installs the literal, else the literal itself. */
  private filterCall(litStart: number, litClose: number): [number, number] {
    const before = this.code.slice(Math.max(0, litStart - 120), litStart);
    const inline = /(?:\b[A-Za-z_]\w*\.)?Filter(?:Add|Replace)\s*\(\s*&?\s*$/.exec(before);
    if (inline) {
      const s = litStart - before.length + inline.index;
      const open = this.code.indexOf('(', s);
      return [s, matchBracket(this.code, open, 'go') + 1];
    }
    const v = /([A-Za-z_]\w*)\s*:?=\s*&?\s*$/.exec(before);
    if (v) {
      const call = new RegExp(`(?:\\b[A-Za-z_]\\w*\\.)?Filter(?:Add|Replace)\\s*\\(\\s*&?${v[1]}\\s*\\)`, 'g');
      call.lastIndex = litClose;
      const c = call.exec(this.code);
      if (c) return [c.index, c.index + c[0].length];
    }
    const amp = /&\s*$/.test(before) ? before.length - before.lastIndexOf('&') : 0;
    return [litStart - amp, litClose + 1];
  }

  /** netlink.HANDLE_MIN_INGRESS / HANDLE_MIN_EGRESS, 0xFFFFFFF2, MakeHandle(0xffff, 0xfff3). */
  private goParent(expr: string, at: number, depth = 0): 'ingress' | 'egress' | undefined {
    const e = stripParens(expr);
    if (/\bHANDLE_MIN_INGRESS$/.test(e)) return 'ingress';
    if (/\bHANDLE_MIN_EGRESS$/.test(e)) return 'egress';
    const num = (s: string): number | undefined => {
      const t = s.trim();
      if (/\bHANDLE_MIN_INGRESS$/.test(t)) return 0xfffffff2;
      if (/\bHANDLE_MIN_EGRESS$/.test(t)) return 0xfffffff3;
      if (/^0x[0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
      if (/^\d+$/.test(t)) return parseInt(t, 10);
      return undefined;
    };
    const mk = /MakeHandle\s*\(([^,]+),([^)]+)\)$/.exec(e);
    if (mk) {
      const maj = num(mk[1]);
      const min = num(mk[2]);
      if (maj === undefined || min === undefined) return undefined;
      return parentDirection(`${(maj & 0xffff).toString(16)}:${(min & 0xffff).toString(16)}`);
    }
    const n = num(e);
    if (n !== undefined) return parentDirection('0x' + n.toString(16));
    if (depth > 3) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.goParent(next.expr, next.at, depth + 1) : undefined;
  }

  // ---- netlink.LinkSetXdpFd(link, fd) / LinkSetXdpFdWithFlags(link, fd, flags)

  private netlinkXdp(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const m of this.code.matchAll(/\b(?:[A-Za-z_]\w*\.)?(LinkSetXdpFd|LinkSetXdpFdWithFlags)\s*\(/g)) {
      const start = m.index ?? 0;
      const { args, close } = splitArgs(this.code, start + m[0].length - 1, 'go');
      if (args.length < 2) continue;
      const ref = this.resolveProg(args[1].text, start);
      if (!ref || !hasName(ref)) continue;
      const generic = !!args[2] && /XDP_FLAGS_SKB_MODE/.test(args[2].text);
      out.push(this.evidence(start, close + 1, generic ? 'xdp-generic' : 'xdp', ref, this.devOf(args[0].text, start), ''));
    }
    return out;
  }
}
