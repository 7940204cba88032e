// Redirect helper calls and what the kernel does with them (net/core/filter.c): the helper
// only records a target and flags and returns the verdict; skb_do_redirect (tc) or
// xdp_do_redirect (XDP) acts on it only when the program returns that verdict.
import type { Range } from '../topology/model';
import type { ArgValue } from './calls';
import type { FlowArg, FlowCall, FlowResult } from './flow';
import type { CallSite, Loc, Span } from './locations';
import { inRegions } from './reachability';
import { redirectVerdict } from './returns';
import type { ProgramType } from './sections';
import { constSet } from './values';

export type RedirectHelper = 'bpf_redirect' | 'bpf_redirect_peer' | 'bpf_redirect_neigh' | 'bpf_clone_redirect' | 'bpf_redirect_map';

/** Where the packet goes (contract.md): the role the target device plays next. */
export type RedirectKind = 'egress' | 'ingress' | 'peer' | 'neigh' | 'clone-egress' | 'clone-ingress' | 'xdp-egress' | 'map';

export interface RedirectCall {
  helper: RedirectHelper;
  calledAs: string;
  /** In the program: the call, or the call of the wrapper / macro that leads to it. */
  range: Range;
  /** Where the helper call is written. */
  at: Loc;
  via: CallSite[];
  /** The ifindex argument (the key for bpf_redirect_map). */
  ifindex: ArgValue;
  flags: ArgValue;
  /** bpf_redirect_map: the map's name as written (`&tx_port` → tx_port). */
  map: string | null;
  kind: RedirectKind;
  /** False when the flags are dynamic and `kind` assumes no BPF_F_INGRESS. */
  kindCertain: boolean;
  /** null when the flags are dynamic. */
  flagsLegal: boolean | null;
  /** What the kernel does with illegal flags. */
  flagsProblem: string | null;
  /**
   * Whether a return that can run after the call gives back its verdict (directly, through
   * a variable or a wrapper) or TC_ACT_REDIRECT / XDP_REDIRECT. Always true for
   * bpf_clone_redirect, whose clone leaves inside the helper.
   */
  resultUsed: boolean;
  /** When the result is not used: the return that runs instead, and its constant. */
  ignoredBy: { range: Range; value: number | null; name: string | null } | null;
  /** The frame's h_dest was rewritten before the call (bpf_redirect_neigh: by the kernel); `l2RewriteAt` is where it is written (maybe inside a wrapper). */
  l2Rewritten: boolean;
  l2RewriteAt: Loc | null;
  /** The mechanical edit that makes the program return the helper's verdict, when there is one. */
  returnFix: { range: Range; text: string } | null;
}

const ARGS: Record<RedirectHelper, { ifindex: number; flags: number; map?: number }> = {
  bpf_redirect: { ifindex: 0, flags: 1 },
  bpf_redirect_peer: { ifindex: 0, flags: 1 },
  bpf_redirect_neigh: { ifindex: 0, flags: 3 },
  bpf_clone_redirect: { ifindex: 1, flags: 2 },
  bpf_redirect_map: { map: 0, ifindex: 1, flags: 2 },
};

export function isRedirectHelper(h: string): h is RedirectHelper {
  return Object.prototype.hasOwnProperty.call(ARGS, h);
}

export function argValue(a: FlowArg | undefined, fallback: Loc): ArgValue {
  if (!a) return { text: '', value: null, values: null, names: [], loc: fallback, origin: fallback };
  const values = constSet(a.values);
  const first = a.values[0];
  const names = a.values.length === 1 && first.kind === 'const' && first.name ? [...first.chain] : [];
  // A wrapper's parameter: the number is written by the caller.
  const origin = a.param && first?.origin ? first.origin.loc : a.loc;
  return { text: a.text, value: values && values.length === 1 ? values[0] : null, values, names, loc: a.loc, origin };
}

const F_INGRESS = 1n;
const XDP_MAP_FLAGS = 3n | 8n | 16n; // BPF_F_ACTION_MASK | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS

/** Whether the kernel accepts these flags, and what it does otherwise. */
export function flagsCheck(helper: RedirectHelper, type: ProgramType, flags: number[] | null): { legal: boolean | null; problem: string | null } {
  if (!flags) return { legal: null, problem: null };
  const bad = flags.find((f) => {
    const b = BigInt(Math.trunc(f));
    switch (helper) {
      case 'bpf_redirect': return type === 'xdp' ? b !== 0n : (b & ~F_INGRESS) !== 0n;
      case 'bpf_redirect_peer': case 'bpf_redirect_neigh': return b !== 0n;
      case 'bpf_clone_redirect': return (b & ~F_INGRESS) !== 0n;
      case 'bpf_redirect_map': return (b & ~XDP_MAP_FLAGS) !== 0n;
    }
  });
  if (bad === undefined) return { legal: true, problem: null };
  const hex = `0x${bad.toString(16)}`;
  const problem: Record<RedirectHelper, string> = {
    bpf_redirect: type === 'xdp'
      ? `XDP's bpf_redirect() takes no flags: with ${hex} it returns XDP_ABORTED, and the driver drops the packet (xdp_exception tracepoint)`
      : `bpf_redirect() accepts only 0 or BPF_F_INGRESS: with ${hex} it records no target and returns TC_ACT_SHOT, so the packet is dropped`,
    bpf_redirect_peer: `bpf_redirect_peer() requires flags 0: with ${hex} it returns TC_ACT_SHOT, so the packet is dropped`,
    bpf_redirect_neigh: `bpf_redirect_neigh() requires flags 0: with ${hex} it returns TC_ACT_SHOT, so the packet is dropped`,
    bpf_clone_redirect: `bpf_clone_redirect() accepts only 0 or BPF_F_INGRESS: with ${hex} it returns -EINVAL and sends no clone`,
    bpf_redirect_map: `bpf_redirect_map() accepts a fallback action (XDP_ABORTED..XDP_TX) and BPF_F_BROADCAST / BPF_F_EXCLUDE_INGRESS: with ${hex} it returns XDP_ABORTED and the packet is dropped`,
  };
  return { legal: false, problem: problem[helper] };
}

function kindOf(helper: RedirectHelper, type: ProgramType, flags: number[] | null): { kind: RedirectKind; certain: boolean } {
  const ingress = flags?.map((f) => (BigInt(Math.trunc(f)) & F_INGRESS) !== 0n);
  const allSame = !!ingress && ingress.every((x) => x === ingress[0]);
  switch (helper) {
    case 'bpf_redirect':
      // XDP: always the target's transmit side, via ndo_xdp_xmit (bpf_xdp_redirect).
      if (type === 'xdp') return { kind: 'xdp-egress', certain: true };
      return { kind: allSame && ingress[0] ? 'ingress' : 'egress', certain: allSame };
    case 'bpf_clone_redirect':
      return { kind: allSame && ingress[0] ? 'clone-ingress' : 'clone-egress', certain: allSame };
    case 'bpf_redirect_peer': return { kind: 'peer', certain: true };
    case 'bpf_redirect_neigh': return { kind: 'neigh', certain: true };
    case 'bpf_redirect_map': return { kind: 'map', certain: true };
  }
}

export interface RedirectInputs {
  flow: FlowResult;
  type: ProgramType;
  /** Regions of the program body that may run after a point. */
  regionsAfter(point: Span): Span[];
  /** Program-file location of a span. */
  loc(span: Span): Loc;
  /** The program file's text (for the quick fix). */
  text: string;
}

/** Redirect calls of one program, in execution order; `index` maps flow call ids to positions. */
export function buildRedirects(inp: RedirectInputs): { redirects: RedirectCall[]; index: Map<number, number> } {
  const redirects: RedirectCall[] = [];
  const index = new Map<number, number>();
  const verdict = redirectVerdict(inp.type);
  for (const c of inp.flow.calls) {
    if (!isRedirectHelper(c.helper)) continue;
    const helper = c.helper;
    const layout = ARGS[helper];
    const range = inp.loc(c.anchor).range;
    const fallback = c.loc;
    const ifindex = argValue(c.args[layout.ifindex], fallback);
    const flags = argValue(c.args[layout.flags], fallback);
    const { legal, problem } = flagsCheck(helper, inp.type, flags.values);
    const { kind, certain } = kindOf(helper, inp.type, flags.values);
    const used = helper === 'bpf_clone_redirect' ? { used: true, ignoredBy: null } : resultUse(c, inp, verdict.value);
    const l2 = inp.flow.l2Writes.filter((w) => w.seq < c.seq).pop();
    const mapArg = layout.map !== undefined ? c.args[layout.map]?.text ?? null : null;
    index.set(c.id, redirects.length);
    redirects.push({
      helper, calledAs: c.calledAs, range, at: c.at, via: [...c.via], ifindex, flags,
      map: mapArg ? mapArg.replace(/^&\s*/, '').trim() : null,
      kind, kindCertain: certain, flagsLegal: legal, flagsProblem: problem,
      resultUsed: used.used, ignoredBy: used.ignoredBy,
      l2Rewritten: helper === 'bpf_redirect_neigh' || !!l2,
      l2RewriteAt: helper === 'bpf_redirect_neigh' ? null : l2?.loc ?? null,
      returnFix: used.used ? null : returnFix(c, inp),
    });
  }
  return { redirects, index };
}

function resultUse(c: FlowCall, inp: RedirectInputs, code: number): { used: boolean; ignoredBy: RedirectCall['ignoredBy'] } {
  const regions = inp.regionsAfter(c.anchor);
  const reachable = inp.flow.returns.filter((r) => inRegions(regions, r.site));
  // No return after it (the body falls off its end, or we cannot tell): do not claim it is ignored.
  if (reachable.length === 0) return { used: true, ignoredBy: null };
  const uses = reachable.some((r) => r.values.length === 0 || r.values.some((v) => v.kind !== 'const' || v.value === code));
  if (uses) return { used: true, ignoredBy: null };
  const r = reachable[0];
  const v = r.values[0];
  return {
    used: false,
    ignoredBy: { range: r.loc.range, value: v?.kind === 'const' ? v.value : null, name: v?.kind === 'const' ? v.name : null },
  };
}

/** `bpf_redirect(i, 0);` as a statement of the program becomes `return bpf_redirect(i, 0);`. */
function returnFix(c: FlowCall, inp: RedirectInputs): RedirectCall['returnFix'] {
  const { start, end } = c.anchor;
  const vals = inp.flow.anchorValues.get(start);
  if (!vals || !vals.some((v) => v.kind === 'redirect' && v.call === c.id)) return null;
  const after = /^\s*;/.test(inp.text.slice(end, end + 64));
  const head = inp.text.slice(Math.max(0, start - 64), start);
  const before = /(^|[;{})]|\belse)\s*$/.test(head) && !/\(\s*void\s*\)\s*$/.test(head);
  if (!after || !before) return null;
  return { range: inp.loc(c.anchor).range, text: `return ${inp.text.slice(start, end)}` };
}
