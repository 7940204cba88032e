// The VS Code side stays thin: start the language server, show its state, wire commands.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, State, TransportKind,
  type ErrorHandler, type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import { DEFAULT_SETTINGS, RequestImport, RequestVerify, StatusNotification, type IndexStatus, type Settings } from '../../server/src/lsp/protocol';
import { Preview } from './preview';

let client: LanguageClient | undefined;

function settings(): Settings {
  const c = vscode.workspace.getConfiguration('datapathLens');
  return {
    sectionMacros: c.get<string[]>('sectionMacros', DEFAULT_SETTINGS.sectionMacros),
    loaderGlobs: c.get<string[]>('loaderGlobs', DEFAULT_SETTINGS.loaderGlobs),
    maxFileSize: c.get<number>('maxFileSize', DEFAULT_SETTINGS.maxFileSize),
  };
}

/** Restarts a crashed server (up to 5 times in 3 minutes) and says so. */
class RestartingErrorHandler implements ErrorHandler {
  private restarts: number[] = [];
  constructor(private readonly output: vscode.LogOutputChannel) {}
  error() {
    return { action: ErrorAction.Continue };
  }
  closed() {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 180_000);
    this.restarts.push(now);
    if (this.restarts.length > 5) {
      const message = 'Datapath Lens: the language server crashed 5 times in 3 minutes and will not be restarted. See the "Datapath Lens" output.';
      void vscode.window.showErrorMessage(message, 'Restart').then((a) => a && vscode.commands.executeCommand('datapathLens.restartServer'));
      return { action: CloseAction.DoNotRestart, message };
    }
    this.output.warn('the language server stopped; restarting it.');
    void vscode.window.showWarningMessage('Datapath Lens: the language server stopped unexpectedly and was restarted.');
    return { action: CloseAction.Restart, handled: true };
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Datapath Lens', { log: true });
  const status = vscode.window.createStatusBarItem('datapathLens.status', vscode.StatusBarAlignment.Left, 0);
  status.name = 'Datapath Lens';
  status.command = 'datapathLens.restartServer';
  status.text = '$(sync~spin) Datapath Lens';
  status.tooltip = 'Datapath Lens: starting the language server';
  status.show();
  context.subscriptions.push(output, status);

  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // The server reads files where they are: a remote or container workspace keeps it there.
    documentSelector: [
      { scheme: 'file', language: 'topology' },
      { scheme: 'file', language: 'c' },
    ],
    initializationOptions: settings(),
    synchronize: { configurationSection: 'datapathLens' },
    outputChannel: output,
    errorHandler: new RestartingErrorHandler(output),
  };
  client = new LanguageClient('datapathLens', 'Datapath Lens', serverOptions, clientOptions);

  const showStatus = (s: IndexStatus) => {
    status.text = s.state === 'indexing' ? '$(sync~spin) Datapath Lens: indexing' : `$(pulse) Datapath Lens: ${s.programs} programs`;
    status.tooltip = new vscode.MarkdownString([
      `**Datapath Lens** — ${s.state === 'indexing' ? 'indexing the workspace' : `index ready${s.ms !== undefined ? ` in ${s.ms} ms` : ''}`}`,
      `${s.files} files: ${s.topologies} topology files, ${s.programs} eBPF programs`,
      ...(s.skipped.length ? [`Skipped: ${s.skipped.slice(0, 5).map((x) => `${path.basename(x.file)} (${x.why})`).join(', ')}`] : []),
      'Click to restart the language server.',
    ].join('\n\n'));
  };

  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) { status.text = '$(error) Datapath Lens: stopped'; status.tooltip = 'The language server is not running. Click to restart it.'; }
      if (e.newState === State.Starting) status.text = '$(sync~spin) Datapath Lens: starting';
    }),
    vscode.commands.registerCommand('datapathLens.restartServer', async () => {
      if (!client) return;
      await client.restart();
      void vscode.window.showInformationMessage('Datapath Lens: the language server was restarted.');
    }),
    vscode.commands.registerCommand('datapathLens.insertText', async (args: { uri: string; line: number; text: string }) => {
      const uri = vscode.Uri.parse(args.uri);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(args.line, 0), args.text);
      await vscode.workspace.applyEdit(edit);
      await vscode.window.showTextDocument(uri, { preview: false, selection: new vscode.Range(args.line, 0, args.line, args.text.length - 1) });
    }),
  );

  context.subscriptions.push(new Preview(context, () => client).register());

  // Verify: compile and load into the kernel's verifier, in the server; only in a trusted workspace.
  const verify = async (doc: vscode.TextDocument | undefined, quiet: boolean): Promise<void> => {
    if (!client || !doc || doc.languageId !== 'c' || doc.uri.scheme !== 'file') {
      if (!quiet) void vscode.window.showWarningMessage('Datapath Lens: open an eBPF C file to verify its programs.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      if (!quiet) void vscode.window.showWarningMessage('Datapath Lens: verifying runs clang and loads the workspace\'s programs into the kernel, so it needs a trusted workspace.');
      return;
    }
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Datapath Lens: verifying' },
      () => client!.sendRequest(RequestVerify.type, { textDocument: { uri: doc.uri.toString() } }));
    if (r.unsupported) { output.warn(`verify: ${r.unsupported}`); void vscode.window.showWarningMessage(`Datapath Lens: cannot verify: ${r.unsupported}`); return; }
    output.info(`verify ${doc.uri.fsPath}: ${r.programs.map((p) => `${p.name}: ${p.title}`).join('; ')} (${r.ms} ms)`);
    if (!quiet) {
      const msg = `Datapath Lens: ${r.programs.filter((p) => p.status === 'verified').length} of ${r.programs.length} programs verified${r.errors ? `, ${r.errors} error(s)` : ''} (${r.ms} ms)`;
      void (r.errors ? vscode.window.showWarningMessage(msg) : vscode.window.showInformationMessage(msg));
    }
  };
  // Import: this machine's namespaces, devices, routes and programs as a topology, beside its preview.
  const importTopology = async (): Promise<void> => {
    if (!client) return;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Datapath Lens: importing runs ip, tc and bpftool on this machine, so it needs a trusted workspace.');
      return;
    }
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Datapath Lens: reading this machine\'s network state' },
      () => client!.sendRequest(RequestImport.type, {}));
    if (r.error || r.text === undefined) { void vscode.window.showErrorMessage(`Datapath Lens: import failed: ${r.error ?? 'no output'}`); return; }
    const doc = await vscode.workspace.openTextDocument({ language: 'topology', content: r.text });
    await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('datapathLens.showPreview');
    if (r.unreadable.length) {
      output.warn(`import: could not read ${r.unreadable.join('; ')}`);
      void vscode.window.showWarningMessage(`Datapath Lens: imported ${r.namespaces} namespace(s); could not read: ${r.unreadable.join('; ')}. Run VS Code (or the server) as root to read them.`);
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('datapathLens.importTopology', importTopology),
    vscode.commands.registerCommand('datapathLens.verify', (uri?: vscode.Uri) =>
      verify(uri instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : vscode.window.activeTextEditor?.document, false)),
    vscode.commands.registerCommand('datapathLens.revealLine', (args: { line: number }) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const pos = new vscode.Position(args.line, 0);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.languageId !== 'c' || !vscode.workspace.isTrusted) return;
      if (!vscode.workspace.getConfiguration('datapathLens', doc.uri).get<boolean>('verifyOnSave', false)) return;
      void verify(doc, true);
    }),
  );

  await client.start();
  context.subscriptions.push(client.onNotification(StatusNotification.type, showStatus));
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
