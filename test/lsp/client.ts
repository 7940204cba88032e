// A minimal LSP client for tests: spawns the real server bundle and speaks JSON-RPC to it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const root = path.resolve(__dirname, '../..');
export const uri = (file: string) => pathToFileURL(file).href;

export interface PublishedDiagnostics { uri: string; diagnostics: Array<{ range: { start: { line: number; character: number } }; code: string; severity: number; message: string }> }

export class TestClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly diagnostics = new Map<string, PublishedDiagnostics['diagnostics']>();
  readonly statuses: Array<{ state: string; files: number; programs: number }> = [];
  readonly logs: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(args: string[] = ['lsp', '--stdio'], env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc.stderr!.on('data', (d) => this.logs.push(String(d)));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.wake();
    });
    this.conn.onNotification('datapathLens/status', (s: { state: string; files: number; programs: number }) => { this.statuses.push(s); this.wake(); });
    this.conn.onNotification('window/logMessage', (m: { message: string }) => { this.logs.push(m.message); });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('workspace/configuration', () => []);
    this.conn.listen();
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `cond` holds, re-checking on every notification; fails after `ms`. */
  async until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 100); });
    }
  }

  async initialize(folder: string, initializationOptions?: object): Promise<unknown> {
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid, rootUri: uri(folder), workspaceFolders: [{ uri: uri(folder), name: path.basename(folder) }],
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { hover: { contentFormat: ['markdown'] } } },
      initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  async ready(): Promise<void> {
    await this.until(() => this.statuses.some((s) => s.state === 'ready'), 20_000, 'the index');
  }

  open(file: string, text: string, languageId = file.endsWith('.topo') ? 'topology' : 'c', version = 1): void {
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId, version, text } });
  }

  change(file: string, version: number, changes: Array<{ range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }>): void {
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: changes });
  }

  request<R>(method: string, params: object): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => (this.proc.exitCode !== null ? r() : this.proc.once('exit', () => r())));
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch { /* already gone */ }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    this.conn.dispose();
    this.proc.kill();
  }
}
