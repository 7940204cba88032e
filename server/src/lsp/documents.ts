// Open documents as the client sends them (incremental sync), with the content changes kept
// so that C documents can re-parse incrementally (tree-sitter's edit API).
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

export class OpenDocuments {
  private readonly docs = new Map<string, TextDocument>();

  open(uri: string, languageId: string, version: number, text: string): TextDocument {
    const doc = TextDocument.create(uri, languageId, version, text);
    this.docs.set(uri, doc);
    return doc;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): TextDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const next = TextDocument.update(doc, changes, version);
    this.docs.set(uri, next);
    return next;
  }

  close(uri: string): void {
    this.docs.delete(uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.docs.get(uri);
  }
}
