// BPF helper calls: which helper a call names (also under Cilium's short and ctx_ names),
// and which program types the kernel lets call it (the verifier asks each program type's
// get_func_proto: tc_cls_act_func_proto, xdp_func_proto).
import type { CallSite, Loc } from './locations';
import type { ProgramType } from './sections';

/** An argument as written, and the number it is when that is known. */
export interface ArgValue {
  text: string;
  /** The number, when every path gives the same one; null when dynamic. */
  value: number | null;
  /** Every number it can be, when it is one of a few constants (a ternary, a variable). */
  values: number[] | null;
  /** The name written (`BPF_F_INGRESS`) and what it was defined as, when it is a constant name. */
  names: string[];
  /** Where the argument is written. */
  loc: Loc;
  /** Where its value is written, when that is elsewhere (the caller's argument for a wrapper parameter). */
  origin: Loc;
}

export interface HelperCall {
  /** The kernel helper, e.g. bpf_redirect (also for Cilium's `redirect`, `ctx_redirect`). */
  helper: string;
  /** The name at the call as written. */
  calledAs: string;
  /**
   * In the program: the call itself, or the call of the outermost inline function or macro
   * through which the program reaches it.
   */
  range: Loc['range'];
  /** Where the helper call is written (a wrapper's body, a header, or the macro's #define). */
  at: Loc;
  /** Inline functions and macros from the program down to the call, outermost first. */
  via: CallSite[];
  args: ArgValue[];
}

export interface HelperTarget {
  helper: string;
  /** For wrappers: which of the wrapper's arguments are the helper's, in order. */
  args?: number[];
}

// Cilium's bpf/include/bpf/helpers_{skb,xdp}.h and ctx/{skb,xdp}.h, used when their headers
// are not among those given: short helper names and thin ctx_ wrappers.
const CILIUM_SHORT = new Set(['redirect', 'redirect_peer', 'redirect_neigh', 'clone_redirect', 'redirect_map', 'skb_store_bytes', 'xdp_store_bytes', 'skb_load_bytes', 'fib_lookup', 'tail_call']);
const CILIUM_WRAPPERS: Record<string, { tc: HelperTarget; xdp: HelperTarget }> = {
  ctx_redirect: { tc: { helper: 'bpf_redirect', args: [1, 2] }, xdp: { helper: 'bpf_redirect', args: [1, 2] } },
  ctx_redirect_peer: { tc: { helper: 'bpf_redirect_peer', args: [1, 2] }, xdp: { helper: 'bpf_redirect_peer', args: [1, 2] } },
  ctx_store_bytes: { tc: { helper: 'bpf_skb_store_bytes' }, xdp: { helper: 'bpf_xdp_store_bytes' } },
  // eth_store_daddr(ctx, mac, off) → ctx_store_bytes(ctx, off, mac, ETH_ALEN, 0)
  eth_store_daddr: { tc: { helper: 'bpf_skb_store_bytes', args: [0, 2, 1] }, xdp: { helper: 'bpf_xdp_store_bytes', args: [0, 2, 1] } },
};

/** The helper a call of `name` reaches when no function or macro of that name is defined. */
export function helperFor(name: string, shortHelpers: ReadonlySet<string>, type: ProgramType): HelperTarget | null {
  if (name.startsWith('bpf_')) return { helper: name };
  if (shortHelpers.has(name) || CILIUM_SHORT.has(name)) return { helper: `bpf_${name}` };
  const w = CILIUM_WRAPPERS[name];
  if (w) return type === 'xdp' ? w.xdp : w.tc;
  return null;
}

/** The redirect helpers whose return value is the verdict that makes the redirect happen. */
export const VERDICT_REDIRECT_HELPERS = new Set(['bpf_redirect', 'bpf_redirect_peer', 'bpf_redirect_neigh', 'bpf_redirect_map']);
/** Helpers that write packet bytes at an offset: (ctx, offset, from, len, flags). */
export const STORE_BYTES_HELPERS = new Set(['bpf_skb_store_bytes', 'bpf_xdp_store_bytes']);
export const MEMCPY_FUNCTIONS = new Set(['memcpy', '__builtin_memcpy', 'memmove', '__builtin_memmove', '__bpf_memcpy', '__bpf_memcpy_builtin']);

// skb-only helpers an XDP program cannot call: xdp_func_proto has none of them.
const SKB_ONLY = new Set(['bpf_redirect_peer', 'bpf_redirect_neigh', 'bpf_clone_redirect', 'bpf_l3_csum_replace', 'bpf_l4_csum_replace']);

export interface HelperRefusal {
  /** What the kernel does, and what to use instead. */
  reason: string;
}

/** Why the verifier refuses this helper in this program type, or null when it is allowed (or we cannot tell). */
export function helperRefusal(helper: string, type: ProgramType): HelperRefusal | null {
  if (type === 'xdp' && (SKB_ONLY.has(helper) || helper.startsWith('bpf_skb_'))) {
    const instead: Record<string, string> = {
      bpf_redirect_peer: 'in XDP use bpf_redirect() or bpf_redirect_map() (the target transmits via ndo_xdp_xmit), or move this to a tc ingress program',
      bpf_redirect_neigh: 'in XDP use bpf_fib_lookup() to fill the MAC addresses, then bpf_redirect()',
      bpf_clone_redirect: 'XDP cannot clone a packet; use a tc program',
      bpf_skb_store_bytes: 'use bpf_xdp_store_bytes() or write through the packet pointer',
      bpf_skb_load_bytes: 'use bpf_xdp_load_bytes() or read through the packet pointer',
    };
    return { reason: `XDP runs before any sk_buff exists, so xdp_func_proto does not offer ${helper}(); ${instead[helper] ?? 'use the XDP equivalent or a tc program'}` };
  }
  if (type === 'sched_cls' && helper.startsWith('bpf_xdp_')) {
    return { reason: `A tc program has an sk_buff, not an XDP buffer: tc_cls_act_func_proto does not offer ${helper}(); use the bpf_skb_* equivalent` };
  }
  if (type === 'sched_cls' && helper === 'bpf_redirect_map') {
    return { reason: 'Only XDP programs get bpf_redirect_map() (tc_cls_act_func_proto does not offer it); at tc, look the ifindex up in a map and call bpf_redirect()' };
  }
  return null;
}
