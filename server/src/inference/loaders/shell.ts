// tc / ip / bpftool / xdp-loader command lines, wherever shell text is found: scripts,
// Makefile recipes, Dockerfiles, justfiles (and, through yaml.ts and embedded.ts, YAML
// strings and commands built inside programs). Each command is read as the tool itself
// parses its arguments (iproute2 and bpftool accept unambiguous prefixes: `tc f a`).

import type { Hook } from '../../topology/model';
import { hasName, isDeviceName, mechanismOf, type LoaderEvidence, type ProgRef } from './evidence';
import { shellCommands, type Dialect, type Segment, type Word } from './shell-words';
import { basename, LineIndex } from './text';

export type ShellKind = 'sh' | 'make' | 'dockerfile' | 'just';

/** What the commands of one file share: variables and the pins `bpftool prog load` made. */
export interface ShellContext {
  resolveVar(name: string): string | undefined;
  /** pin path → object basename (`bpftool prog load F.o PATH`) */
  pins: Map<string, string>;
  /** pin directory → object basename (`bpftool prog loadall F.o DIR`: one pin per program name) */
  pinDirs: Map<string, string>;
}

export interface Assignment { name: string; value: string; literal: boolean }

/** A variable resolves only when every assignment in the file gives it the same literal. */
export function variableResolver(assignments: Assignment[]): (name: string) => string | undefined {
  const byName = new Map<string, Assignment[]>();
  for (const a of assignments) {
    const list = byName.get(a.name) ?? [];
    list.push(a);
    byName.set(a.name, list);
  }
  return (name) => {
    const list = byName.get(name);
    if (!list || list.some((a) => !a.literal)) return undefined;
    const values = new Set(list.map((a) => a.value));
    return values.size === 1 ? list[0].value : undefined;
  };
}

export function scanShellFile(file: string, text: string, kind: ShellKind): LoaderEvidence[] {
  const dialect: Dialect = kind === 'make' ? 'make' : kind === 'just' ? 'just' : 'sh';
  const commands = shellCommands({ text }, dialect);
  const assignments = shellAssignments(commands);
  if (kind === 'make') assignments.push(...makeAssignments(text));
  if (kind === 'just') assignments.push(...justAssignments(text));
  return evaluateCommands(file, text, commands, variableResolver(assignments), dialect);
}

/** Interprets every command; pins are collected first since a script may load after it defines. */
export function evaluateCommands(
  file: string,
  text: string,
  commands: Word[][],
  resolveVar: (name: string) => string | undefined,
  dialect: Dialect = 'sh',
): LoaderEvidence[] {
  const ctx: ShellContext = { resolveVar, pins: new Map(), pinDirs: new Map() };
  for (const words of commands) collectPins(words, ctx, dialect);
  const lines = new LineIndex(text);
  const out: LoaderEvidence[] = [];
  for (const words of commands) out.push(...commandEvidence(file, words, ctx, lines, dialect));
  return out;
}

// Words that start a compound command or only print: a tool name after them is not run.
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'time', 'RUN', 'CMD', 'ENTRYPOINT']);
const PRINTERS = new Set(['echo', 'printf', 'print', 'log', 'info', 'warn', 'warning', 'error', 'die', 'fail', 'debug', 'msg', 'note', 'say', 'cat', 'grep', 'egrep', 'man', 'help', 'usage', ':', 'which', 'type', 'hash']);

type Tool = 'tc' | 'ip' | 'bpftool' | 'xdp-loader';

export function commandEvidence(
  file: string,
  words: Word[],
  ctx: ShellContext,
  lines: LineIndex,
  dialect: Dialect = 'sh',
): LoaderEvidence[] {
  let first = 0;
  while (first < words.length && KEYWORDS.has(words[first].value)) first++;
  // a tool may follow wrappers: sudo, env, ip netns exec NS, nsenter ..., docker exec C, $SUDO
  for (let i = first; i < words.length && i < first + 16; i++) {
    const name = words[i].value.replace(/^[@+-]+/, '');
    if (PRINTERS.has(name) || (i === first && name === 'command' && words[i + 1]?.value === '-v')) return [];
    const tool = toolName(words[i], ctx, dialect);
    if (!tool) continue;
    const found = interpret(tool, words.slice(i + 1), ctx);
    if (!found.length) continue;
    // values read better than quoted raw text, except where quotes hold blanks
    const shown = (w: Word) => (/\s/.test(w.value) ? w.raw : w.value);
    const detailWords = [shown(words[i]).replace(/^[@+-]+/, ''), ...words.slice(i + 1).map(shown)];
    const detail = oneLineWords(detailWords);
    const range = lines.range(words[first].start, words[words.length - 1].end);
    return found.map((f) => {
      const ev: LoaderEvidence = { file, range, hook: f.hook, mechanism: mechanismOf(f.hook), detail };
      // only the names the command really gives
      for (const k of ['dev', 'prog', 'progCandidates', 'object', 'section'] as const) if (f[k] !== undefined) (ev as unknown as Record<string, unknown>)[k] = f[k];
      return ev;
    });
  }
  return [];
}

function oneLineWords(ws: string[]): string {
  const s = ws.map((w) => w.replace(/\s+/g, ' ')).join(' ');
  return s.length > 200 ? s.slice(0, 199) + '…' : s;
}

function toolName(w: Word, ctx: ShellContext, dialect: Dialect): Tool | undefined {
  let v = w.value;
  if (dialect !== 'sh') v = v.replace(/^[@+-]+/, '');
  // $(Q)tc, $(Q)$(TC): make's quiet prefix is glued to the command
  for (;;) {
    const m = /^\$[({]([A-Za-z_]\w*)[)}](?=[^/])/.exec(v);
    if (!m || m[0].length === v.length) break;
    const rest = v.slice(m[0].length);
    if (rest.startsWith('$') || /^[\w-]+$/.test(rest)) v = rest;
    else break;
  }
  const ref = /^(?:\$\(([A-Za-z_]\w*)\)|\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)|\{\{\s*([A-Za-z_][\w-]*)\s*\}\})$/.exec(v);
  if (ref) {
    const name = ref[1] ?? ref[2] ?? ref[3] ?? ref[4];
    const val = ctx.resolveVar(name);
    if (val) v = val;
    else v = name.toLowerCase().replace(/_/g, '-');
  }
  const b = basename(v);
  if (b === 'tc' || b === 'ip' || b === 'bpftool' || b === 'xdp-loader') return b;
  return undefined;
}

type Found = ProgRef & { hook: Hook; dev?: string };

function interpret(tool: Tool, args: Word[], ctx: ShellContext): Found[] {
  switch (tool) {
    case 'tc': return tcFilter(args, ctx);
    case 'ip': return ipLinkXdp(args, ctx);
    case 'bpftool': return bpftoolNetAttach(args, ctx);
    case 'xdp-loader': return xdpLoaderLoad(args, ctx);
  }
}

/** iproute2's matches(): a non-empty prefix of the keyword. */
function matches(w: Word | undefined, keyword: string): boolean {
  return !!w && w.literal && w.value.length > 0 && keyword.startsWith(w.value);
}

function wordValue(w: Word | undefined, ctx: ShellContext): string | undefined {
  if (!w) return undefined;
  if (w.literal) return w.value;
  if (w.varName) return ctx.resolveVar(w.varName);
  return expandRefs(w.value, ctx);
}

/** `$BPFFS/handle_ingress` with BPFFS set once to a literal; undefined if anything stays unknown. */
function expandRefs(v: string, ctx: ShellContext): string | undefined {
  let known = true;
  const out = v.replace(/\$\{([A-Za-z_]\w*)\}|\$\(([A-Za-z_][\w.-]*)\)|\$([A-Za-z_]\w*)|\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g,
    (m: string, a?: string, b?: string, c?: string, d?: string) => {
      const r = ctx.resolveVar((a ?? b ?? c ?? d) as string);
      if (r === undefined) known = false;
      return r ?? m;
    });
  return known && !/[$`]|\{\{/.test(out) ? out : undefined;
}

function devOf(w: Word | undefined, ctx: ShellContext): string | undefined {
  const v = wordValue(w, ctx);
  return isDeviceName(v) ? v : undefined;
}

/** The last path component when it is written literally: `$(OUT)/egress.bpf.o` → egress.bpf.o. */
function fileBase(w: Word | undefined, ctx: ShellContext): string | undefined {
  if (!w) return undefined;
  const v = wordValue(w, ctx);
  const b = basename(v ?? w.value);
  if (!b || /[$%{}`*?]/.test(b)) return undefined;
  return b;
}

function sectionOf(w: Word | undefined, ctx: ShellContext): string | undefined {
  const v = wordValue(w, ctx);
  return v && !/[$%{}`\s]/.test(v) ? v : undefined;
}

/** What `pinned PATH` names: the object it was loaded from, and for loadall the program. */
function pinRef(w: Word | undefined, ctx: ShellContext): ProgRef {
  const v = wordValue(w, ctx);
  if (!v) return {};
  const p = v.replace(/\/+$/, '');
  const object = ctx.pins.get(p);
  if (object) return { object };
  const slash = p.lastIndexOf('/');
  const base = p.slice(slash + 1);
  if (!base || /[$%{}`]/.test(base)) return {};
  const dirObject = slash > 0 ? ctx.pinDirs.get(p.slice(0, slash)) : undefined;
  // A pin's name is usually the program's name (loadall pins each program under it).
  const candidates = [...new Set([base, base.replace(/-/g, '_')])];
  return dirObject ? { object: dirObject, progCandidates: candidates } : { progCandidates: candidates };
}

// ---- tc filter add|change|replace dev D ingress|egress|parent H ... bpf [da] obj F [sec S]

const TC_GLOBAL_WITH_ARG = new Set(['-b', '-batch', '-n', '-netns', '-cf', '-conf', '-l', '-loops']);
const TC_FILTER_WITH_ARG = ['handle', 'estimator', 'priority', 'preference', 'pref', 'prio', 'protocol', 'chain'];

function tcFilter(args: Word[], ctx: ShellContext): Found[] {
  let k = 0;
  while (k < args.length && args[k].value.startsWith('-')) {
    const o = args[k].value.replace(/^--/, '-');
    k += TC_GLOBAL_WITH_ARG.has(o) ? 2 : 1;
  }
  if (!matches(args[k], 'filter') && args[k]?.value !== 'filters') return [];
  const op = args[k + 1];
  if (!(matches(op, 'add') || matches(op, 'change') || matches(op, 'replace'))) return [];
  k += 2;
  let dev: string | undefined;
  let hasDev = false;
  let dir: 'ingress' | 'egress' | undefined;
  let kind: Word | undefined;
  let kindAt = -1;
  let shared = false;
  while (k < args.length) {
    const w = args[k];
    const v = w.value;
    if (v === 'dev') { dev = devOf(args[k + 1], ctx); hasDev = true; k += 2; continue; }
    if (v === 'ingress') { dir = 'ingress'; k++; continue; }
    if (v === 'egress') { dir = 'egress'; k++; continue; }
    if (v === 'root') { dir = 'egress'; k++; continue; }
    if (v === 'parent') { dir = parentDirection(wordValue(args[k + 1], ctx)); k += 2; continue; }
    if (v === 'block') { shared = true; k += 2; continue; }
    if (v === 'estimator') { k += 3; continue; }
    if (TC_FILTER_WITH_ARG.includes(v) || (v.length >= 5 && 'protocol'.startsWith(v))) { k += 2; continue; }
    kind = w;
    kindAt = k;
    break;
  }
  // A shared block has no device of its own; no direction without one.
  if (!kind || !dir || (shared && !hasDev)) return [];
  let bpfAt = -1;
  if (kind.value === 'bpf') bpfAt = kindAt;
  else {
    // another classifier with a bpf action: `matchall action bpf obj F sec action`
    for (let j = kindAt + 1; j + 1 < args.length; j++) {
      if ((args[j].value === 'action' || args[j].value === 'act') && args[j + 1].value === 'bpf') { bpfAt = j + 1; break; }
    }
  }
  if (bpfAt < 0) return [];
  const ref = bpfObjectArgs(args, bpfAt + 1, ctx, ['obj', 'object-file'], ['sec', 'section']);
  if (!ref || !hasName(ref)) return [];
  return [{ ...ref, hook: dir === 'ingress' ? 'tc-ingress' : 'tc-egress', dev }];
}

/** `obj F`, `sec S`, `pinned P` after a bpf classifier/action or an XDP mode word. */
function bpfObjectArgs(args: Word[], from: number, ctx: ShellContext, objWords: string[], secWords: string[]): ProgRef | undefined {
  let ref: ProgRef | undefined;
  let section: string | undefined;
  for (let j = from; j < args.length; j++) {
    const v = args[j].value;
    if (objWords.includes(v)) {
      const object = fileBase(args[j + 1], ctx);
      ref = { ...(ref ?? {}), object };
      j++;
    } else if (secWords.includes(v)) {
      section = sectionOf(args[j + 1], ctx);
      j++;
    } else if (v === 'pinned' || v === 'object-pinned') {
      ref = { ...(ref ?? {}), ...pinRef(args[j + 1], ctx) };
      j++;
    } else if (v === 'action' || v === 'act') {
      break; // what follows configures an action, not this program
    }
  }
  if (!ref) return undefined;
  return section !== undefined ? { ...ref, section } : ref;
}

/**
 * tc handles: `ffff:fff2` is clsact's ingress (TC_H_MIN_INGRESS), `ffff:fff3` its egress;
 * `ffff:` is the classic ingress qdisc; any other parent is a classful root qdisc, which
 * only sees transmitted packets.
 */
export function parentDirection(h: string | undefined): 'ingress' | 'egress' | undefined {
  if (!h) return undefined;
  const v = h.toLowerCase().trim();
  const hex = /^0x([0-9a-f]{1,8})$/.exec(v);
  let maj: number;
  let min: number;
  if (hex) {
    const n = parseInt(hex[1], 16);
    maj = n >>> 16;
    min = n & 0xffff;
  } else {
    const m = /^([0-9a-f]*):([0-9a-f]*)$/.exec(v);
    if (!m) return v === 'root' ? 'egress' : undefined;
    maj = m[1] ? parseInt(m[1], 16) : 0;
    min = m[2] ? parseInt(m[2], 16) : 0;
  }
  if (maj === 0xffff) {
    if (min === 0xfff2 || min === 0) return 'ingress';
    if (min === 0xfff3) return 'egress';
    return undefined;
  }
  return maj === 0 && min === 0 ? undefined : 'egress';
}

// ---- ip link set [dev] D xdp|xdpgeneric|xdpdrv|xdpoffload obj F [sec S] | pinned P | off

const IP_GLOBAL_WITH_ARG = new Set(['-n', '-netns', '-b', '-batch', '-rc', '-rcvbuf', '-l', '-loops', '-f', '-family']);
const XDP_MODES: Record<string, Hook> = { xdp: 'xdp', xdpdrv: 'xdp', xdpoffload: 'xdp', xdpgeneric: 'xdp-generic' };
const LINK_WITH_ARG = new Set(['mtu', 'name', 'netns', 'address', 'broadcast', 'brd', 'txqueuelen', 'txqlen', 'qlen', 'master', 'alias', 'group', 'type', 'link', 'index', 'numtxqueues', 'numrxqueues', 'arp', 'multicast', 'allmulticast', 'promisc', 'dynamic', 'trailers', 'carrier', 'protodown', 'vf', 'addrgenmode', 'gso_max_size', 'gso_max_segs']);

function ipLinkXdp(args: Word[], ctx: ShellContext): Found[] {
  let k = 0;
  while (k < args.length && args[k].value.startsWith('-')) {
    const o = args[k].value.replace(/^--/, '-');
    k += IP_GLOBAL_WITH_ARG.has(o) ? 2 : 1;
  }
  if (!matches(args[k], 'link')) return [];
  if (!(matches(args[k + 1], 'set') || matches(args[k + 1], 'change'))) return [];
  k += 2;
  let dev: string | undefined;
  let devSeen = false;
  const out: Found[] = [];
  while (k < args.length) {
    const v = args[k].value;
    if (v === 'dev') { dev = devOf(args[k + 1], ctx); devSeen = true; k += 2; continue; }
    const mode = XDP_MODES[v];
    if (mode) {
      // `xdp off` detaches; only an object or a pin attaches
      const ref = bpfObjectArgs(args, k + 1, ctx, ['obj', 'object', 'object-file'], ['sec', 'section']);
      if (args[k + 1]?.value !== 'off' && ref && hasName(ref)) out.push({ ...ref, hook: mode });
      break;
    }
    if (LINK_WITH_ARG.has(v)) { k += 2; continue; }
    if (!devSeen) { dev = devOf(args[k], ctx); devSeen = true; }
    k++;
  }
  return out.map((f) => ({ ...f, dev }));
}

// ---- bpftool net attach xdp|xdpgeneric|xdpdrv|xdpoffload|tcx_ingress|tcx_egress PROG dev D

const BPFTOOL_WITH_ARG = new Set(['--base-btf', '-B']);
const BPFTOOL_ATTACH: Record<string, Hook> = {
  xdp: 'xdp', xdpdrv: 'xdp', xdpoffload: 'xdp', xdpgeneric: 'xdp-generic',
  tcx_ingress: 'tcx-ingress', tcx_egress: 'tcx-egress',
};

function bpftoolNetAttach(args: Word[], ctx: ShellContext): Found[] {
  let k = skipBpftoolOptions(args);
  if (!matches(args[k], 'net') || !matches(args[k + 1], 'attach')) return [];
  const hook = BPFTOOL_ATTACH[args[k + 2]?.value ?? ''];
  if (!hook) return [];
  k += 3;
  let ref: ProgRef = {};
  let dev: string | undefined;
  while (k < args.length) {
    const v = args[k].value;
    if (v === 'name') ref = { prog: sectionOf(args[k + 1], ctx) };
    else if (v === 'pinned') ref = pinRef(args[k + 1], ctx);
    else if (v === 'dev') dev = devOf(args[k + 1], ctx);
    else { k++; continue; } // id N / tag T name no source; overwrite
    k += 2;
  }
  if (!hasName(ref)) return [];
  return [{ ...ref, hook, dev }];
}

function skipBpftoolOptions(args: Word[]): number {
  let k = 0;
  while (k < args.length && args[k].value.startsWith('-')) k += BPFTOOL_WITH_ARG.has(args[k].value) ? 2 : 1;
  return k;
}

/** `bpftool prog load F.o PIN` / `prog loadall F.o DIR`: remember which object a pin holds. */
function collectPins(words: Word[], ctx: ShellContext, dialect: Dialect): void {
  for (let i = 0; i < words.length && i < 16; i++) {
    if (toolName(words[i], ctx, dialect) !== 'bpftool') continue;
    const args = words.slice(i + 1);
    const k = skipBpftoolOptions(args);
    if (!matches(args[k], 'prog')) return;
    const op = args[k + 1]?.value;
    const obj = fileBase(args[k + 2], ctx);
    const pin = wordValue(args[k + 3], ctx)?.replace(/\/+$/, '');
    if (!obj || !pin) return;
    if (op === 'load') ctx.pins.set(pin, obj);
    else if (op === 'loadall') ctx.pinDirs.set(pin, obj);
    return;
  }
}

// ---- xdp-loader load [-m skb|native|hw] [-s SECTION] [-n PROG] IFNAME FILE...

function xdpLoaderLoad(args: Word[], ctx: ShellContext): Found[] {
  if (args[0]?.value !== 'load') return [];
  let mode = 'native';
  let section: string | undefined;
  let prog: string | undefined;
  const positional: Word[] = [];
  for (let k = 1; k < args.length; k++) {
    const v = args[k].value;
    const eq = /^(--[\w-]+)=(.*)$/.exec(v);
    const opt = eq ? eq[1] : v;
    const val = (): string | undefined => (eq ? eq[2] : wordValue(args[++k], ctx));
    if (opt === '-m' || opt === '--mode') mode = val() ?? mode;
    else if (opt === '-s' || opt === '--section') section = val();
    else if (opt === '-n' || opt === '--prog-name') prog = val();
    else if (['-p', '--pin-path', '-P', '--prio', '-A', '--actions'].includes(opt)) val();
    else if (v.startsWith('-')) continue;
    else positional.push(args[k]);
  }
  if (positional.length < 2) return [];
  const hook: Hook = mode === 'skb' ? 'xdp-generic' : 'xdp';
  const dev = devOf(positional[0], ctx);
  const out: Found[] = [];
  for (const f of positional.slice(1)) {
    const object = fileBase(f, ctx);
    const ref: ProgRef = { object };
    if (prog) ref.prog = prog;
    if (section) ref.section = section;
    if (hasName(ref)) out.push({ ...ref, hook, dev });
  }
  return out;
}

// ---- variables

const DECLARERS = new Set(['export', 'local', 'readonly', 'declare', 'typeset', 'ENV', 'ARG']);

/** `X=v`, `export X=v`, `for X in ...`, `read X`, Dockerfile `ENV X=v`. */
export function shellAssignments(commands: Word[][]): Assignment[] {
  const out: Assignment[] = [];
  for (const words of commands) {
    let k = 0;
    while (k < words.length && KEYWORDS.has(words[k].value)) k++;
    const head = words[k]?.value;
    if (head === 'for' && words[k + 1]) { out.push({ name: words[k + 1].value, value: '', literal: false }); continue; }
    if (head === 'read') {
      for (const w of words.slice(k + 1)) if (/^[A-Za-z_]\w*$/.test(w.value)) out.push({ name: w.value, value: '', literal: false });
      continue;
    }
    if (head === 'ENV' && words.length === k + 3 && !words[k + 1].value.includes('=')) {
      out.push({ name: words[k + 1].value, value: words[k + 2].value, literal: words[k + 2].literal });
      continue;
    }
    if (head && DECLARERS.has(head)) {
      k++;
      while (k < words.length && words[k].value.startsWith('-')) k++;
    }
    for (; k < words.length; k++) {
      const m = /^([A-Za-z_]\w*)=([\s\S]*)$/.exec(words[k].value);
      if (!m) break;
      // the name part is plain text, so the value is literal iff the word is
      out.push({ name: m[1], value: m[2], literal: words[k].literal });
    }
  }
  return out;
}

/** Makefile `X = v`, `X := v`, `X ?= v` (and `+=`/`!=`, which make it unknown). */
export function makeAssignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) continue;
    const m = /^\s*(?:(?:export|override|private)\s+)*([A-Za-z_][\w.-]*)\s*(::=|:::=|:=|\?=|\+=|!=|=)\s*(.*?)\s*(?:#.*)?$/.exec(line);
    if (!m) continue;
    const value = m[3];
    out.push({ name: m[1], value, literal: (m[2] !== '+=' && m[2] !== '!=') && !/[$`]/.test(value) });
  }
  return out;
}

/** justfile `x := "v"` / `export X := 'v'`. */
export function justAssignments(text: string): Assignment[] {
  const out: Assignment[] = [];
  for (const line of text.split('\n')) {
    const m = /^(?:export\s+)?([A-Za-z_][\w-]*)\s*:=\s*(.*?)\s*(?:#.*)?$/.exec(line);
    if (!m) continue;
    const q = /^(["'])(.*)\1$/.exec(m[2]);
    out.push(q ? { name: m[1], value: q[2], literal: true } : { name: m[1], value: m[2], literal: /^[\w.-]+$/.test(m[2]) });
  }
  return out;
}

export type { Segment };
