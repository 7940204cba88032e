// Document formatting for topology files: the core's canonical layout as one whole-document edit.
import type { TextEdit } from 'vscode-languageserver';
import { formatTopology } from '../topology/format';
import type { DocumentContext } from './context';
import { isTopologyDoc } from './navigation';

export function formatting(ctx: DocumentContext): TextEdit[] {
  try {
    if (!isTopologyDoc(ctx)) return [];
    const formatted = formatTopology(ctx.text);
    if (formatted === ctx.text) return [];
    const lines = ctx.text.split('\n');
    const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
    return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted }];
  } catch {
    return [];
  }
}
