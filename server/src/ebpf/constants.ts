// Names that stand for numbers: `#define`s (chained, with arithmetic and function-like
// macros), enumerators (with implicit increments), `const` globals, and the kernel uapi
// values a BPF program gets from headers we do not read (linux/pkt_cls.h, linux/bpf.h,
// linux/if_ether.h). Definitions in the analyzed text win over the built-in ones.
import { MacroTable, expandMacro } from './defines';
import { evaluate, type EvalHooks } from './expressions';
import type { Span } from './locations';
import type { Value } from './values';

/** Which verdict family a program returns: Cilium's CTX_ACT_* depend on it. */
export type VerdictFamily = 'tc' | 'xdp' | 'other';

export const KERNEL_CONSTANTS: Readonly<Record<string, number>> = {
  // include/uapi/linux/pkt_cls.h
  TC_ACT_UNSPEC: -1, TC_ACT_OK: 0, TC_ACT_RECLASSIFY: 1, TC_ACT_SHOT: 2, TC_ACT_PIPE: 3,
  TC_ACT_STOLEN: 4, TC_ACT_QUEUED: 5, TC_ACT_REPEAT: 6, TC_ACT_REDIRECT: 7, TC_ACT_TRAP: 8,
  // include/uapi/linux/bpf.h: enum tcx_action_base, enum xdp_action
  TCX_NEXT: -1, TCX_PASS: 0, TCX_DROP: 2, TCX_REDIRECT: 7,
  XDP_ABORTED: 0, XDP_DROP: 1, XDP_PASS: 2, XDP_TX: 3, XDP_REDIRECT: 4,
  // redirect and helper flags
  BPF_F_INGRESS: 1, BPF_F_BROADCAST: 8, BPF_F_EXCLUDE_INGRESS: 16,
  BPF_F_RECOMPUTE_CSUM: 1, BPF_F_INVALIDATE_HASH: 2, BPF_F_HDR_FIELD_MASK: 0xf,
  BPF_F_PSEUDO_HDR: 16, BPF_F_MARK_MANGLED_0: 32, BPF_F_MARK_ENFORCE: 64,
  BPF_F_CURRENT_CPU: 0xffffffff, BPF_ANY: 0, BPF_NOEXIST: 1, BPF_EXIST: 2,
  BPF_ADJ_ROOM_NET: 0, BPF_ADJ_ROOM_MAC: 1,
  BPF_FIB_LOOKUP_DIRECT: 1, BPF_FIB_LOOKUP_OUTPUT: 2, BPF_FIB_LKUP_RET_SUCCESS: 0,
  BPF_FIB_LKUP_RET_NO_NEIGH: 7,
  // include/uapi/linux/if_ether.h, if_packet.h, in.h
  ETH_ALEN: 6, ETH_HLEN: 14, ETH_P_IP: 0x0800, ETH_P_IPV6: 0x86dd, ETH_P_ARP: 0x0806,
  ETH_P_8021Q: 0x8100, ETH_P_8021AD: 0x88a8,
  PACKET_HOST: 0, PACKET_BROADCAST: 1, PACKET_MULTICAST: 2, PACKET_OTHERHOST: 3,
  IPPROTO_ICMP: 1, IPPROTO_TCP: 6, IPPROTO_UDP: 17, IPPROTO_ICMPV6: 58,
  NULL: 0, true: 1, false: 0,
};

// Cilium's bpf/include/bpf/ctx/{skb,xdp}.h: one name, two verdict families.
const CTX_ACTIONS: Readonly<Record<string, { tc: string; xdp: string }>> = {
  CTX_ACT_OK: { tc: 'TC_ACT_OK', xdp: 'XDP_PASS' },
  CTX_ACT_DROP: { tc: 'TC_ACT_SHOT', xdp: 'XDP_DROP' },
  CTX_ACT_TX: { tc: 'TC_ACT_REDIRECT', xdp: 'XDP_TX' },
  CTX_ACT_REDIRECT: { tc: 'TC_ACT_REDIRECT', xdp: 'XDP_REDIRECT' },
};

export interface ConstResult {
  value: number;
  /** The name asked for, then the names it was defined as: CTX_ACT_OK → TC_ACT_OK. */
  chain: string[];
}

/** One `enum { … }` body: its enumerators in order, evaluated together on first use. */
export interface EnumList { entries: Array<{ name: string; expr: string | null }> }

export interface GlobalConst { name: string; expr: string }

export class ConstantScope {
  private readonly memo = new Map<string, ConstResult | null>();
  private readonly busy = new Set<string>();
  private readonly enumOf = new Map<string, EnumList>();
  private readonly enumValues = new Map<EnumList, Map<string, number | null>>();

  constructor(
    readonly macros: MacroTable,
    enums: readonly EnumList[],
    private readonly globals: ReadonlyMap<string, GlobalConst>,
  ) {
    for (const list of enums) for (const e of list.entries) if (!this.enumOf.has(e.name)) this.enumOf.set(e.name, list);
  }

  resolve(name: string, family: VerdictFamily): ConstResult | null {
    const key = `${family}:${name}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    if (this.busy.has(key)) return null;
    this.busy.add(key);
    let r: ConstResult | null = null;
    try { r = this.compute(name, family); } finally { this.busy.delete(key); }
    this.memo.set(key, r);
    return r;
  }

  /** A function-like macro call folded to a number (`BIT(3)`), or null. */
  foldMacroCall(name: string, args: readonly string[], family: VerdictFamily): ConstResult | null {
    const def = this.macros.get(name);
    if (!def || !def.params) return null;
    return this.foldText(expandMacro(def, args), family, name);
  }

  /** Evaluate text where every identifier must be a constant. */
  foldText(text: string, family: VerdictFamily, as: string | null = null, depth = 0): ConstResult | null {
    const vals = evaluate(text, { start: 0, end: text.length }, this.hooks(text, family, depth));
    if (vals.length !== 1 || vals[0].kind !== 'const') return null;
    const v = vals[0];
    const chain = v.name ? [v.name, ...v.chain.filter((c) => c !== v.name)] : [];
    return { value: v.value, chain: as ? [as, ...chain] : chain };
  }

  private compute(name: string, family: VerdictFamily): ConstResult | null {
    const def = this.macros.get(name);
    if (def) {
      if (def.params) return null;
      return this.foldText(def.body, family, name);
    }
    const list = this.enumOf.get(name);
    if (list) {
      const value = this.enumValuesOf(list, family).get(name);
      return value === undefined || value === null ? null : { value, chain: [name] };
    }
    const g = this.globals.get(name);
    if (g) return this.foldText(g.expr, family, name);
    const ctx = CTX_ACTIONS[name];
    if (ctx && family !== 'other') {
      const target = ctx[family];
      return { value: KERNEL_CONSTANTS[target], chain: [name, target] };
    }
    if (Object.prototype.hasOwnProperty.call(KERNEL_CONSTANTS, name)) return { value: KERNEL_CONSTANTS[name], chain: [name] };
    return null;
  }

  private enumValuesOf(list: EnumList, family: VerdictFamily): Map<string, number | null> {
    let m = this.enumValues.get(list);
    if (m) return m;
    const values = new Map<string, number | null>();
    m = values;
    this.enumValues.set(list, values);
    let next: number | null = 0;
    for (const e of list.entries) {
      let v: number | null = next;
      if (e.expr !== null) {
        // Earlier enumerators of the same list are known here even while one of them is being resolved.
        const hooks = this.hooks(e.expr, family, 0);
        const outer = hooks.ident;
        hooks.ident = (id, span) => {
          const own = values.get(id);
          return own !== undefined && own !== null ? [{ kind: 'const', value: own, name: id, chain: [id], origin: null }] : outer(id, span);
        };
        const r = evaluate(e.expr, { start: 0, end: e.expr.length }, hooks);
        v = r.length === 1 && r[0].kind === 'const' ? r[0].value : null;
      }
      values.set(e.name, v);
      next = v === null ? null : v + 1;
    }
    return values;
  }

  private hooks(text: string, family: VerdictFamily, depth: number): EvalHooks {
    return {
      ident: (id: string): Value[] | undefined => {
        const r = this.resolve(id, family);
        return r ? [{ kind: 'const', value: r.value, name: id, chain: r.chain, origin: null }] : undefined;
      },
      call: (fn: string | null, _span: Span, args: Span[]): Value[] | undefined => {
        if (!fn || depth > 16) return undefined;
        const def = this.macros.get(fn);
        if (!def || !def.params) return undefined;
        const r = this.foldText(expandMacro(def, args.map((a) => text.slice(a.start, a.end))), family, null, depth + 1);
        return r ? [{ kind: 'const', value: r.value, name: null, chain: [], origin: null }] : undefined;
      },
      origin: () => null,
    };
  }
}
