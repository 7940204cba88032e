// The facts about one eBPF program that inference, diagnostics and the engine use: what the
// C analysis found, in the shape the rest of the core needs (ebpf/ stays free to change).
import type { RedirectKind } from '../datapath/path';
import type { Diagnostic, Range } from '../topology/model';
import type { ProgramFacts } from './placement';

export interface RedirectFacts {
  helper: string;
  kind: RedirectKind;
  /** The call as the program writes it (the wrapper call when reached through one). */
  range: Range;
  /** Where the helper itself is written, when reached through a wrapper or macro. */
  innerRange?: Range;
  innerFile?: string;
  flagsText: string;
  /** Where the flags argument is written in the program's own file (for quick fixes). */
  flagsRange?: Range;
  flagsValue?: number;
  flagsLegal: boolean;
  /** The ifindex argument when it is a constant (literal, macro, enum, const). */
  ifindex?: number;
  ifindexText: string;
  /** False when no path returns the helper's result (or TC_ACT_REDIRECT / XDP_REDIRECT). */
  resultUsed: boolean;
  /** The program rewrote the Ethernet destination before this call. */
  l2Rewritten: boolean;
}

export interface ReturnFacts {
  range: Range;
  text: string;
  /** The constant returned, when known. */
  value?: number;
  /** The name written (TC_ACT_OK), when a named constant. */
  name?: string;
  /** A helper whose result is returned. */
  helper?: string;
}

export interface ProgramModel extends ProgramFacts {
  range: Range;
  redirects: RedirectFacts[];
  returns: ReturnFacts[];
  helpers: string[];
}

export interface CFileModel {
  file: string;
  programs: ProgramModel[];
  /** Findings that need no hook: bad flags, ignored results, wrong return codes, helpers. */
  diagnostics: Diagnostic[];
}
