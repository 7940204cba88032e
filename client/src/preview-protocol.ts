// The messages between the preview panel (preview.ts) and its webview (client/webview/),
// switched on `type`. Types only: both sides import it, neither imports the other.
import type { GraphView } from '../../server/src/lsp/graph';
import type { Source } from '../../server/src/preview/graph-model';

export const PREVIEW_VIEW_TYPE = 'datapathLens.preview';

/** Extension → webview. */
export type ToWebview =
  /** The picture of the followed document; null when the server has none (with why). */
  | { type: 'graph'; view: GraphView | null; message?: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  /** Reveal a topology line or a C program. */
  | { type: 'reveal'; source: Source }
  /** Save this SVG (a save dialog, `name` as the default file name). */
  | { type: 'saveSvg'; name: string; svg: string }
  /** A picture was drawn (tests and the benchmark read it; the extension ignores it). */
  | { type: 'rendered'; ms: number; nodes: number; kept: boolean };

/** What the webview keeps with setState (restored when it is shown again or after a restart). */
export interface PreviewState {
  /** The followed document: the serializer re-opens the preview on it. */
  uri?: string;
  view?: GraphView;
  pick?: { graph: number; path: number | null };
  transform?: { x: number; y: number; k: number };
  details?: boolean;
  /** Draw every device of a big topology (no folded pods). */
  expand?: boolean;
}

/** Settings handed to the webview in an escaped `data-settings` attribute. */
export interface PreviewSettings {
  /** Devices above which labels shrink to one line. */
  compactAbove: number;
}
