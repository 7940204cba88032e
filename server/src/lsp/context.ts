// What every feature handler gets: the workspace and the document it was asked about.
import type { Workspace } from '../inference/workspace';

export interface DocumentContext {
  ws: Workspace;
  /** Absolute path of the document. */
  file: string;
  uri: string;
  text: string;
  /** 'topology' or 'c' (other languages are not asked). */
  languageId: string;
  /** Maps an absolute path in the workspace to the URI the client knows it by. */
  uriOf(file: string): string;
}

/** Custom commands the client implements; code lenses and actions name them. */
export const Commands = {
  /** Args: [{ uri: string; path?: number; program?: string }]: open the preview on a path or program. */
  showPreview: 'datapathLens.showPreview',
  /** Args: [{ uri: string; line: number; text: string }]: insert a line into a topology file. */
  insertText: 'datapathLens.insertText',
  /** Args: [{ line: number }]: move the cursor of the active editor to a 0-based line. */
  revealLine: 'datapathLens.revealLine',
  /** Compile and verify the active C file's programs in the kernel (needs a trusted workspace). */
  verify: 'datapathLens.verify',
} as const;
