// bcc Python loaders: `fn = b.load_func("NAME", BPF.SCHED_CLS)` then pyroute2's
// `ipr.tc("add-filter", "bpf", idx, ":1", fd=fn.fd, parent="ffff:fff2", ...)`, or
// `b.attach_xdp(dev, fn, flags)`.

import type { Hook } from '../../topology/model';
import { Assignments, stripParens } from './assignments';
import { hasName, isDeviceName, mechanismOf, type LoaderEvidence, type ProgRef } from './evidence';
import { parentDirection } from './shell';
import { basename, blankComments, LineIndex, oneLine, splitArgs, type Arg } from './text';

export function scanBcc(file: string, text: string): LoaderEvidence[] {
  return new BccLoader(file, text).scan();
}

interface PyCall { start: number; close: number; pos: Arg[]; kw: Map<string, Arg> }

class BccLoader {
  private readonly code: string;
  private readonly vals: Assignments;
  private readonly lines: LineIndex;
  private readonly srcFile?: string;

  constructor(private readonly file: string, text: string) {
    this.code = blankComments(text, 'python');
    this.vals = new Assignments(this.code, 'python');
    this.lines = new LineIndex(text);
    const srcs = new Set<string>();
    for (const m of this.code.matchAll(/\bBPF\s*\(\s*src_file\s*=\s*[bu]?(["'])([^"'\n]+)\1/g)) srcs.add(basename(m[2]));
    if (srcs.size === 1) this.srcFile = [...srcs][0];
  }

  scan(): LoaderEvidence[] {
    return [...this.tcFilters(), ...this.xdp()]
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }

  private calls(method: string): PyCall[] {
    const out: PyCall[] = [];
    for (const m of this.code.matchAll(new RegExp(`(?:\\b[A-Za-z_][\\w.]*\\.)${method}\\s*\\(`, 'g'))) {
      const start = m.index ?? 0;
      const { args, close } = splitArgs(this.code, start + m[0].length - 1, 'python');
      const pos: Arg[] = [];
      const kw = new Map<string, Arg>();
      for (const a of args) {
        const k = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(a.text);
        if (k) kw.set(k[1], { text: a.text.slice(k[0].length), start: a.start + k[0].length, end: a.end });
        else pos.push(a);
      }
      out.push({ start, close, pos, kw });
    }
    return out;
  }

  private evidence(c: PyCall, hook: Hook, ref: ProgRef, dev: string | undefined): LoaderEvidence {
    const ev: LoaderEvidence = {
      file: this.file,
      range: this.lines.range(c.start, c.close + 1),
      hook,
      mechanism: mechanismOf(hook),
      detail: oneLine(this.code.slice(c.start, c.close + 1)),
    };
    if (dev) ev.dev = dev;
    Object.assign(ev, ref);
    return ev;
  }

  /** fn.fd, fn.name, fn, or b.load_func("NAME", ...).fd, followed through assignments. */
  private progOf(expr: string | undefined, at: number, depth = 0): ProgRef | undefined {
    if (!expr) return undefined;
    const e = stripParens(expr).replace(/\.(?:fd|name)$/, '');
    const inline = /\.load_func\s*\(\s*[bu]?(["'])([^"'\n]+)\1[\s\S]*\)$/.exec(e);
    let prog = inline?.[2];
    if (!prog) {
      const lit = /^[bu]?(["'])([A-Za-z_]\w*)\1$/.exec(e);
      prog = lit?.[2];
    }
    if (!prog) {
      const next = depth < 4 ? this.vals.follow(e, at) : undefined;
      return next ? this.progOf(next.expr, next.at, depth + 1) : undefined;
    }
    return this.srcFile ? { prog, object: this.srcFile } : { prog };
  }

  /** "eth0", ipr.link_lookup(ifname="eth0")[0], ipdb.interfaces["eth0"].index, if_nametoindex(dev). */
  private devOf(expr: string | undefined, at: number, depth = 0): string | undefined {
    if (!expr) return undefined;
    const e = stripParens(expr);
    const m = /link_lookup\s*\(\s*ifname\s*=\s*([^,)]+)/.exec(e) ?? /interfaces\s*\[\s*([^\]]+)\]/.exec(e) ?? /if_nametoindex\s*\(\s*([^)]+)\)/.exec(e);
    const v = this.vals.stringValue(m ? m[1] : e, at);
    if (v !== undefined) return isDeviceName(v) ? v : undefined;
    if (depth > 3 || m) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.devOf(next.expr, next.at, depth + 1) : undefined;
  }

  // ---- ipr.tc("add-filter", "bpf", idx, ":1", fd=fn.fd, parent="ffff:fff2", direct_action=True)

  private tcFilters(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const c of this.calls('tc')) {
      const cmd = c.pos[0] && this.vals.stringValue(c.pos[0].text, c.start);
      if (!cmd || !/^(add|change|replace)-filter$/.test(cmd)) continue;
      if ((c.pos[1] && this.vals.stringValue(c.pos[1].text, c.start)) !== 'bpf') continue;
      const parentArg = c.kw.get('parent');
      if (!parentArg) continue;
      const p = stripParens(parentArg.text);
      const dir = parentDirection(/^0x[0-9a-f]+$/i.test(p) ? p : this.vals.stringValue(p, c.start));
      if (!dir) continue;
      const ref = this.progOf(c.kw.get('fd')?.text, c.start) ?? this.progOf(c.kw.get('name')?.text, c.start);
      if (!ref || !hasName(ref)) continue;
      out.push(this.evidence(c, dir === 'ingress' ? 'tc-ingress' : 'tc-egress', ref, this.devOf(c.pos[2]?.text ?? c.kw.get('index')?.text, c.start)));
    }
    return out;
  }

  // ---- b.attach_xdp(dev, fn, flags)

  private xdp(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const c of this.calls('attach_xdp')) {
      const ref = this.progOf((c.kw.get('fn') ?? c.pos[1])?.text, c.start);
      if (!ref || !hasName(ref)) continue;
      const flags = (c.kw.get('flags') ?? c.pos[2])?.text;
      const hook: Hook = flags && this.skbMode(flags) ? 'xdp-generic' : 'xdp';
      out.push(this.evidence(c, hook, ref, this.devOf((c.kw.get('dev') ?? c.pos[0])?.text, c.start)));
    }
    return out;
  }

  /** XDP_FLAGS_SKB_MODE (1 << 1) surely set: in the call, or in every assignment of the variable. */
  private skbMode(expr: string): boolean {
    const skb = (s: string) => /XDP_FLAGS_SKB_MODE|^\(?\s*1\s*<<\s*1\s*\)?$|^2$/.test(s.trim());
    if (skb(expr)) return true;
    const e = stripParens(expr);
    if (!/^[A-Za-z_]\w*$/.test(e)) return false;
    const all = this.vals.all(e).filter((a) => a.op !== '&=');
    return all.some((a) => skb(a.rhs)) && all.every((a) => skb(a.rhs) || (a.op === '|=' && !/_MODE\b/.test(a.rhs)));
  }
}
