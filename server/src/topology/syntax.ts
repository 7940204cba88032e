// Line by line, tokens → statements. Only the shape of each line is checked here; names are
// resolved against each other afterwards (resolve.ts), so declarations may come in any order.
import { lexLine, type Token } from './lex';
import type { Diagnostic, Range } from './model';
import { didYouMean } from './suggest';

/** `NAME` or `NAME@NS` as written. */
export interface DevRef { name: string; ns?: string; tok: Token; nameRange: Range; nsRange?: Range }

export interface DeviceAttrs { ifindex?: { value: number; tok: Token }; mac?: { value: string; tok: Token } }

export interface PairEnd { dev: DevRef; cidrs: Token[]; attrs: DeviceAttrs }

export type StatementBody =
  | { kind: 'netns'; name: Token; forwarding: boolean }
  | { kind: 'nic'; end: PairEnd }
  | { kind: 'bridge'; end: PairEnd; ports: DevRef[] }
  | { kind: 'veth'; ends: [PairEnd, PairEnd] }
  | { kind: 'netkit'; ends: [PairEnd, PairEnd]; mode?: Token }
  | { kind: 'wire'; a: DevRef; b: DevRef }
  | { kind: 'route'; ns?: Token; dest: Token; via?: Token; dev?: Token }
  | { kind: 'attach'; hook: Token; dev: DevRef; prog: Token; file?: Token; redirectTo?: DevRef; priority?: { value: number; tok: Token } }
  | { kind: 'path'; from: Token; to: Token; proto?: Token; port?: { value: number; tok: Token } }
  | { kind: 'map'; name: Token; file?: Token; key: Token; value: Token };

export type Statement = StatementBody & { range: Range; line: number };

export const STATEMENT_KEYWORDS = ['netns', 'nic', 'veth', 'bridge', 'wire', 'netkit', 'route', 'attach', 'path', 'map'] as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export const isName = (s: string): boolean => NAME.test(s);
/** `prog NAME` names a C function: a C identifier, narrower than NAME. */
export const isProgName = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
export const isMac = (s: string): boolean => MAC.test(s);

export function tokenRange(t: Token): Range {
  return { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } };
}

/** Thrown inside one line's parse; the line is skipped and parsing continues on the next. */
class LineError extends Error {
  constructor(readonly range: Range, message: string, readonly code = 'topo-syntax') { super(message); }
}

class Cursor {
  private i = 0;
  constructor(readonly tokens: Token[], readonly lineText: string, readonly line: number) {}
  peek(offset = 0): Token | undefined { return this.tokens[this.i + offset]; }
  atEnd(): boolean { return this.i >= this.tokens.length; }
  next(): Token | undefined { return this.tokens[this.i++]; }
  /** The place to point at when something is missing: just past the last token. */
  endRange(): Range {
    const last = this.tokens[this.tokens.length - 1];
    const c = last ? last.end : this.lineText.length;
    return { start: { line: this.line, character: c }, end: { line: this.line, character: c } };
  }
  fail(what: string, tok = this.peek()): never {
    if (!tok) throw new LineError(this.endRange(), `Expected ${what} at the end of the line.`);
    throw new LineError(tokenRange(tok), `Expected ${what}, found "${tok.text}".`);
  }
  isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return !!t && t.kind === 'word' && t.text === text;
  }
  word(what: string): Token {
    const t = this.peek();
    if (!t || t.kind !== 'word') this.fail(what);
    this.i++;
    return t;
  }
  name(what: string): Token {
    const t = this.word(what);
    if (!NAME.test(t.text)) throw new LineError(tokenRange(t), `Expected ${what} (a name: a letter or "_", then letters, digits, "_", "." or "-"), found "${t.text}".`);
    return t;
  }
  dev(what: string): DevRef {
    const t = this.word(what);
    return devRef(t, what);
  }
  integer(what: string, max = 2 ** 31 - 1): { value: number; tok: Token } {
    const t = this.word(what);
    if (!/^\d+$/.test(t.text) || Number(t.text) > max) throw new LineError(tokenRange(t), `Expected ${what} (a whole number up to ${max}), found "${t.text}".`);
    return { value: Number(t.text), tok: t };
  }
  string(what: string): Token {
    const t = this.peek();
    if (!t || t.kind !== 'string') this.fail(`${what} in double quotes`);
    this.i++;
    return t;
  }
  expectKind(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (!t || t.kind !== kind) this.fail(what);
    this.i++;
    return t;
  }
  done(): void {
    const t = this.peek();
    if (t) throw new LineError(tokenRange(t), `Unexpected "${t.text}": the statement is complete before it.`);
  }
}

function devRef(t: Token, what: string): DevRef {
  const at = t.text.indexOf('@');
  const name = at < 0 ? t.text : t.text.slice(0, at);
  const ns = at < 0 ? undefined : t.text.slice(at + 1);
  const nameRange: Range = { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.start + name.length } };
  const expected = what.includes('NAME@NS') ? what : `${what} (NAME or NAME@NS)`;
  if (!NAME.test(name)) throw new LineError(at < 0 ? tokenRange(t) : nameRange, `Expected ${expected}, found "${t.text}".`);
  let nsRange: Range | undefined;
  if (ns !== undefined) {
    nsRange = { start: { line: t.line, character: t.start + at + 1 }, end: { line: t.line, character: t.end } };
    if (!NAME.test(ns)) throw new LineError(nsRange, `Expected a namespace name after "@", found "${ns}".`);
  }
  return { name, ns, tok: t, nameRange, nsRange };
}

export function parseStatements(text: string, file: string): { statements: Statement[]; diagnostics: Diagnostic[] } {
  const statements: Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  for (let line = 0; line < lines.length; line++) {
    const lineText = lines[line];
    const { tokens, unterminated } = lexLine(lineText, line);
    if (unterminated) {
      diagnostics.push({ file, range: tokenRange(unterminated), severity: 'error', code: 'topo-syntax', message: 'Expected a closing " for this string.' });
      continue;
    }
    if (tokens.length === 0) continue;
    const cur = new Cursor(tokens, lineText, line);
    try {
      const body = parseLine(cur);
      const first = tokens[0];
      const last = tokens[tokens.length - 1];
      statements.push({ ...body, line, range: { start: { line, character: first.start }, end: { line, character: last.end } } } as Statement);
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      diagnostics.push({ file, range: e.range, severity: 'error', code: e.code, message: e.message });
    }
  }
  return { statements, diagnostics };
}

type Body = StatementBody;

function parseLine(cur: Cursor): Body {
  const kw = cur.next()!;
  switch (kw.kind === 'word' ? kw.text : '') {
    case 'netns': {
      const name = cur.name('a namespace name');
      let forwarding = false;
      if (cur.isWord('forwarding')) { cur.next(); forwarding = true; }
      cur.done();
      return { kind: 'netns', name, forwarding };
    }
    case 'nic': {
      const end = pairEnd(cur, 'a device (NAME or NAME@NS)', false);
      cur.done();
      return { kind: 'nic', end };
    }
    case 'bridge': {
      const end = pairEnd(cur, 'a bridge device (NAME or NAME@NS)', true);
      const ports: DevRef[] = [];
      if (cur.isWord('ports')) {
        cur.next();
        while (!cur.atEnd()) {
          if (attribute(cur, end.attrs)) continue;
          ports.push(cur.dev('a port device'));
        }
        if (ports.length === 0) cur.fail('at least one port device after "ports"');
      }
      cur.done();
      return { kind: 'bridge', end, ports };
    }
    case 'veth':
    case 'netkit': {
      const a = pairEnd(cur, 'the first end (NAME or NAME@NS)', false);
      cur.expectKind('pair', '"--" between the two ends');
      const b = pairEnd(cur, 'the second end (NAME or NAME@NS)', false);
      let mode: Token | undefined;
      if (kw.text === 'netkit' && cur.isWord('mode')) {
        cur.next();
        mode = cur.word('a netkit mode: l2 or l3');
        if (mode.text !== 'l2' && mode.text !== 'l3') throw new LineError(tokenRange(mode), `Expected a netkit mode: l2 or l3, found "${mode.text}".`);
      }
      cur.done();
      return kw.text === 'netkit' ? { kind: 'netkit', ends: [a, b], mode } : { kind: 'veth', ends: [a, b] };
    }
    case 'wire': {
      const a = cur.dev('a NIC (NAME or NAME@NS)');
      cur.expectKind('pair', '"--" between the two NICs');
      const b = cur.dev('a NIC (NAME or NAME@NS)');
      cur.done();
      return { kind: 'wire', a, b };
    }
    case 'route': {
      let ns: Token | undefined;
      const first = cur.peek();
      if (first && first.kind === 'word' && first.text.startsWith('@')) {
        cur.next();
        ns = { ...first, text: first.text.slice(1), start: first.start + 1 };
        if (!isName(ns.text)) throw new LineError(tokenRange(first), `Expected a namespace name after "@", found "${first.text}".`);
      }
      const dest = cur.word('a destination: a CIDR such as 10.0.0.0/24, or "default"');
      let via: Token | undefined;
      let dev: Token | undefined;
      while (!cur.atEnd()) {
        if (cur.isWord('via') && !via) { cur.next(); via = cur.word('a gateway address after "via"'); continue; }
        if (cur.isWord('dev') && !dev) { cur.next(); dev = cur.name('a device name after "dev"'); continue; }
        cur.fail(via || dev ? '"via IP" or "dev NAME"' : '"via IP" or "dev NAME"');
      }
      if (!via && !dev) cur.fail('"via IP" or "dev NAME" (a route needs at least one)');
      return { kind: 'route', ns, dest, via, dev };
    }
    case 'attach': {
      const hook = cur.word('a hook (tc-ingress, tc-egress, tcx-ingress, tcx-egress, xdp, xdp-generic, netkit-primary, netkit-peer)');
      const dev = cur.dev('a device (NAME or NAME@NS)');
      if (!cur.isWord('prog')) cur.fail('"prog NAME"');
      cur.next();
      const prog = cur.word('a program name (the C function)');
      if (!isProgName(prog.text)) throw new LineError(tokenRange(prog), `Expected a program name (a C identifier), found "${prog.text}".`);
      let file: Token | undefined;
      let redirectTo: DevRef | undefined;
      let priority: { value: number; tok: Token } | undefined;
      while (!cur.atEnd()) {
        if (cur.isWord('file') && !file) { cur.next(); file = cur.string('a file path'); continue; }
        if (cur.isWord('redirect-to') && !redirectTo) { cur.next(); redirectTo = cur.dev('the redirect target device'); continue; }
        if (cur.isWord('priority') && !priority) { cur.next(); priority = cur.integer('a priority', 65535); continue; }
        cur.fail('file "PATH", redirect-to DEV or priority N');
      }
      return { kind: 'attach', hook, dev, prog, file, redirectTo, priority };
    }
    case 'path': {
      const from = cur.word('where the packet starts: a namespace, an IP or a device');
      cur.expectKind('arrow', '"->"');
      const to = cur.word('where the packet goes: a namespace, an IP or a device');
      let proto: Token | undefined;
      let port: { value: number; tok: Token } | undefined;
      if (!cur.atEnd()) {
        proto = cur.word('icmp, udp PORT or tcp PORT');
        if (proto.text === 'udp' || proto.text === 'tcp') port = cur.integer('a port', 65535);
        else if (proto.text !== 'icmp') throw new LineError(tokenRange(proto), `Expected icmp, udp PORT or tcp PORT, found "${proto.text}".${didYouMean(proto.text, ['icmp', 'udp', 'tcp'])}`);
      }
      cur.done();
      return { kind: 'path', from, to, proto, port };
    }
    case 'map': {
      const name = cur.name('a map name');
      let file: Token | undefined;
      if (cur.isWord('file')) { cur.next(); file = cur.string('a file path'); }
      const key = cur.word('a key: an IP, a device or a number');
      cur.expectKind('fat-arrow', '"=>" between key and value');
      const value = cur.word('a value: an IP, a device or a number');
      cur.done();
      return { kind: 'map', name, file, key, value };
    }
    default:
      throw new LineError(tokenRange(kw), `Expected a statement (${STATEMENT_KEYWORDS.join(', ')}), found "${kw.text}".${didYouMean(kw.text, STATEMENT_KEYWORDS)}`);
  }
}

/** `DEV [CIDR ...] [ifindex N] [mac M]`; stops at `--`, `ports`, `mode` or the end. */
function pairEnd(cur: Cursor, what: string, stopAtPorts: boolean): PairEnd {
  const dev = cur.dev(what);
  const cidrs: Token[] = [];
  const attrs: DeviceAttrs = {};
  while (!cur.atEnd()) {
    const t = cur.peek()!;
    if (t.kind !== 'word') break;
    if (stopAtPorts && t.text === 'ports') break;
    if (t.text === 'mode') break;
    if (attribute(cur, attrs)) continue;
    if (/^[\d.:a-fA-F]+\/.*$/.test(t.text) || /^\d+\.\d+\.\d+\.\d+$/.test(t.text)) { cur.next(); cidrs.push(t); continue; }
    cur.fail('a CIDR (10.0.0.1/24), "ifindex N" or "mac XX:XX:XX:XX:XX:XX"');
  }
  return { dev, cidrs, attrs };
}

/** Reads `ifindex N` or `mac M` when they come next; they may appear anywhere after the device. */
function attribute(cur: Cursor, attrs: DeviceAttrs): boolean {
  if (cur.isWord('ifindex') && cur.peek(1)?.kind === 'word' && /^\d+$/.test(cur.peek(1)!.text)) {
    cur.next();
    const n = cur.integer('an interface index', 2 ** 31 - 1);
    if (n.value === 0) throw new LineError(tokenRange(n.tok), 'Expected an interface index of 1 or more, found "0".');
    if (attrs.ifindex) throw new LineError(tokenRange(n.tok), 'This device already has an ifindex.');
    attrs.ifindex = n;
    return true;
  }
  if (cur.isWord('ifindex')) { cur.next(); cur.integer('an interface index'); }
  if (cur.isWord('mac')) {
    cur.next();
    const t = cur.word('a MAC address (XX:XX:XX:XX:XX:XX)');
    if (!MAC.test(t.text)) throw new LineError(tokenRange(t), `Expected a MAC address (six hex pairs, XX:XX:XX:XX:XX:XX), found "${t.text}".`);
    if (attrs.mac) throw new LineError(tokenRange(t), 'This device already has a MAC address.');
    attrs.mac = { value: t.text.toLowerCase(), tok: t };
    return true;
  }
  return false;
}
