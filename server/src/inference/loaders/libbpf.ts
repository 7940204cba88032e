// libbpf (and libxdp) loaders in C: which program each attach call passes, and where to.
// bpf_tc_attach(&hook, &opts) is paired with the hook variable it names and that hook's
// attach_point as seen at the call; opts.prog_fd is followed back through variables to
// skel->progs.NAME or bpf_object__find_program_by_name(obj, "NAME").

import type { Hook } from '../../topology/model';
import { Assignments, stripParens } from './assignments';
import { hasName, isDeviceName, mechanismOf, type LoaderEvidence, type ProgRef } from './evidence';
import { basename, blankComments, keyedFields, LineIndex, oneLine, splitArgs, type Arg } from './text';

interface Call { name: string; start: number; open: number; close: number; args: Arg[] }

// libbpf's own X__open functions, not skeletons
const NOT_SKELETONS = new Set(['bpf_object', 'bpf_program', 'bpf_map', 'bpf_link', 'xdp_program', 'xdp_multiprog', 'ring_buffer', 'perf_buffer', 'user_ring_buffer', 'btf', 'bpf_linker', 'xsk_socket', 'xsk_umem']);

export function scanLibbpf(file: string, text: string): LoaderEvidence[] {
  return new CLoader(file, text).scan();
}

class CLoader {
  private readonly code: string;
  private readonly vals: Assignments;
  private readonly lines: LineIndex;
  private readonly skeletons = new Set<string>();
  /** variable → skeleton name (`struct shaper_bpf *skel`) */
  private readonly skelVars = new Map<string, string>();
  /** variable → object basename (`obj = bpf_object__open_file("x.bpf.o", NULL)`) */
  private readonly objVars = new Map<string, string>();

  constructor(private readonly file: string, text: string) {
    this.code = blankComments(text, 'c');
    this.vals = new Assignments(this.code, 'c');
    this.lines = new LineIndex(text);
    for (const m of this.code.matchAll(/\b([A-Za-z_]\w*)__(?:open_and_load|open_opts|open|load|attach|destroy)\s*\(/g)) {
      if (!NOT_SKELETONS.has(m[1])) this.skeletons.add(m[1]);
    }
    for (const m of this.code.matchAll(/\bstruct\s+([A-Za-z_]\w*)\s*\*\s*([A-Za-z_]\w*)/g)) {
      if (this.skeletons.has(m[1])) this.skelVars.set(m[2], m[1]);
    }
    for (const m of this.code.matchAll(/([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)__open(?:_and_load|_opts)?\s*\(/g)) {
      if (this.skeletons.has(m[2])) this.skelVars.set(m[1], m[2]);
    }
    for (const c of this.calls(['bpf_object__open_file', 'bpf_object__open'])) {
      const name = c.args[0] && this.vals.stringValue(c.args[0].text, c.start);
      const lhs = /([A-Za-z_]\w*)\s*=\s*$/.exec(this.code.slice(Math.max(0, c.start - 80), c.start));
      if (name && lhs) this.objVars.set(lhs[1], basename(name));
    }
  }

  scan(): LoaderEvidence[] {
    return [
      ...this.tcAttach(),
      ...this.linkAttach(),
      ...this.programAttach(),
      ...this.xdpAttach(),
      ...this.libxdpAttach(),
    ].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }

  private calls(names: string[]): Call[] {
    const re = new RegExp(`\\b(${names.join('|')})\\s*\\(`, 'g');
    const out: Call[] = [];
    for (const m of this.code.matchAll(re)) {
      const start = m.index ?? 0;
      // a prototype or definition (`int bpf_tc_attach(const struct ...`) is not a call
      if (/\b(?:int|void|long|struct\s+\w+\s*\*)\s*$/.test(this.code.slice(Math.max(0, start - 40), start))) continue;
      const open = start + m[0].length - 1;
      const { args, close } = splitArgs(this.code, open);
      out.push({ name: m[1], start, open, close, args });
    }
    return out;
  }

  private evidence(c: Call, hook: Hook, ref: ProgRef, dev: string | undefined, why: string): LoaderEvidence {
    const ev: LoaderEvidence = {
      file: this.file,
      range: this.lines.range(c.start, Math.min(c.close + 1, this.code.length)),
      hook,
      mechanism: mechanismOf(hook),
      detail: oneLine(`${this.code.slice(c.start, c.close + 1)}${why ? ': ' + why : ''}`),
    };
    if (dev) ev.dev = dev;
    if (ref.prog) ev.prog = ref.prog;
    if (ref.progCandidates) ev.progCandidates = ref.progCandidates;
    if (ref.object) ev.object = ref.object;
    if (ref.section) ev.section = ref.section;
    return ev;
  }

  // ---- bpf_tc_attach(&hook, &opts)

  private tcAttach(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const c of this.calls(['bpf_tc_attach'])) {
      if (c.args.length < 2) continue;
      const point = this.structField(c.args[0], 'bpf_tc_hook', 'attach_point', c.start);
      const dirs = point && this.tcDirections(point.text, point.at);
      if (!dirs || !dirs.size) continue;
      const fd = this.structField(c.args[1], 'bpf_tc_opts', 'prog_fd', c.start);
      const ref = fd ? this.resolveProg(fd.text, fd.at) : undefined;
      if (!ref || !hasName(ref)) continue;
      const ifx = this.structField(c.args[0], 'bpf_tc_hook', 'ifindex', c.start);
      const dev = ifx ? this.devOf(ifx.text, ifx.at) : undefined;
      for (const d of ['ingress', 'egress'] as const) {
        if (!dirs.has(d)) continue;
        out.push(this.evidence(c, d === 'ingress' ? 'tc-ingress' : 'tc-egress', ref, dev, `attach_point ${point.text}, prog_fd ${fd?.text ?? ''}`));
      }
    }
    return out;
  }

  /** BPF_TC_INGRESS / BPF_TC_EGRESS (both when or-ed); undefined when it depends on a condition. */
  private tcDirections(expr: string, at: number, depth = 0): Set<'ingress' | 'egress'> | undefined {
    if (expr.includes('?')) return undefined;
    const s = new Set<'ingress' | 'egress'>();
    if (/\bBPF_TC_INGRESS\b/.test(expr)) s.add('ingress');
    if (/\bBPF_TC_EGRESS\b/.test(expr)) s.add('egress');
    if (s.size || depth > 3) return s;
    const next = this.vals.follow(expr, at);
    return next ? this.tcDirections(next.expr, next.at, depth + 1) : undefined;
  }

  /**
   * The value of `field` in the struct `arg` points to, as seen at `at`: from a compound
   * literal, a LIBBPF_OPTS / DECLARE_LIBBPF_OPTS declaration, `struct T v = {...}`, or
   * `v.field = x;`.
   */
  private structField(arg: Arg, type: string, field: string, at: number): { text: string; at: number } | undefined {
    const e = stripParens(arg.text);
    if (new RegExp(`^\\(\\s*(?:const\\s+)?struct\\s+${type}\\s*\\)\\s*\\{`).test(e)) {
      const open = this.code.indexOf('{', arg.start);
      const f = open >= 0 && open < arg.end ? keyedFields(splitArgs(this.code, open).args, '=').get(field) : undefined;
      return f ? { text: f.text, at } : undefined;
    }
    if (!/^[A-Za-z_]\w*(?:\s*(?:\.|->)\s*\w+)*$/.test(e)) return undefined;
    const events: Array<{ at: number; text: string }> = [];
    const simple = /^[A-Za-z_]\w*$/.test(e);
    if (simple) {
      const decl = new RegExp(`\\b(?:DECLARE_)?LIBBPF_OPTS\\s*\\(\\s*${type}\\s*,\\s*${e}\\s*[,)]`, 'g');
      for (const m of this.code.matchAll(decl)) {
        const open = this.code.indexOf('(', m.index ?? 0);
        const f = keyedFields(splitArgs(this.code, open).args.slice(2), '=').get(field);
        if (f) events.push({ at: m.index ?? 0, text: f.text });
      }
      const init = new RegExp(`\\bstruct\\s+${type}\\s+${e}\\s*=\\s*\\{`, 'g');
      for (const m of this.code.matchAll(init)) {
        const open = (m.index ?? 0) + m[0].length - 1;
        const f = keyedFields(splitArgs(this.code, open).args, '=').get(field);
        if (f) events.push({ at: m.index ?? 0, text: f.text });
      }
    }
    for (const a of this.vals.all(`${e.replace(/\s*->\s*/g, '.')}.${field}`)) {
      // `opts.flags = opts.prog_fd = 0`: a chained reset, the value is the last operand
      const chained = a.rhs.split(/(?<![=!<>])=(?!=)/).pop() ?? a.rhs;
      if (a.op === '=' || a.op === '|=') events.push({ at: a.at, text: chained.trim() });
    }
    events.sort((x, y) => x.at - y.at);
    const root = /^[A-Za-z_]\w*/.exec(e)?.[0] ?? e;
    const seen = this.vals.pick(events, at, root);
    if (seen || !simple) return seen;
    // a helper's `struct bpf_tc_hook *hook` parameter: read the struct its caller passes
    const site = this.vals.callSiteArg(e, at);
    return site ? this.structField({ text: site.text, start: site.start, end: site.start + site.text.length }, type, field, site.at) : undefined;
  }

  /** What program an fd / `struct bpf_program *` expression names. */
  private resolveProg(expr: string, at: number, depth = 0): ProgRef | undefined {
    const e = stripParens(expr);
    let m = /^(?:bpf_program__fd|xdp_program__fd)\s*\(([\s\S]*)\)$/.exec(e);
    if (m) return this.resolveProg(m[1], at, depth + 1);
    m = /^([A-Za-z_]\w*)((?:\s*(?:\.|->)\s*\w+)*?)\s*(?:\.|->)\s*progs\s*(?:\.|->)\s*([A-Za-z_]\w*)$/.exec(e);
    if (m) {
      const skel = this.skelVars.get(m[1]) ?? (this.skeletons.size === 1 ? [...this.skeletons][0] : undefined);
      return skel ? { prog: m[3], object: skel } : { prog: m[3] };
    }
    m = /^bpf_object__find_program_by_(name|title)\s*\(\s*([^,]+),([\s\S]+)\)$/.exec(e);
    if (m) {
      const v = this.vals.stringValue(m[3], at);
      if (!v) return undefined;
      const object = this.objectOf(m[2]);
      const ref: ProgRef = m[1] === 'name' ? { prog: v } : { section: v };
      if (object) ref.object = object;
      return ref;
    }
    m = /^xdp_program__open_file\s*\(([^,]+),([^,]+)/.exec(e);
    if (m) {
      const f = this.vals.stringValue(m[1], at);
      const sec = this.vals.stringValue(m[2], at);
      const ref: ProgRef = {};
      if (f) ref.object = basename(f);
      if (sec) ref.section = sec;
      return ref;
    }
    m = /^xdp_program__from_bpf_obj\s*\(([^,]+),([^)]+)\)$/.exec(e);
    if (m) {
      const sec = this.vals.stringValue(m[2], at);
      const object = this.objectOf(m[1]);
      const ref: ProgRef = {};
      if (object) ref.object = object;
      if (sec) ref.section = sec;
      return ref;
    }
    if (depth > 4) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.resolveProg(next.expr, next.at, depth + 1) : undefined;
  }

  private objectOf(expr: string): string | undefined {
    const v = stripParens(expr);
    const known = this.objVars.get(v);
    if (known) return known;
    const all = new Set(this.objVars.values());
    return all.size === 1 ? [...all][0] : undefined;
  }

  /** `if_nametoindex("eth0")`, directly or through variables and macros. */
  private devOf(expr: string, at: number, depth = 0): string | undefined {
    const e = stripParens(expr);
    const m = /^if_nametoindex\s*\(([\s\S]*)\)$/.exec(e);
    if (m) {
      const v = this.vals.stringValue(m[1], at);
      return isDeviceName(v) ? v : undefined;
    }
    if (depth > 4) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.devOf(next.expr, next.at, depth + 1) : undefined;
  }

  /** A BPF_* attach type constant (through a variable or macro) → hook. */
  private attachTypeHook(expr: string, at: number, allowXdp: boolean, depth = 0): Hook | undefined {
    const e = stripParens(expr);
    const table: Record<string, Hook> = {
      BPF_TCX_INGRESS: 'tcx-ingress', BPF_TCX_EGRESS: 'tcx-egress',
      BPF_NETKIT_PRIMARY: 'netkit-primary', BPF_NETKIT_PEER: 'netkit-peer',
    };
    if (table[e]) return table[e];
    if (e === 'BPF_XDP' && allowXdp) return 'xdp';
    if (depth > 3) return undefined;
    const next = this.vals.follow(e, at);
    return next ? this.attachTypeHook(next.expr, next.at, allowXdp, depth + 1) : undefined;
  }

  // ---- bpf_program__attach_tcx / _netkit: the direction is the program's expected attach type

  private programAttach(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    const setters = this.calls(['bpf_program__set_expected_attach_type']);
    for (const c of this.calls(['bpf_program__attach_tcx', 'bpf_program__attach_netkit', 'bpf_program__attach_xdp'])) {
      if (c.args.length < 2) continue;
      const ref = this.resolveProg(c.args[0].text, c.start);
      if (!ref || !hasName(ref)) continue;
      const dev = this.devOf(c.args[1].text, c.start);
      if (c.name === 'bpf_program__attach_xdp') {
        out.push(this.evidence(c, 'xdp', ref, dev, ''));
        continue;
      }
      // Without an explicit expected attach type the section decides; that is not loader evidence.
      const same = setters.filter((s) => {
        if (!s.args[0] || s.start > c.start) return false;
        if (stripParens(s.args[0].text) === stripParens(c.args[0].text)) return true;
        const r = this.resolveProg(s.args[0].text, s.start);
        return !!r && !!ref.prog && r.prog === ref.prog;
      });
      const setter = same[same.length - 1];
      const hook = setter?.args[1] && this.attachTypeHook(setter.args[1].text, setter.start, false);
      if (!hook) continue;
      if ((c.name === 'bpf_program__attach_tcx') !== hook.startsWith('tcx-')) continue;
      out.push(this.evidence(c, hook, ref, dev, `expected attach type ${setter.args[1].text}`));
    }
    return out;
  }

  // ---- bpf_prog_attach(fd, ifindex, BPF_TCX_INGRESS, 0), bpf_link_create(fd, ifindex, type, &opts)

  private linkAttach(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const c of this.calls(['bpf_prog_attach', 'bpf_prog_attach_opts', 'bpf_link_create'])) {
      if (c.args.length < 3) continue;
      const hook0 = this.attachTypeHook(c.args[2].text, c.start, c.name === 'bpf_link_create');
      if (!hook0) continue;
      const ref = this.resolveProg(c.args[0].text, c.start);
      if (!ref || !hasName(ref)) continue;
      let hook = hook0;
      if (hook === 'xdp' && c.args[3]) {
        const flags = this.structField(c.args[3], 'bpf_link_create_opts', 'flags', c.start);
        if (flags && this.skbMode(flags.text, flags.at)) hook = 'xdp-generic';
      }
      out.push(this.evidence(c, hook, ref, this.devOf(c.args[1].text, c.start), ''));
    }
    return out;
  }

  // ---- bpf_xdp_attach(ifindex, fd, flags, opts) and its deprecated spellings

  private xdpAttach(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const c of this.calls(['bpf_xdp_attach', 'bpf_set_link_xdp_fd', 'bpf_set_link_xdp_fd_opts'])) {
      if (c.args.length < 3) continue;
      const ref = this.resolveProg(c.args[1].text, c.start);
      if (!ref || !hasName(ref)) continue;
      const generic = this.skbMode(c.args[2].text, c.start);
      out.push(this.evidence(c, generic ? 'xdp-generic' : 'xdp', ref, this.devOf(c.args[0].text, c.start), generic ? 'XDP_FLAGS_SKB_MODE' : ''));
    }
    return out;
  }

  /**
   * True when the flags surely hold XDP_FLAGS_SKB_MODE: written in the call, or every
   * assignment of the flags variable sets it (a flag or-ed in conditionally is not sure).
   */
  private skbMode(expr: string, at: number): boolean {
    if (/\bXDP_FLAGS_SKB_MODE\b/.test(expr)) return true;
    const e = stripParens(expr).replace(/\s*->\s*/g, '.');
    if (!/^[A-Za-z_]\w*(?:\.\w+)*$/.test(e)) return false;
    const macro = this.vals.macros.get(e);
    if (macro) return /\bXDP_FLAGS_SKB_MODE\b/.test(macro);
    const all = this.vals.all(e).filter((a) => a.op !== '&=');
    if (!all.length) return false;
    return all.some((a) => /\bXDP_FLAGS_SKB_MODE\b/.test(a.rhs)) &&
      all.every((a) => /\bXDP_FLAGS_SKB_MODE\b/.test(a.rhs) || (a.op === '|=' && !/_MODE\b/.test(a.rhs)));
  }

  // ---- libxdp: xdp_program__attach(prog, ifindex, XDP_MODE_SKB, 0)

  private libxdpAttach(): LoaderEvidence[] {
    const out: LoaderEvidence[] = [];
    for (const c of this.calls(['xdp_program__attach'])) {
      if (c.args.length < 3) continue;
      const ref = this.resolveProg(c.args[0].text, c.start);
      if (!ref || !hasName(ref)) continue;
      const generic = /\bXDP_MODE_SKB\b/.test(c.args[2].text);
      out.push(this.evidence(c, generic ? 'xdp-generic' : 'xdp', ref, this.devOf(c.args[1].text, c.start), ''));
    }
    return out;
  }
}
