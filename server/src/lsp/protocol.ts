// Custom messages between the client and the server (vscode-eslint's customMessages way):
// one place names each method and its payload, and both sides import it.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { GraphView } from './graph';

export interface IndexStatus {
  state: 'indexing' | 'ready';
  files: number;
  programs: number;
  topologies: number;
  /** Milliseconds the last full index took. */
  ms?: number;
  /** Files skipped (too large, unreadable), with why. */
  skipped: Array<{ file: string; why: string }>;
}

export namespace StatusNotification {
  export const method = 'datapathLens/status';
  export const type = new NotificationType<IndexStatus>(method);
}

export interface Settings {
  sectionMacros: string[];
  loaderGlobs: string[];
  maxFileSize: number;
}

export const DEFAULT_SETTINGS: Settings = { sectionMacros: [], loaderGlobs: [], maxFileSize: 1024 * 1024 };

/**
 * The preview's picture of a document (graph.ts): the path under `line` of a topology, or the
 * topologies whose paths run the C program under `line`. The document is named the way every
 * LSP request names it (`textDocument.uri`), so the server's request guard finds it.
 */
export namespace RequestGraph {
  export const method = 'datapathLens/graph';
  export interface Params { textDocument: { uri: string }; line?: number }
  export const type = new RequestType<Params, GraphView | null, void>(method);
}

/**
 * Compile the C document and load its programs into the kernel's verifier (server/src/verify).
 * The result is also kept by the server: diagnostics and code lenses show it until the next run.
 */
export namespace RequestVerify {
  export const method = 'datapathLens/verify';
  export interface Params { textDocument: { uri: string } }
  export interface ProgramResult { name: string; line: number; status: 'verified' | 'rejected' | 'not-verified'; title: string }
  export interface Result {
    /** Why this machine cannot verify (what is missing and how to get it), when it cannot. */
    unsupported?: string;
    programs: ProgramResult[];
    errors: number;
    /** Milliseconds from the request to the result. */
    ms: number;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

export namespace RequestImport {
  export const method = 'datapathLens/import';
  /** Which namespaces to read: every one (default), or these. */
  export interface Params { netns?: string[] }
  export interface Result {
    /** The topology text, or undefined when the import failed (see `error`). */
    text?: string;
    error?: string;
    /** What could not be read (without root: other namespaces, bpftool, ip_forward). */
    unreadable: string[];
    namespaces: number;
  }
  export const type = new RequestType<Params, Result, void>(method);
}
