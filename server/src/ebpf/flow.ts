// Walks a program's body in evaluation order, stepping into the inline functions and
// function-like macros it calls (a BPF program is one function after inlining: the
// verifier sees no calls to `static __always_inline` code), to learn which helpers it calls
// with which arguments, what each `return` can give back, and where it rewrites the frame.
// Variables keep every value assigned to them (no kill on reassignment): cheap and never
// misses a redirect verdict that reaches a return.
import { MEMCPY_FUNCTIONS, STORE_BYTES_HELPERS, VERDICT_REDIRECT_HELPERS, helperFor } from './calls';
import type { VerdictFamily } from './constants';
import { expandMacro, type MacroDef } from './defines';
import type { AssignEvent, BodyEvent, CallEvent, ReturnEvent, TokRange } from './events';
import { BYTE_ORDER_FUNCTIONS, evaluateTokens, foldBinary, type EvalHooks } from './expressions';
import { LazyOrigin, type CallSite, type Loc, type Origin, type Span } from './locations';
import type { DependencyLog } from './reuse';
import type { ProgramType } from './sections';
import type { FunctionDef } from './source';
import type { Token } from './tokens';
import type { TranslationUnit } from './unit';
import { union, type Value } from './values';

export interface FlowArg {
  text: string;
  values: Value[];
  loc: Loc;
  /** The argument is a parameter of the wrapper it is written in (its value comes from the caller). */
  param: boolean;
}

export interface FlowCall {
  id: number;
  helper: string;
  calledAs: string;
  args: FlowArg[];
  /** Where a diagnostic about the call goes: the call, or the macro invocation holding it. */
  loc: Loc;
  /** Where it is physically written (a wrapper body, a header, a #define). */
  at: Loc;
  via: readonly CallSite[];
  /** The span in the program's own body standing for this call. */
  anchor: Span;
  /** Order of execution within the program. */
  seq: number;
}

export interface FlowReturn {
  /** The program-level span of the return (or of the macro invocation that returns). */
  site: Span;
  loc: Loc;
  valueLoc: Loc | null;
  values: Value[];
}

export interface L2Write { seq: number; loc: Loc; how: string }

export interface FlowResult {
  calls: FlowCall[];
  returns: FlowReturn[];
  l2Writes: L2Write[];
  /** Values of the program's own top-level calls, by start offset (for quick fixes). */
  anchorValues: ReadonlyMap<number, Value[]>;
  /** The walk stopped inlining because the program is too large. */
  truncated: boolean;
}

interface Scope {
  /** The text the events' spans index: a function body (offsets from its start) or a macro expansion. */
  text: string;
  /** The tokens the events' token ranges index. */
  toks: Token[];
  loc(span: Span): Loc;
  inner(span: Span): Loc;
  anchor(span: Span): Span;
  via: readonly CallSite[];
  results: Map<number, Value[]>;
  identResults: Map<number, Value[]>;
  skip: Span[];
  /** The evaluator's hooks for this scope and the frame it runs in (made once). */
  hooks?: EvalHooks;
}

interface Frame {
  env: Map<string, Value[]>;
  params: ReadonlySet<string>;
  /** null in the program itself: its returns are recorded as FlowReturns. */
  returns: Value[] | null;
  stack: string[];
  depth: number;
}

const MAX_DEPTH = 12;
const MAX_EVENTS = 200_000;

export class Flow {
  private calls: FlowCall[] = [];
  private returns: FlowReturn[] = [];
  private l2Writes: L2Write[] = [];
  private seq = 0;
  private budget = MAX_EVENTS;
  private truncated = false;

  constructor(
    private readonly unit: TranslationUnit,
    private readonly type: ProgramType,
    private readonly family: VerdictFamily,
    /** Records every lookup, so that the result can be reused while they still hold. */
    private readonly log?: DependencyLog,
  ) {}

  run(fn: FunctionDef): FlowResult {
    const src = fn.source;
    const body = src.body(fn);
    const base = fn.body.start;
    const at = (s: Span): Span => ({ start: s.start + base, end: s.end + base });
    const scope: Scope = {
      text: body.text,
      toks: body.toks,
      loc: (s) => src.loc(at(s)),
      inner: (s) => src.loc(at(s)),
      anchor: at,
      via: [],
      results: new Map(),
      identResults: new Map(),
      skip: [],
    };
    const frame: Frame = { env: new Map(), params: new Set(fn.params), returns: null, stack: [fn.name], depth: 0 };
    this.runEvents(body.events, scope, frame);
    const anchorValues = new Map<number, Value[]>();
    for (const [k, v] of scope.results) anchorValues.set(k + base, v);
    return { calls: this.calls, returns: this.returns, l2Writes: this.l2Writes, anchorValues, truncated: this.truncated };
  }

  private runEvents(events: readonly BodyEvent[], scope: Scope, frame: Frame): void {
    // Calls to function-like macros are walked in their expansion, which holds their
    // arguments again: events written inside those arguments are skipped here.
    for (const ev of events) {
      if (ev.kind !== 'call' || !ev.callee || this.fn(this.unaliased(ev.callee))) continue;
      const def = this.macro(this.unaliased(ev.callee));
      if (def?.params) scope.skip.push(ev.inner);
    }
    for (const ev of events) {
      if (scope.skip.length > 0 && scope.skip.some((s) => ev.span.start >= s.start && ev.span.end <= s.end)) continue;
      if (--this.budget < 0) { this.truncated = true; return; }
      switch (ev.kind) {
        case 'call': scope.results.set(ev.span.start, this.call(ev, scope, frame)); break;
        case 'return': this.ret(ev, scope, frame); break;
        case 'assign': this.assign(ev, scope, frame); break;
        case 'update':
          if (ev.target) this.bind(frame, ev.target, this.unknown(scope, ev.span));
          break;
      }
    }
  }

  private unaliased(name: string): string {
    let n = name;
    for (let i = 0; i < 4 && !this.fn(n); i++) {
      const def = this.macro(n);
      // `#define ctx_redirect_peer mock_redirect_peer`: an object-like macro that renames.
      if (!def || def.params || !/^[A-Za-z_$][\w$]*$/.test(def.body)) break;
      n = def.body;
    }
    return n;
  }

  private call(ev: CallEvent, scope: Scope, frame: Frame): Value[] {
    if (!ev.callee) return this.unknown(scope, ev.span);
    const written = ev.callee;
    const name = this.unaliased(written);
    const fn = this.fn(name);
    if (fn) return this.inline(fn, written, ev, scope, frame);
    const def = this.macro(name);
    if (def?.params) return this.expand(def, written, ev, scope, frame);
    if (BYTE_ORDER_FUNCTIONS.has(name)) return this.evalText(scope, frame, ev.span);
    const target = helperFor(name, this.unit.shortHelpers, this.type);
    if (target) return this.helper(target.helper, written, target.args ? target.args.map((i) => ev.args[i]) : ev.args, ev, scope, frame);
    if (MEMCPY_FUNCTIONS.has(name) && ev.args.length >= 1) {
      const dest = ev.args[0];
      const text = this.textOf(scope, dest);
      const v = this.eval(scope, frame, dest);
      if (/\bh_dest\b/.test(text) || v.some((x) => x.kind === 'packet' && x.offset !== null && x.offset < 6)) {
        this.l2Writes.push({ seq: ++this.seq, loc: scope.loc(ev.span), how: `${written}(${text}, …)` });
      }
      return this.unknown(scope, ev.span);
    }
    // Cilium's ctx_data(ctx): the packet's first byte.
    if (name === 'ctx_data') return [{ kind: 'packet', offset: 0, origin: this.origin(scope, ev.span) }];
    return this.unknown(scope, ev.span);
  }

  private inline(fn: FunctionDef, written: string, ev: CallEvent, scope: Scope, frame: Frame): Value[] {
    if (frame.stack.includes(fn.name) || frame.depth >= MAX_DEPTH) return this.unknown(scope, ev.span);
    if (this.budget <= 0) { this.truncated = true; return this.unknown(scope, ev.span); }
    const args = ev.args.map((a) => this.eval(scope, frame, a));
    const src = fn.source;
    const body = src.body(fn);
    const base = fn.body.start;
    const site: CallSite = { name: written, kind: 'function', call: scope.loc(ev.span), definition: src.loc(fn.nameSpan) };
    const anchor = scope.anchor(ev.span);
    const callee: Frame = { env: new Map(), params: new Set(fn.params), returns: [], stack: [...frame.stack, fn.name], depth: frame.depth + 1 };
    fn.params.forEach((p, i) => { if (p && args[i]) callee.env.set(p, args[i]); });
    const inner: Scope = {
      text: body.text,
      toks: body.toks,
      loc: (s) => src.loc({ start: s.start + base, end: s.end + base }),
      inner: (s) => src.loc({ start: s.start + base, end: s.end + base }),
      anchor: () => anchor,
      via: [...scope.via, site],
      results: new Map(),
      identResults: new Map(),
      skip: [],
    };
    this.runEvents(body.events, inner, callee);
    return callee.returns && callee.returns.length > 0 ? callee.returns : this.unknown(scope, ev.span);
  }

  private expand(def: MacroDef, written: string, ev: CallEvent, scope: Scope, frame: Frame): Value[] {
    const argTexts = ev.args.map((a) => this.textOf(scope, a));
    const folded = this.unit.constants.foldMacroCall(def.name, argTexts, this.family);
    this.log?.fold(def.name, argTexts, this.family, folded);
    if (folded) return [{ kind: 'const', value: folded.value, name: null, chain: [], origin: this.origin(scope, ev.span) }];
    return this.runExpansion(def, written, expandMacro(def, argTexts), ev.span, scope, frame);
  }

  private runExpansion(def: MacroDef, written: string, expansion: string, invocation: Span, scope: Scope, frame: Frame): Value[] {
    if (frame.depth >= MAX_DEPTH || scope.via.filter((v) => v.kind === 'macro' && v.name === written).length > 2) return this.unknown(scope, invocation);
    const snip = this.unit.snippet(expansion);
    const defLoc = this.unit.macroLoc(def);
    const at = scope.loc(invocation);
    const inner: Scope = {
      text: snip.text,
      toks: snip.toks,
      loc: () => at,
      inner: () => defLoc,
      anchor: () => scope.anchor(invocation),
      via: [...scope.via, { name: written, kind: 'macro', call: at, definition: defLoc }],
      results: new Map(),
      identResults: new Map(),
      skip: [],
    };
    this.runEvents(snip.events, inner, frame);
    return snip.isExpression ? this.eval(inner, frame, [0, snip.toks.length]) : this.unknown(scope, invocation);
  }

  private helper(helper: string, written: string, argRanges: Array<TokRange | undefined>, ev: CallEvent, scope: Scope, frame: Frame): Value[] {
    const args: FlowArg[] = argRanges.map((r) => {
      if (!r || r[0] >= r[1]) return { text: '', values: [], loc: scope.loc(ev.span), param: false };
      const text = this.textOf(scope, r);
      return { text, values: this.eval(scope, frame, r), loc: scope.loc(this.spanOf(scope, r)), param: frame.returns !== null && frame.params.has(text) };
    });
    const call: FlowCall = {
      id: this.calls.length, helper, calledAs: written, args,
      loc: scope.loc(ev.span), at: scope.inner(ev.span), via: scope.via, anchor: scope.anchor(ev.span), seq: ++this.seq,
    };
    this.calls.push(call);
    if (STORE_BYTES_HELPERS.has(helper)) {
      // (ctx, offset, from, len, flags): bytes 0..5 of the frame are h_dest (struct ethhdr).
      const off = args[1]?.values ?? [];
      if (off.length > 0 && off.every((v) => v.kind === 'const' && v.value >= 0 && v.value < 6)) {
        this.l2Writes.push({ seq: call.seq, loc: call.loc, how: `${written}(…, ${args[1].text}, …)` });
      }
    }
    if (VERDICT_REDIRECT_HELPERS.has(helper)) return [{ kind: 'redirect', call: call.id, origin: this.origin(scope, ev.span) }];
    return this.unknown(scope, ev.span);
  }

  private ret(ev: ReturnEvent, scope: Scope, frame: Frame): void {
    const values = ev.value ? this.eval(scope, frame, ev.value) : [];
    if (frame.returns) {
      for (const v of values) frame.returns.push(v);
      return;
    }
    this.returns.push({ site: scope.anchor(ev.span), loc: scope.loc(ev.span), valueLoc: ev.value ? scope.loc(this.spanOf(scope, ev.value)) : null, values });
  }

  private assign(ev: AssignEvent, scope: Scope, frame: Frame): void {
    const values = ev.value ? this.eval(scope, frame, ev.value) : this.unknown(scope, ev.span);
    if (ev.target) {
      if (ev.op === '=') this.bind(frame, ev.target, values);
      else {
        // x |= FLAG: fold when both sides are known numbers.
        const cur = frame.env.get(ev.target) ?? [];
        const op = ev.op.slice(0, -1);
        const folded: Value[] = [];
        let ok = cur.length > 0 && values.length > 0;
        for (const a of cur) for (const b of values) {
          if (!ok) break;
          const r = a.kind === 'const' && b.kind === 'const' ? foldBinary(op, a.value, b.value) : null;
          if (r === null) ok = false;
          else folded.push({ kind: 'const', value: r, name: null, chain: [], origin: this.origin(scope, ev.span) });
        }
        this.bind(frame, ev.target, ok ? folded : this.unknown(scope, ev.span));
      }
    }
    const target = scope.text.slice(ev.targetSpan.start, ev.targetSpan.end);
    // eth->h_dest[i] = …: the program readdresses the frame (struct ethhdr's first field).
    if (/\bh_dest\b/.test(target)) this.l2Writes.push({ seq: ++this.seq, loc: scope.loc(ev.span), how: `${target} = …` });
  }

  private bind(frame: Frame, name: string, values: Value[]): void {
    frame.env.set(name, union(frame.env.get(name) ?? [], values));
  }

  private eval(scope: Scope, frame: Frame, r: TokRange): Value[] {
    scope.hooks ??= this.hooks(scope, frame);
    return evaluateTokens(scope.text, scope.toks, scope.hooks, r[0], r[1]);
  }

  /** Evaluate a span of the scope's text (a whole call folded by the evaluator). */
  private evalText(scope: Scope, frame: Frame, span: Span): Value[] {
    const from = scope.toks.findIndex((t) => t.start >= span.start);
    let to = from;
    while (to >= 0 && to < scope.toks.length && scope.toks[to].end <= span.end) to++;
    return from < 0 ? this.unknown(scope, span) : this.eval(scope, frame, [from, to]);
  }

  private spanOf(scope: Scope, r: TokRange): Span {
    const a = scope.toks[r[0]];
    const b = scope.toks[Math.max(r[0], r[1] - 1)];
    return { start: a.start, end: b.end };
  }

  private textOf(scope: Scope, r: TokRange): string {
    if (r[0] >= r[1]) return '';
    const s = this.spanOf(scope, r);
    return scope.text.slice(s.start, s.end);
  }

  private hooks(scope: Scope, frame: Frame): EvalHooks {
    return {
      ident: (name, span) => {
        const bound = frame.env.get(name);
        if (bound) return bound.length > 0 ? bound : undefined;
        const c = this.unit.constants.resolve(name, this.family);
        this.log?.constant(name, this.family, c);
        if (c) return [{ kind: 'const', value: c.value, name, chain: c.chain, origin: this.origin(scope, span) }];
        // An object-like macro standing for a call: `#define DO_REDIRECT bpf_redirect(IFX, 0)`.
        const def = this.macro(name);
        if (def && !def.params && def.body.includes('(')) {
          let v = scope.identResults.get(span.start);
          if (!v) {
            v = this.runExpansion(def, name, def.body, span, scope, frame);
            scope.identResults.set(span.start, v);
          }
          return v;
        }
        return undefined;
      },
      call: (_name, span) => scope.results.get(span.start),
      origin: (span) => this.origin(scope, span),
    };
  }

  private fn(name: string): FunctionDef | undefined {
    const f = this.unit.function(name);
    this.log?.function(name, f);
    return f;
  }

  private macro(name: string): MacroDef | undefined {
    const d = this.unit.macros.get(name);
    this.log?.macro(name, d);
    return d;
  }

  private origin(scope: Scope, span: Span): Origin {
    return new LazyOrigin(scope.loc, span, scope.via);
  }

  private unknown(scope: Scope, span: Span): Value[] {
    return [{ kind: 'unknown', text: scope.text.slice(span.start, span.end), origin: this.origin(scope, span) }];
  }
}

