// What a program returns, and what the kernel makes of it. tc reads the value as a
// TC_ACT_* action (sch_handle_ingress/egress; tcx_action_code under tcx), XDP as an
// xdp_action (bpf_prog_run_xdp in the driver): the numbers overlap, so a verdict of the
// other family silently means something else.
import type { CallSite, Loc } from './locations';
import type { ProgramType } from './sections';
import type { Value } from './values';

export type ReturnValue =
  | { kind: 'const'; value: number; /** The name written, e.g. TC_ACT_OK; null for a literal. */ name: string | null; chain: string[]; at: Loc; via: CallSite[] }
  /** The verdict of a redirect helper; `redirect` indexes ProgramInfo.redirects. */
  | { kind: 'redirect'; redirect: number; at: Loc; via: CallSite[] }
  | { kind: 'unknown'; text: string; at: Loc; via: CallSite[] };

export interface ReturnInfo {
  /** The program's `return` statement (or the macro invocation that returns). */
  range: Loc['range'];
  /** The returned expression, in the program. */
  valueRange: Loc['range'] | null;
  /** Everything it can return, followed through variables, inline functions and macros. */
  values: ReturnValue[];
}

/** Verdict names by number (linux/pkt_cls.h, linux/bpf.h); also read by inference/effects. */
export const TC_NAMES: Readonly<Record<number, string>> = {
  [-1]: 'TC_ACT_UNSPEC', 0: 'TC_ACT_OK', 1: 'TC_ACT_RECLASSIFY', 2: 'TC_ACT_SHOT', 3: 'TC_ACT_PIPE',
  4: 'TC_ACT_STOLEN', 5: 'TC_ACT_QUEUED', 6: 'TC_ACT_REPEAT', 7: 'TC_ACT_REDIRECT', 8: 'TC_ACT_TRAP',
};
export const XDP_NAMES: Readonly<Record<number, string>> = { 0: 'XDP_ABORTED', 1: 'XDP_DROP', 2: 'XDP_PASS', 3: 'XDP_TX', 4: 'XDP_REDIRECT' };

/** The verdict family's name for a number, and what the kernel then does with the packet. */
export function verdictMeaning(type: ProgramType, value: number): { name: string; effect: string } {
  if (type === 'xdp') {
    const name = XDP_NAMES[value];
    const effect: Record<string, string> = {
      XDP_ABORTED: 'the driver drops the packet and fires the xdp_exception tracepoint',
      XDP_DROP: 'the driver drops the packet',
      XDP_PASS: 'the packet continues to the kernel stack as if the program had not run',
      XDP_TX: 'the driver sends the packet back out of the device it came in on',
      XDP_REDIRECT: 'xdp_do_redirect sends the packet to the recorded target',
    };
    return name
      ? { name, effect: effect[name] }
      : { name: String(value), effect: 'not an XDP action: bpf_warn_invalid_xdp_action warns and the packet is dropped' };
  }
  const name = TC_NAMES[value];
  const effect: Record<string, string> = {
    TC_ACT_UNSPEC: 'the next filter runs, or the packet continues',
    TC_ACT_OK: 'the packet continues as if the program had not run',
    TC_ACT_RECLASSIFY: 'treated as TC_ACT_UNSPEC in direct-action mode (TCX_NEXT under tcx)',
    TC_ACT_SHOT: 'the packet is dropped',
    TC_ACT_PIPE: 'treated as TC_ACT_UNSPEC in direct-action mode (TCX_NEXT under tcx)',
    TC_ACT_STOLEN: 'the packet is consumed (freed without a drop count)',
    TC_ACT_QUEUED: 'the packet is consumed',
    TC_ACT_REPEAT: 'treated as TC_ACT_UNSPEC in direct-action mode (TCX_NEXT under tcx)',
    TC_ACT_REDIRECT: 'skb_do_redirect sends the packet to the recorded target',
    TC_ACT_TRAP: 'the packet is consumed',
  };
  return name ? { name, effect: effect[name] } : { name: String(value), effect: 'an unknown action: the packet continues (TCX_NEXT under tcx)' };
}

/** The verdict that makes the recorded redirect happen. */
export function redirectVerdict(type: ProgramType): { value: number; name: string } {
  return type === 'xdp' ? { value: 4, name: 'XDP_REDIRECT' } : { value: 7, name: 'TC_ACT_REDIRECT' };
}

/** The foreign-family name among the names a constant was written as, if any. */
export function foreignVerdictName(type: ProgramType, chain: readonly string[]): string | null {
  if (type === 'sched_cls') return chain.find((n) => /^XDP_(ABORTED|DROP|PASS|TX|REDIRECT)$/.test(n)) ?? null;
  if (type === 'xdp') return chain.find((n) => /^(TC_ACT_[A-Z]+|TCX_(NEXT|PASS|DROP|REDIRECT))$/.test(n)) ?? null;
  return null;
}

/** The same intent in the program's own family, for a quick fix. */
export function equivalentVerdict(type: ProgramType, foreign: string): string | null {
  const toTc: Record<string, string> = { XDP_PASS: 'TC_ACT_OK', XDP_DROP: 'TC_ACT_SHOT', XDP_ABORTED: 'TC_ACT_SHOT', XDP_REDIRECT: 'TC_ACT_REDIRECT' };
  const toXdp: Record<string, string> = {
    TC_ACT_OK: 'XDP_PASS', TC_ACT_SHOT: 'XDP_DROP', TC_ACT_REDIRECT: 'XDP_REDIRECT', TC_ACT_UNSPEC: 'XDP_PASS',
    TCX_PASS: 'XDP_PASS', TCX_DROP: 'XDP_DROP', TCX_REDIRECT: 'XDP_REDIRECT', TCX_NEXT: 'XDP_PASS',
  };
  return (type === 'xdp' ? toXdp : toTc)[foreign] ?? null;
}

/** A flow value as the program's API shows it. */
export function returnValue(v: Value, redirectIndex: (call: number) => number, fallback: Loc): ReturnValue {
  const at = v.origin?.loc ?? fallback;
  const via = [...(v.origin?.via ?? [])];
  switch (v.kind) {
    case 'const': return { kind: 'const', value: v.value, name: v.name, chain: [...v.chain], at, via };
    case 'redirect': return { kind: 'redirect', redirect: redirectIndex(v.call), at, via };
    case 'packet': return { kind: 'unknown', text: 'a packet pointer', at, via };
    case 'unknown': return { kind: 'unknown', text: v.text, at, via };
  }
}
