// The VS Code side stays thin: start the language server, wire commands.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'topology' },
      { scheme: 'file', language: 'c' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{topo,c,h,sh,go,py,yaml,yml,mk}') },
  };
  client = new LanguageClient('datapathLens', 'Datapath Lens', serverOptions, clientOptions);
  context.subscriptions.push(vscode.commands.registerCommand('datapathLens.restartServer', async () => {
    await client?.restart();
    void vscode.window.showInformationMessage('Datapath Lens: language server restarted.');
  }));
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
