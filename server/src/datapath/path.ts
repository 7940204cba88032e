// What a walk produces: the hops of one packet path, each with its role and kernel stages.
import type { Attachment, DevKey, DeviceKind, Hook, PathSpec } from '../topology/model';

export type Role = 'ingress' | 'egress';

/** How the packet reached a hop (contract.md `via`; `netkit` is our addition). */
export type Via = 'stack' | 'veth' | 'wire' | 'bridge' | 'redirect' | 'peer-redirect' | 'xdp-redirect' | 'up' | 'netkit';

export type Verdict = 'delivered' | 'dropped' | 'left' | 'loop';

/** The redirect kinds of contract.md's `programs` output. */
export type RedirectKind = 'egress' | 'ingress' | 'peer' | 'neigh' | 'clone-egress' | 'clone-ingress' | 'xdp-egress' | 'map';

/**
 * What one program does with the packet at one hook. The C analysis fills this in; without it
 * every program is `unknown` and the packet goes on.
 */
export type ProgramOutcome =
  | { action: 'unknown'; result: 'unknown'; note?: string }
  | { action: 'pass' | 'next'; result: string; note?: string }
  | { action: 'drop'; result: string; reason: string; line?: number }
  | {
      action: 'redirect'; result: string; helper: string; kind: RedirectKind;
      /** The device named by the helper, when the analysis or the topology knows it. */
      target?: DevKey;
      /** How the target was found (redirect-to, ifindex match), for explanations. */
      targetHow?: string;
      /** The program rewrote the Ethernet destination before redirecting. */
      rewritesL2: boolean;
      line?: number;
    };

export interface ProgramContext {
  attachment: Attachment;
  /** The device and role at which the program runs. */
  dev: DevKey;
  role: Role;
  srcIp: number;
  dstIp: number;
}

export interface ProgramEffects {
  outcome(ctx: ProgramContext): ProgramOutcome;
}

/** Until a C analysis is plugged in: every program runs with an unknown result and the packet continues. */
export const unknownEffects: ProgramEffects = {
  outcome: () => ({ action: 'unknown', result: 'unknown', note: 'the program\'s effect is not analysed; the packet is assumed to continue' }),
};

export interface HookRun {
  hook: Hook;
  prog: string;
  file?: string;
  result: string;
  attachment: Attachment;
  outcome: ProgramOutcome;
}

export interface Hop {
  dev: DevKey;
  name: string;
  ns: string;
  kind: DeviceKind;
  role: Role;
  via: Via;
  hooks: HookRun[];
  stages: string[];
  /** Sentences that explain this hop (proxy ARP answered, frame not addressed here, ...). */
  notes: string[];
  /** Bridge ports that also got a copy (br_flood). */
  copies?: DevKey[];
}

export interface PathResult {
  spec: PathSpec;
  from: string;
  to: string;
  srcIp?: number;
  dstIp?: number;
  verdict: Verdict;
  reason: string | null;
  hops: Hop[];
}
