// The picture's own style: one stylesheet for the live preview (its --dl-* colours come from
// the VS Code theme, media/preview.css) and for exported SVG files (the colours below, light,
// or dark when the viewer prefers it). mermaid scopes its own rules by the SVG's id, so ours
// need !important to win.

const FONT = '"Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif';
const MONO = '"SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

export const DIAGRAM_FONT = FONT;

export const DIAGRAM_CSS = `
svg[id^="dl-svg"] { font-family: ${FONT}; }
svg[id^="dl-svg"] .nodeLabel, svg[id^="dl-svg"] .edgeLabel, svg[id^="dl-svg"] .cluster-label, svg[id^="dl-svg"] foreignObject p, svg[id^="dl-svg"] foreignObject span, svg[id^="dl-svg"] foreignObject div { color: var(--dl-fg) !important; font-family: ${FONT} !important; }
svg[id^="dl-svg"] text { fill: var(--dl-fg) !important; }
svg[id^="dl-svg"] g.cluster > rect { fill: var(--dl-ns-bg) !important; stroke: var(--dl-ns-border) !important; stroke-width: 1px !important; rx: 8px; ry: 8px; }
svg[id^="dl-svg"] g.cluster .nodeLabel, svg[id^="dl-svg"] g.cluster-label span { color: var(--dl-muted) !important; font-weight: 600; }
svg[id^="dl-svg"] g.node { --n-fill: var(--dl-node-bg); --n-stroke: var(--dl-node-border); --n-width: 1px; --n-dash: none; }
svg[id^="dl-svg"] g.node > .label-container:not(g), svg[id^="dl-svg"] g.node > g.label-container > path:first-child { fill: var(--n-fill) !important; }
svg[id^="dl-svg"] g.node > .label-container:not(g), svg[id^="dl-svg"] g.node > g.label-container > path:last-child { stroke: var(--n-stroke) !important; stroke-width: var(--n-width) !important; stroke-dasharray: var(--n-dash) !important; }
svg[id^="dl-svg"] g.node > g.label-container > path:first-child:not(:last-child) { stroke: none !important; }
svg[id^="dl-svg"] g.node.dl_offpath { opacity: 0.62; }
svg[id^="dl-svg"] g.node.dl_onpath { --n-width: 2.5px; }
svg[id^="dl-svg"] g.node.dl_egress { --n-fill: var(--dl-egress-bg); --n-stroke: var(--dl-egress); }
svg[id^="dl-svg"] g.node.dl_ingress { --n-fill: var(--dl-ingress-bg); --n-stroke: var(--dl-ingress); }
svg[id^="dl-svg"] g.node.dl_drop { --n-stroke: var(--dl-drop); --n-dash: 7 3; }
svg[id^="dl-svg"] g.node.dl_focus { --n-width: 4px; }
svg[id^="dl-svg"] g.node.dl_queue { --n-fill: var(--dl-queue-bg); --n-stroke: var(--dl-queue); --n-width: 1.5px; }
svg[id^="dl-svg"] g.node.dl_queue .nodeLabel { font-size: 11px; color: var(--dl-queue-fg) !important; }
svg[id^="dl-svg"] g.node.dl_skipped { opacity: 0.8; --n-fill: var(--dl-bg); --n-dash: 4 3; }
svg[id^="dl-svg"] g.node.dl_fold { --n-dash: 5 3; --n-stroke: var(--dl-muted); opacity: 0.8; }
svg[id^="dl-svg"] g.node.dl_start { --n-fill: var(--dl-bg); --n-stroke: var(--dl-path); --n-width: 2px; }
svg[id^="dl-svg"] g.node.dl_end { --n-width: 2px; }
svg[id^="dl-svg"] g.node.dl_end_delivered { --n-fill: var(--dl-ingress-bg); --n-stroke: var(--dl-ingress); }
svg[id^="dl-svg"] g.node.dl_end_dropped { --n-fill: var(--dl-drop-bg); --n-stroke: var(--dl-drop); --n-width: 2.5px; }
svg[id^="dl-svg"] g.node.dl_end_dropped .nodeLabel { color: var(--dl-drop) !important; font-weight: 700; }
svg[id^="dl-svg"] g.node.dl_end_loop { --n-fill: var(--dl-drop-bg); --n-stroke: var(--dl-drop); }
svg[id^="dl-svg"] g.node.dl_end_left { --n-stroke: var(--dl-path); }
svg[id^="dl-svg"] .dl-badge { display: inline-block; padding: 0 7px; margin: 0 1px 2px; border-radius: 9px; font-size: 11px; font-weight: 700; letter-spacing: 0.05em; line-height: 17px; color: var(--dl-badge-fg) !important; }
svg[id^="dl-svg"] .dl-badge-ingress { background: var(--dl-ingress); }
svg[id^="dl-svg"] .dl-badge-egress { background: var(--dl-egress); }
svg[id^="dl-svg"] .dl-meta { color: var(--dl-muted) !important; font-size: 11px; }
svg[id^="dl-svg"] .dl-hook { display: inline-block; margin-top: 2px; padding: 0 4px; border-radius: 3px; font-family: ${MONO} !important; font-size: 10.5px; background: var(--dl-hook-bg); }
svg[id^="dl-svg"] .dl-hook-redirect { color: var(--dl-redirect) !important; font-weight: 600; }
svg[id^="dl-svg"] .dl-hook-drop { color: var(--dl-drop) !important; font-weight: 600; }
svg[id^="dl-svg"] .dl-hook-idle { color: var(--dl-muted) !important; }
svg[id^="dl-svg"] .dl-hook-focus { outline: 2px solid var(--dl-focus); }
svg[id^="dl-svg"] path.flowchart-link { stroke: var(--dl-link) !important; stroke-width: 1.2px !important; fill: none !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_link_wire { stroke-width: 3.5px !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_link_bridge-port { stroke-dasharray: 3 3 !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_step { stroke: var(--dl-path) !important; stroke-width: 3px !important; stroke-dasharray: none !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_redirect { stroke: var(--dl-redirect) !important; stroke-dasharray: 9 5 !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_via_peer-redirect { stroke-width: 4px !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_end_dropped, svg[id^="dl-svg"] path.flowchart-link.dl_end_loop { stroke: var(--dl-drop) !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_copy { stroke: var(--dl-muted) !important; stroke-dasharray: 2 4 !important; }
svg[id^="dl-svg"] path.flowchart-link.dl_skipped { stroke: var(--dl-muted) !important; stroke-dasharray: 2 4 !important; }
svg[id^="dl-svg"] marker path, svg[id^="dl-svg"] marker polygon { fill: var(--dl-path) !important; stroke: none !important; }
svg[id^="dl-svg"] marker.dl-marker-redirect path, svg[id^="dl-svg"] marker.dl-marker-redirect polygon { fill: var(--dl-redirect) !important; }
svg[id^="dl-svg"] marker.dl-marker-drop path, svg[id^="dl-svg"] marker.dl-marker-drop polygon { fill: var(--dl-drop) !important; }
svg[id^="dl-svg"] marker.dl-marker-muted path, svg[id^="dl-svg"] marker.dl-marker-muted polygon { fill: var(--dl-muted) !important; }
svg[id^="dl-svg"] .edgeLabel, svg[id^="dl-svg"] .labelBkg, svg[id^="dl-svg"] .edgeLabel p { background-color: var(--dl-bg) !important; }
svg[id^="dl-svg"] g.edgeLabel rect { fill: var(--dl-bg) !important; opacity: 1 !important; }
svg[id^="dl-svg"] g.edgeLabel .edgeLabel, svg[id^="dl-svg"] g.edgeLabel .edgeLabel p { font-family: ${MONO} !important; font-size: 11px; color: var(--dl-muted) !important; }
svg[id^="dl-svg"] g.edgeLabel.dl_step .edgeLabel, svg[id^="dl-svg"] g.edgeLabel.dl_step .edgeLabel p { color: var(--dl-path) !important; }
svg[id^="dl-svg"] g.edgeLabel.dl_redirect .edgeLabel, svg[id^="dl-svg"] g.edgeLabel.dl_redirect .edgeLabel p { color: var(--dl-redirect) !important; }
`;

/** Colours for exported files: light by default, dark where the viewer prefers dark. */
const LIGHT = {
  '--dl-bg': '#ffffff', '--dl-fg': '#1f2328', '--dl-muted': '#57606a',
  '--dl-node-bg': '#ffffff', '--dl-node-border': '#8c959f', '--dl-ns-bg': '#f6f8fa', '--dl-ns-border': '#d0d7de',
  '--dl-ingress': '#1a7f37', '--dl-ingress-bg': '#dafbe1', '--dl-egress': '#bc4c00', '--dl-egress-bg': '#fff1e5',
  '--dl-path': '#0969da', '--dl-redirect': '#8250df', '--dl-drop': '#cf222e', '--dl-drop-bg': '#ffebe9',
  '--dl-queue': '#9a6700', '--dl-queue-bg': '#fff8c5', '--dl-queue-fg': '#7d4e00', '--dl-link': '#6e7781',
  '--dl-badge-fg': '#ffffff', '--dl-hook-bg': 'rgba(130, 80, 223, 0.08)', '--dl-focus': '#bf3989',
};
const DARK: typeof LIGHT = {
  '--dl-bg': '#0d1117', '--dl-fg': '#e6edf3', '--dl-muted': '#9198a1',
  '--dl-node-bg': '#161b22', '--dl-node-border': '#6e7681', '--dl-ns-bg': '#151b23', '--dl-ns-border': '#3d444d',
  '--dl-ingress': '#3fb950', '--dl-ingress-bg': '#12261e', '--dl-egress': '#f0883e', '--dl-egress-bg': '#2d1b0e',
  '--dl-path': '#4493f8', '--dl-redirect': '#ab7df8', '--dl-drop': '#f85149', '--dl-drop-bg': '#2d1214',
  '--dl-queue': '#d29922', '--dl-queue-bg': '#272115', '--dl-queue-fg': '#e3b341', '--dl-link': '#8b949e',
  '--dl-badge-fg': '#0d1117', '--dl-hook-bg': 'rgba(171, 125, 248, 0.12)', '--dl-focus': '#db61a2',
};

const vars = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}: ${v};`).join(' ');

/** The stylesheet an exported SVG carries: palettes, then the picture's rules. */
export function exportCss(): string {
  return `svg.dl-export { ${vars(LIGHT)} }
@media (prefers-color-scheme: dark) { svg.dl-export { ${vars(DARK)} } }
svg.dl-export .dl-export-bg { fill: var(--dl-bg); }
svg.dl-export .dl-export-title { fill: var(--dl-fg); font: 600 15px ${FONT}; }
svg.dl-export .dl-export-sub { fill: var(--dl-muted); font: 12px ${FONT}; }
svg.dl-export .dl-export-ingress { fill: var(--dl-ingress); } svg.dl-export .dl-export-egress { fill: var(--dl-egress); }
svg.dl-export .dl-export-badge { fill: var(--dl-badge-fg); font: 700 11px ${FONT}; }
svg.dl-export .dl-export-path { stroke: var(--dl-path); stroke-width: 3px; }
svg.dl-export .dl-export-redirect { stroke: var(--dl-redirect); stroke-width: 3px; stroke-dasharray: 9 5; }
svg.dl-export .dl-export-queue { fill: var(--dl-queue-bg); stroke: var(--dl-queue); }
svg.dl-export .dl-export-drop { fill: var(--dl-drop); font: 700 13px ${FONT}; }
${DIAGRAM_CSS}`;
}
