// The language server: translates between LSP and the analysis core, nothing more.
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind,
  type Connection, type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { pathDiagnostics } from '../datapath/verdict-diagnostics';
import { Walker } from '../datapath/walk';
import type { Diagnostic } from '../topology/model';
import { parseTopology } from '../topology/parse';

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: 'datapath-lens', message: d.message };
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);

  connection.onInitialize(() => ({
    capabilities: { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } },
    serverInfo: { name: 'datapath-lens' },
  }));

  const validate = (doc: TextDocument) => {
    if (doc.languageId !== 'topology' && !doc.uri.endsWith('.topo')) return;
    const file = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : doc.uri;
    const { topology, diagnostics } = parseTopology(doc.getText(), file);
    const walker = new Walker(topology);
    const all = [...diagnostics, ...pathDiagnostics(topology.paths.map((p) => walker.walk(p)), file)];
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: all.map(toLspDiagnostic) });
  };
  documents.onDidChangeContent((e) => validate(e.document));
  documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));
  documents.listen(connection);
  connection.listen();
}

if (require.main === module) startServer(createConnection(ProposedFeatures.all));
