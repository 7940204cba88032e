// The preview's HTML page, free of `vscode` so the webview tests load exactly this page.
// Every script carries the nonce and comes from the extension (asWebviewUri); no data is
// spliced into script: settings travel in an escaped data-* attribute, pictures by postMessage.
// mermaid writes a <style> into each SVG, hence style-src 'unsafe-inline' (no nonce there:
// a nonce in style-src would turn 'unsafe-inline' off).
import type { PreviewSettings } from './preview-protocol';

export interface PreviewPage {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  mermaidUri: string;
  scriptUri: string;
  styleUri: string;
  settings: PreviewSettings;
}

/** Escapes text for an HTML attribute value or text node. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 32 random characters from [A-Za-z0-9]. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...random(32)].map((b) => abc[b % abc.length]).join('');
}

export function previewHtml(p: PreviewPage): string {
  const e = escapeHtml;
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} data:`,
    `style-src ${p.cspSource} 'unsafe-inline'`,
    `font-src ${p.cspSource}`,
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(p.styleUri)}">
<title>Datapath Lens preview</title>
</head>
<body data-settings="${e(JSON.stringify(p.settings))}">
<header class="toolbar" role="toolbar" aria-label="Preview">
  <span id="title" class="title"></span>
  <label class="picker" hidden><span class="visually-hidden">Path</span><select id="path-picker" aria-label="Path"></select></label>
  <span id="verdict" class="verdict" hidden></span>
  <span class="spacer"></span>
  <button id="zoom-out" type="button" title="Zoom out (-)" aria-label="Zoom out">−</button>
  <button id="zoom-fit" type="button" title="Fit to the pane (0)" aria-label="Fit">Fit</button>
  <button id="zoom-in" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>
  <button id="toggle-fold" type="button" title="Big topologies fold the pods off the path; show every device (slower to draw)" hidden>Show all</button>
  <button id="toggle-details" type="button" title="Show or hide the hop list" aria-pressed="true">Hops</button>
  <button id="export-svg" type="button" title="Export the picture as SVG">Export SVG</button>
</header>
<div id="banner" class="banner" role="alert" hidden></div>
<div id="note" class="note" hidden></div>
<main class="main">
  <div id="viewport" class="viewport" tabindex="0" aria-label="Datapath picture: drag or wheel to move, Ctrl+wheel to zoom">
    <div id="canvas" class="canvas"></div>
    <div id="empty" class="empty">Waiting for the language server…</div>
  </div>
  <aside id="details" class="details" aria-label="Hops of the path"></aside>
</main>
<footer class="legend" aria-label="Legend">
  <span class="lg lg-egress">EGRESS</span> last device to touch the packet on this side
  <span class="lg lg-ingress">INGRESS</span> first device to touch it on the receiving side
  <span class="lg-line lg-path"></span> path
  <span class="lg-line lg-redirect"></span> eBPF redirect
  <span class="lg lg-queue">backlog</span> per-CPU queue
  <span class="lg lg-drop">✖</span> drop
</footer>
<div id="tooltip" class="tooltip" role="tooltip" hidden></div>
<script nonce="${e(p.nonce)}" src="${e(p.mermaidUri)}"></script>
<script nonce="${e(p.nonce)}" src="${e(p.scriptUri)}"></script>
</body>
</html>
`;
}
