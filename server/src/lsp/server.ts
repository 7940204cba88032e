// The language server: keeps a Workspace current (open documents, file watching, a background
// index of the workspace folders) and translates LSP requests into calls of the core.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind, DidChangeWatchedFilesNotification, ErrorCodes, FileChangeType, LSPErrorCodes, ResponseError,
  TextDocumentSyncKind, type CancellationToken, type Connection, type Diagnostic as LspDiagnostic,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { createCParser, type CParser } from '../ebpf/parser';
import { isBpfC } from '../inference/load-folder';
import { isLoaderCandidate } from '../inference/loaders';
import { Workspace } from '../inference/workspace';
import { listWorkspaceFiles } from '../inference/workspace-files';
import type { Diagnostic } from '../topology/model';
import { codeActions } from './actions';
import { completion } from './completion';
import type { DocumentContext } from './context';
import { OpenDocuments } from './documents';
import { formatting } from './formatting';
import { graphFor } from './graph';
import { hover } from './hover';
import { codeLenses, verifyLenses } from './lenses';
import { definition, references } from './navigation';
import { importTopology } from '../import/core';
import { realRunner } from '../lab/exec';
import { RequestImport, DEFAULT_SETTINGS, RequestGraph, RequestVerify, StatusNotification, type IndexStatus, type Settings } from './protocol';
import { prepareRename, rename } from './rename';
import { documentSymbols } from './symbols';
import { programInputs } from '../verify/cli';
import { verifyUnsupported } from '../verify/support';
import { verdictTitle, verifyFile, type FileVerification } from '../verify/verify';

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: 'datapath-lens', message: d.message };
}

type Kind = 'topology' | 'c' | 'loader' | undefined;

export function startServer(connection: Connection, opts: { wasmDir?: string } = {}): void {
  const docs = new OpenDocuments();
  let parser: CParser | undefined;
  let ws: Workspace | undefined;
  let settings: Settings = DEFAULT_SETTINGS;
  let roots: string[] = [];
  let watchDynamic = false;
  const status: IndexStatus = { state: 'indexing', files: 0, programs: 0, topologies: 0, skipped: [] };
  const published = new Set<string>();
  let publishTimer: NodeJS.Timeout | undefined;
  /** Files whose URI the client told us (open documents), to answer in its own spelling. */
  const uris = new Map<string, string>();
  /** The last verifier run of each C file (datapathLens/verify), shown until the next one. */
  const verifications = new Map<string, FileVerification>();
  let lensRefresh = false;

  const fileOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
  const uriOf = (file: string) => uris.get(file) ?? pathToFileURL(file).href;

  const kindOf = (file: string, text: string | undefined, languageId?: string): Kind => {
    if (languageId === 'topology' || file.endsWith('.topo')) return 'topology';
    if (text !== undefined && isBpfC(file, text)) return file.endsWith('.c') ? 'c' : undefined;
    if (isLoaderCandidate(file) || matchesLoaderGlob(file)) return 'loader';
    return undefined;
  };

  // The loader globs, compiled once per settings change (the index asks for every file).
  let loaderGlobs: RegExp[] = [];
  const compileGlobs = () => { loaderGlobs = settings.loaderGlobs.map(globToRegExp); };
  const matchesLoaderGlob = (file: string) => loaderGlobs.length > 0 && loaderGlobs.some((g) => g.test(file.split(path.sep).join('/')));

  const readFile = (file: string): string | undefined => {
    const open = docs.get(uriOf(file));
    if (open) return open.getText();
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > settings.maxFileSize) return undefined;
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };

  /** Puts a file's text into the workspace under its kind. */
  const load = (file: string, text: string, languageId?: string): void => {
    if (!ws) return;
    const kind = kindOf(file, text, languageId);
    if (!kind) { if (ws.has(file)) ws.remove(file); return; }
    if (text.length > settings.maxFileSize) {
      status.skipped.push({ file, why: `larger than datapathLens.maxFileSize (${settings.maxFileSize} bytes)` });
      return;
    }
    if (kind === 'topology') ws.setTopology(file, text);
    else if (kind === 'c') ws.setCFile(file, text);
    else ws.setLoader(file, text);
  };

  const context = (uri: string): DocumentContext | undefined => {
    const doc = docs.get(uri);
    if (!doc || !ws) return undefined;
    return { ws, file: fileOf(uri), uri, text: doc.getText(), languageId: doc.languageId === 'topology' || uri.endsWith('.topo') ? 'topology' : doc.languageId, uriOf };
  };

  /** Runs a handler; a throw is logged and that request alone fails (with an empty answer). */
  // DATAPATH_LENS_FAULT=NAME makes handler NAME throw: fault injection for the crash tests.
  const fault = process.env.DATAPATH_LENS_FAULT;
  const guard = <P, R>(name: string, empty: R, fn: (ctx: DocumentContext, p: P, token: CancellationToken) => R) =>
    (p: P & { textDocument: { uri: string } }, token: CancellationToken): R | ResponseError<void> => {
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      const ctx = context(p.textDocument.uri);
      if (!ctx) return empty;
      try {
        if (fault === name) throw new Error(`fault injected into ${name} (DATAPATH_LENS_FAULT)`);
        return fn(ctx, p, token);
      } catch (e) {
        // One handler's failure fails that request only; the server and its state go on.
        connection.console.error(`${name} failed on ${p.textDocument.uri}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `Datapath Lens: ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };

  const schedulePublish = (delay = 120) => {
    if (publishTimer) clearTimeout(publishTimer);
    publishTimer = setTimeout(publish, delay);
  };

  const publish = () => {
    publishTimer = undefined;
    if (!ws) return;
    let all: Diagnostic[];
    try {
      all = [...ws.diagnostics(), ...[...verifications.values()].flatMap((v) => v.diagnostics)];
    } catch (e) {
      connection.console.error(`diagnostics failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return;
    }
    const byFile = new Map<string, Diagnostic[]>();
    for (const d of all) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    // A verified file gets its (maybe empty) list too: the editor learns the run is over.
    for (const file of verifications.keys()) if (!byFile.has(file)) byFile.set(file, []);
    for (const file of published) if (!byFile.has(file)) void connection.sendDiagnostics({ uri: uriOf(file), diagnostics: [] });
    published.clear();
    for (const [file, ds] of byFile) {
      published.add(file);
      const doc = docs.get(uriOf(file));
      void connection.sendDiagnostics({ uri: uriOf(file), ...(doc ? { version: doc.version } : {}), diagnostics: ds.map(toLspDiagnostic) });
    }
    sendStatus();
  };

  const sendStatus = () => {
    if (!ws) return;
    status.files = ws.size();
    status.topologies = ws.topologies().length;
    status.programs = ws.placed().length;
    // A copy: the notification is written later, and the index goes on changing `status`.
    void connection.sendNotification(StatusNotification.type, { ...status, skipped: [...status.skipped] });
  };

  /** Indexes the workspace folders in small slices, so requests are answered meanwhile. */
  const index = async () => {
    const t0 = Date.now();
    status.state = 'indexing';
    status.skipped = [];
    sendStatus();
    const files = roots.flatMap((r) => listWorkspaceFiles(r, { maxBytes: settings.maxFileSize }));
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      if (!docs.get(uriOf(f))) {
        const text = /\.(topo|c|h)$/.test(f) || isLoaderCandidate(f) || matchesLoaderGlob(f) ? readFile(f) : undefined;
        if (text !== undefined) load(f, text);
      }
      if (i % 20 === 19) await new Promise((r) => setImmediate(r));
    }
    status.state = 'ready';
    status.ms = Date.now() - t0;
    schedulePublish(0);
  };

  connection.onInitialize(async (params: InitializeParams) => {
    parser = await createCParser(opts.wasmDir ? { wasmDir: opts.wasmDir } : {});
    ws = new Workspace(parser, readFile, settings.sectionMacros);
    roots = (params.workspaceFolders ?? []).map((f) => fileOf(f.uri));
    if (!roots.length && params.rootUri) roots = [fileOf(params.rootUri)];
    const init = params.initializationOptions as Partial<Settings> | undefined;
    if (init) settings = { ...DEFAULT_SETTINGS, ...init };
    compileGlobs();
    ws.setSectionMacros(settings.sectionMacros);
    lensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    watchDynamic = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: ['@', ' '] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'datapath-lens', version: typeof DATAPATH_LENS_VERSION === 'string' ? DATAPATH_LENS_VERSION : 'dev' },
    };
  });

  connection.onInitialized(() => {
    if (watchDynamic) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] });
    }
    void index();
  });

  connection.onDidChangeConfiguration((p) => {
    const s = (p.settings as { datapathLens?: Partial<Settings> } | undefined)?.datapathLens;
    if (!s || !ws) return;
    const before = settings;
    settings = { ...DEFAULT_SETTINGS, ...s };
    // The client's first sync repeats the initialization options: re-index (and drop the C
    // models) only when a setting the index reads changed.
    const macrosChanged = !sameJson(before.sectionMacros, settings.sectionMacros);
    if (!macrosChanged && sameJson(before.loaderGlobs, settings.loaderGlobs) && before.maxFileSize === settings.maxFileSize) return;
    compileGlobs();
    if (macrosChanged) ws.setSectionMacros(settings.sectionMacros);
    void index();
  });

  connection.onDidOpenTextDocument((p) => {
    const d = docs.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
    const file = fileOf(d.uri);
    uris.set(file, d.uri);
    load(file, d.getText(), d.languageId);
    schedulePublish(0);
  });

  connection.onDidChangeTextDocument((p) => {
    const before = docs.get(p.textDocument.uri);
    const d = docs.change(p.textDocument.uri, p.textDocument.version, p.contentChanges);
    if (!d || !ws) return;
    const file = fileOf(d.uri);
    const kind = kindOf(file, d.getText(), d.languageId);
    // A C document keeps its tree: the content changes go to tree-sitter's edit API.
    if (kind === 'c' && before && ws.cFiles().includes(file)) ws.editCFile(file, p.contentChanges.map((c) => ('range' in c ? { range: c.range, text: c.text } : { text: c.text })));
    else load(file, d.getText(), d.languageId);
    schedulePublish();
  });

  connection.onDidCloseTextDocument((p) => {
    docs.close(p.textDocument.uri);
    const file = fileOf(p.textDocument.uri);
    const text = readFile(file);
    if (text === undefined) ws?.remove(file);
    else load(file, text);
    schedulePublish();
  });

  connection.onDidChangeWatchedFiles((p) => {
    if (!ws) return;
    for (const c of p.changes) {
      const file = fileOf(c.uri);
      // A header read by C files of the workspace (it is no file of the workspace itself).
      ws.headerChanged(file);
      if (docs.get(c.uri)) continue;
      if (c.type === FileChangeType.Deleted) { ws.remove(file); continue; }
      const text = readFile(file);
      if (text !== undefined) load(file, text);
    }
    schedulePublish();
  });

  connection.onHover(guard('hover', null, (ctx, p: { position: { line: number; character: number } }) => withVerifierStates(hover(ctx, p.position), verifications.get(ctx.file), p.position.line)));
  connection.onCodeLens(guard('codeLens', [], (ctx) => [...codeLenses(ctx), ...verifyLenses(verifications.get(ctx.file))]));
  // Import reads the machine's network state (ip, tc, bpftool): the client asks only in a trusted workspace.
  connection.onRequest(RequestImport.type, (p: RequestImport.Params): RequestImport.Result => {
    try {
      const r = importTopology({ ...(p.netns?.length ? { netns: p.netns } : { allNetns: true }), sources: ws?.cFiles() ?? [], outDir: roots[0] ?? process.cwd(), run: realRunner });
      return { text: r.text, unreadable: r.unreadable, namespaces: r.namespaces };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e), unreadable: [], namespaces: 0 };
    }
  });
  connection.onRequest(RequestVerify.type, (p: RequestVerify.Params): RequestVerify.Result => {
    const t0 = Date.now();
    const file = fileOf(p.textDocument.uri);
    const unsupported = verifyUnsupported();
    if (unsupported || !ws) return { unsupported: unsupported ?? 'the language server is not initialized yet', programs: [], errors: 0, ms: Date.now() - t0 };
    const text = readFile(file);
    if (text === undefined) return { unsupported: `cannot read ${file}`, programs: [], errors: 0, ms: Date.now() - t0 };
    if (!ws.cFiles().includes(file)) load(file, text);
    const root = roots.find((r) => file.startsWith(r + path.sep)) ?? path.dirname(file);
    let v: FileVerification;
    try {
      v = verifyFile(file, text, programInputs(ws, file), { root });
    } catch (e) {
      connection.console.error(`verify failed on ${file}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return { unsupported: `verifying failed: ${e instanceof Error ? e.message : String(e)}`, programs: [], errors: 0, ms: Date.now() - t0 };
    }
    verifications.set(file, v);
    publish();
    if (lensRefresh) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    return {
      programs: v.programs.map((x) => ({ name: x.name, line: x.line, status: x.status, title: verdictTitle(x) })),
      errors: v.diagnostics.filter((d) => d.severity === 'error').length, ms: Date.now() - t0,
    };
  });
  connection.onCompletion(guard('completion', [], (ctx, p: { position: { line: number; character: number } }) => completion(ctx, p.position)));
  connection.onDefinition(guard('definition', [], (ctx, p: { position: { line: number; character: number } }) => definition(ctx, p.position)));
  connection.onReferences(guard('references', [], (ctx, p: { position: { line: number; character: number }; context: { includeDeclaration: boolean } }) => references(ctx, p.position, p.context.includeDeclaration)));
  connection.onDocumentSymbol(guard('documentSymbol', [], (ctx) => documentSymbols(ctx)));
  connection.onPrepareRename(guard('prepareRename', null, (ctx, p: { position: { line: number; character: number } }) => prepareRename(ctx, p.position)));
  connection.onRenameRequest(guard('rename', null, (ctx, p: { position: { line: number; character: number }; newName: string }) => rename(ctx, p.position, p.newName)));
  connection.onDocumentFormatting(guard('formatting', [], (ctx) => formatting(ctx)));
  connection.onRequest(RequestGraph.type, guard('graph', null, (ctx, p: RequestGraph.Params) => graphFor(ctx, p.line)));
  connection.onCodeAction(guard('codeAction', [], (ctx, p: { range: LspDiagnostic['range']; context: { diagnostics: LspDiagnostic[] } }) => codeActions(ctx, p.range, p.context.diagnostics)));

  connection.listen();
}

declare const DATAPATH_LENS_VERSION: string;

type HoverResult = ReturnType<typeof hover>;

/** On a line the verifier rejected: its message, the explanation and its last states, after any other hover. */
function withVerifierStates(h: HoverResult, v: FileVerification | undefined, line: number): HoverResult {
  const p = v?.programs.find((x) => x.failure?.line === line + 1);
  if (!p?.failure) return h;
  const f = p.failure;
  const md = [
    `**Verifier** — \`${p.name}\` rejected: \`${f.message}\``,
    ...(f.explanation ? [f.explanation] : []),
    ...(f.states.length ? ['Last verifier states before the failure:', '```\n' + [...f.states, ...f.detail].join('\n') + '\n```'] : []),
  ].join('\n\n');
  const before = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value + '\n\n---\n\n' : '';
  return { ...(h ?? {}), contents: { kind: 'markdown', value: before + md } };
}

/** Settings compared by value: each sync sends fresh arrays. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `**` any folders, `*` any name part, `?` one character. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; if (glob[i + 1] === '/') i++; }
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(^|/)${re}$`);
}

