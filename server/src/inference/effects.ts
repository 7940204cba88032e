// The engine's ProgramEffects from the C analysis: what each attached program does with a
// packet, following the kernel's reading of its return value at that hook.
import type { ProgramContext, ProgramEffects, ProgramOutcome } from '../datapath/path';
import { TC_NAMES, XDP_NAMES } from '../ebpf/returns';
import type { Attachment, Hook, Topology } from '../topology/model';
import { progTypeOfHook } from './placement';
import type { ProgramModel, ReturnFacts } from './program';
import type { MapDecl } from './map-decls';
import { resolveTarget } from './targets';

const TCX_NAMES: Record<number, string> = { [-1]: 'TCX_NEXT', 0: 'TCX_PASS', 2: 'TCX_DROP', 7: 'TCX_REDIRECT' };
const NETKIT_NAMES: Record<number, string> = { [-1]: 'NETKIT_NEXT', 0: 'NETKIT_PASS', 2: 'NETKIT_DROP', 7: 'NETKIT_REDIRECT' };

/** How the kernel reads a return value at a hook (tcx_action_code, tc_run, bpf_prog_run_xdp). */
export function verdictOfValue(value: number, hook: Hook): { action: 'pass' | 'next' | 'drop' | 'unknown'; name: string; why?: string } {
  if (hook === 'xdp' || hook === 'xdp-generic') {
    const name = XDP_NAMES[value] ?? `${value}`;
    if (value === 2) return { action: 'pass', name };
    if (value === 1) return { action: 'drop', name, why: `returns ${name}: ${hook === 'xdp-generic' ? 'do_xdp_generic drops the packet' : 'the driver drops the frame'}` };
    if (value === 0) return { action: 'drop', name, why: `returns ${name} (0): the frame is dropped and the trace_xdp_exception tracepoint fires` };
    if (value === 3) return { action: 'drop', name, why: `returns ${name}: the frame is sent back out of the device it came in on` };
    return { action: 'drop', name, why: `returns ${value}, not an XDP action: bpf_warn_invalid_xdp_action, the frame is dropped` };
  }
  if (hook.startsWith('netkit-')) {
    // netkit_run stops at the first code other than NETKIT_NEXT; netkit_xmit then passes NEXT
    // and PASS, redirects on REDIRECT and drops everything else (drivers/net/netkit.c).
    const name = NETKIT_NAMES[value] ?? `${TC_NAMES[value] ?? value}`;
    if (value === -1) return { action: 'next', name };
    if (value === 0) return { action: 'pass', name };
    if (value === 2) return { action: 'drop', name, why: `returns ${name}: netkit_xmit drops the packet (${hook})` };
    if (value === 7) return { action: 'pass', name, why: 'NETKIT_REDIRECT without a redirect helper: nothing was recorded' };
    return { action: 'drop', name, why: `returns ${name}, which netkit does not know (only NETKIT_NEXT, PASS, DROP, REDIRECT): netkit_xmit drops the packet` };
  }
  if (hook.startsWith('tcx-')) {
    // tcx_action_code: every code but -1/0/2/7 becomes TCX_NEXT.
    const name = TCX_NAMES[value] ?? `${TC_NAMES[value] ?? value} (read as TCX_NEXT)`;
    if (value === 0) return { action: 'pass', name };
    if (value === 2) return { action: 'drop', name, why: `returns ${name}: the packet is dropped at ${hook}` };
    if (value === 7) return { action: 'pass', name, why: 'TCX_REDIRECT without a redirect helper: nothing was recorded' };
    return { action: 'next', name };
  }
  const name = TC_NAMES[value] ?? `${value}`;
  if (value === 0) return { action: 'pass', name };
  if (value === 2) return { action: 'drop', name, why: `returns ${name}: the packet is dropped at ${hook}` };
  if (value === 4 || value === 5) return { action: 'drop', name, why: `returns ${name}: the packet is consumed` };
  if (value === 7) return { action: 'pass', name, why: 'TC_ACT_REDIRECT without a redirect helper: nothing was recorded' };
  // In direct-action mode TC_ACT_RECLASSIFY / TC_ACT_PIPE become TC_ACT_UNSPEC: the next filter.
  return { action: 'next', name };
}

export class AnalysisEffects implements ProgramEffects {
  constructor(
    private readonly topo: Topology,
    private readonly find: (a: Attachment) => ProgramModel | undefined,
    /** The maps a C file declares, for `map` lines that name redirect targets. */
    private readonly mapsOf?: (file: string) => MapDecl[] | undefined,
  ) {}

  outcome(ctx: ProgramContext): ProgramOutcome {
    const a = ctx.attachment;
    const p = this.find(a);
    if (!p) return { action: 'unknown', result: 'unknown', note: `program ${a.prog} was not found${a.file ? ` in ${a.file}` : ''}` };
    if ((p.progType === 'xdp' || p.progType === 'sched_cls') && p.progType !== progTypeOfHook(a.hook)) {
      return { action: 'next', result: 'not attached', note: `SEC("${p.section}") is a ${p.progType} program: the kernel refuses to attach it at ${a.hook}` };
    }
    const xdp = a.hook === 'xdp' || a.hook === 'xdp-generic';
    const redirect = p.redirects.find((r) => r.resultUsed && !r.kind.startsWith('clone'));
    if (redirect) {
      const line = redirect.range.start.line + 1;
      if (!redirect.flagsLegal) {
        return { action: 'drop', result: xdp ? 'XDP_ABORTED' : 'TC_ACT_SHOT', line, reason: `${redirect.helper}(…, ${redirect.flagsText}) on line ${line}: the helper refuses these flags and returns ${xdp ? 'XDP_ABORTED' : 'TC_ACT_SHOT'}, so the packet is dropped` };
      }
      const target = resolveTarget(redirect, a, this.topo, { dstIp: ctx.dstIp, file: p.file, maps: this.mapsOf?.(p.file) });
      if (target.miss) {
        // No target for this packet: the program takes its other way out (a lookup-miss return).
        const o = this.fromReturns(p, a.hook);
        return { ...o, note: [('note' in o ? o.note : undefined), `no redirect: ${target.how}`].filter(Boolean).join('; ') } as ProgramOutcome;
      }
      return {
        action: 'redirect', result: xdp ? 'XDP_REDIRECT' : a.hook.startsWith('tcx-') ? 'TCX_REDIRECT' : a.hook.startsWith('netkit-') ? 'NETKIT_REDIRECT' : 'TC_ACT_REDIRECT',
        helper: redirect.helper, kind: redirect.kind, rewritesL2: redirect.l2Rewritten, line,
        ...(target.dev ? { target: target.dev.key } : {}), targetHow: target.how,
      };
    }
    return this.fromReturns(p, a.hook);
  }

  /** No redirect taken: the verdict of the last return whose value is known. */
  private fromReturns(p: ProgramModel, hook: Hook): ProgramOutcome {
    const known = p.returns.filter((r): r is ReturnFacts & { value: number } => r.value !== undefined);
    if (!known.length) return { action: 'unknown', result: 'unknown', note: `${p.name}'s return value is computed at run time` };
    const verdicts = known.map((r) => verdictOfValue(r.value, hook));
    const last = verdicts[verdicts.length - 1];
    const others = [...new Set(verdicts.map((v) => v.name))].filter((n) => n !== last.name);
    const note = others.length ? `other branches return ${others.join(', ')}` : undefined;
    if (last.action === 'drop') return { action: 'drop', result: last.name, reason: `${p.name} ${last.why}`, line: known[known.length - 1].range.start.line + 1 };
    if (last.action === 'unknown') return { action: 'unknown', result: 'unknown', note: `returns ${last.name}` };
    return { action: last.action, result: last.name, ...(note || last.why ? { note: [last.why, note].filter(Boolean).join('; ') } : {}) };
  }
}
