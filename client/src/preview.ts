// The live preview panel ("Open Preview to the Side"): one webview beside the editor that
// follows the active topology or eBPF C editor, its edits (debounced) and its cursor. The
// picture comes from the language server (datapathLens/graph); the webview draws it. The
// webview is not kept alive while hidden (retainContextWhenHidden: false): it keeps its own
// state with setState, and registerWebviewPanelSerializer brings it back after a restart.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RequestGraph } from '../../server/src/lsp/protocol';
import { COMPACT_ABOVE } from '../../server/src/preview/mermaid';
import { makeNonce, previewHtml } from './preview-html';
import { PREVIEW_VIEW_TYPE, type FromWebview, type PreviewState, type ToWebview } from './preview-protocol';

const EDIT_DEBOUNCE_MS = 200;
const CURSOR_DEBOUNCE_MS = 60;

/** Arguments of datapathLens.showPreview when a code lens runs it. */
export interface ShowPreviewArgs { uri?: string; path?: number; program?: string }

const previewable = (doc: vscode.TextDocument) => doc.uri.scheme === 'file' && (doc.languageId === 'topology' || doc.languageId === 'c');

export class Preview implements vscode.WebviewPanelSerializer<PreviewState> {
  private panel: vscode.WebviewPanel | undefined;
  private doc: vscode.Uri | undefined;
  private line: number | undefined;
  /** A path index to select once the next picture arrives (from a code lens). */
  private pendingPath: number | undefined;
  private editTimer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(private readonly context: vscode.ExtensionContext, private readonly client: () => LanguageClient | undefined) {}

  /** Registers the command, the serializer and the editor listeners. */
  register(): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.commands.registerCommand('datapathLens.showPreview', (args?: ShowPreviewArgs) => this.show(args)),
      vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, this),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && this.doc && e.document.uri.toString() === this.doc.toString()) this.schedule('edit');
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (!this.panel || !previewable(e.textEditor.document)) return;
        if (this.doc?.toString() !== e.textEditor.document.uri.toString()) return;
        // The picture depends on the cursor's line only: a move within it asks nothing (edits refresh on their own).
        const line = e.selections[0]?.active.line;
        if (line === this.line) return;
        this.line = line;
        this.schedule('cursor');
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Like the Markdown preview: follow the active editor when it is one we can draw.
        if (!this.panel || !editor || !previewable(editor.document)) return;
        if (this.doc?.toString() === editor.document.uri.toString()) return;
        this.follow(editor.document.uri, editor.selection.active.line);
      }),
      { dispose: () => this.panel?.dispose() },
    );
  }

  async show(args?: ShowPreviewArgs): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const uri = args?.uri ? vscode.Uri.parse(args.uri) : editor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Datapath Lens: open a topology (.topo) or eBPF C file to preview it.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    let line = editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active.line : undefined;
    if (args?.program) line = programLine(doc, args.program) ?? line;
    this.pendingPath = args?.path;
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, 'Datapath preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
      this.adopt(panel);
    }
    this.follow(uri, line);
  }

  /** VS Code restores a preview after a restart: same page, the document from its state. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PreviewState | undefined): Promise<void> {
    panel.webview.options = this.options();
    this.adopt(panel);
    if (state?.uri) this.follow(vscode.Uri.parse(state.uri), undefined);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'media'), vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    const web = panel.webview;
    const asset = (...p: string[]) => web.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    web.html = previewHtml({
      cspSource: web.cspSource,
      nonce: makeNonce((n) => crypto.randomBytes(n)),
      mermaidUri: asset('dist', 'media', 'mermaid.min.js'),
      scriptUri: asset('dist', 'media', 'preview.js'),
      styleUri: asset('media', 'preview.css'),
      settings: { compactAbove: COMPACT_ABOVE },
    });
    const subs = [
      web.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      // A webview that was hidden reloads its page: it redraws from its state, then asks (ready).
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const s of subs) s.dispose();
      }),
    ];
  }

  private follow(uri: vscode.Uri, line: number | undefined): void {
    this.doc = uri;
    this.line = line;
    if (this.panel) this.panel.title = `Preview ${path.basename(uri.fsPath)}`;
    void this.refresh();
  }

  private schedule(why: 'edit' | 'cursor'): void {
    if (why === 'edit') {
      if (this.editTimer) clearTimeout(this.editTimer);
      this.editTimer = setTimeout(() => { this.editTimer = undefined; void this.refresh(); }, EDIT_DEBOUNCE_MS);
      return;
    }
    // An edit pending will refresh anyway (with the cursor line as it is then).
    if (this.editTimer) return;
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => { this.cursorTimer = undefined; void this.refresh(); }, CURSOR_DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    const panel = this.panel;
    const doc = this.doc;
    const client = this.client();
    if (!panel || !doc) return;
    const seq = ++this.seq;
    let msg: ToWebview;
    try {
      if (!client?.isRunning()) throw new Error('the language server is not running');
      // Requests follow the document changes already sent, so the server answers for this text.
      const view = await client.sendRequest(RequestGraph.type, { textDocument: { uri: client.code2ProtocolConverter.asUri(doc) }, ...(this.line !== undefined ? { line: this.line } : {}) });
      if (view && this.pendingPath !== undefined && view.graphs.length === 1 && this.pendingPath < view.graphs[0].paths.length) {
        view.selected = { graph: 0, path: this.pendingPath };
      }
      this.pendingPath = undefined;
      msg = { type: 'graph', view, ...(view ? {} : { message: `${path.basename(doc.fsPath)} is not a topology or eBPF C file the language server knows.` }) };
    } catch (e) {
      msg = { type: 'graph', view: null, message: `No picture: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (seq !== this.seq || panel !== this.panel) return; // a newer request answers instead
    void panel.webview.postMessage(msg);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.refresh();
        break;
      case 'reveal': {
        const uri = vscode.Uri.parse(m.source.uri);
        const r = m.source.range;
        const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
        // Beside the preview, in the editor group the user was working in.
        const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
        const column = visible?.viewColumn ?? vscode.window.visibleTextEditors.find((e) => e.viewColumn !== this.panel?.viewColumn)?.viewColumn ?? vscode.ViewColumn.One;
        const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, selection: range, preserveFocus: false });
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        break;
      }
      case 'saveSvg': {
        const folder = this.doc ? vscode.Uri.joinPath(this.doc, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({
          title: 'Export the datapath picture',
          ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, safeName(m.name)) } : {}),
          filters: { 'SVG image': ['svg'] },
        });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(m.svg));
        void vscode.window.showInformationMessage(`Datapath Lens: saved ${path.basename(target.fsPath)}.`);
        break;
      }
      case 'rendered':
        break;
    }
  }
}

/** The webview proposes the name; only a plain file name is taken from it. */
function safeName(name: string): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '');
  return base.endsWith('.svg') ? base : `${base || 'datapath'}.svg`;
}

/** The line of a program's function (`int NAME(`) in a C document. */
function programLine(doc: vscode.TextDocument, name: string): number | undefined {
  const re = new RegExp(`\\b${name.replace(/[^A-Za-z0-9_]/g, '')}\\s*\\(`);
  for (let i = 0; i < doc.lineCount; i++) if (re.test(doc.lineAt(i).text)) return i;
  return undefined;
}
