// The preview webview: draws the GraphView the extension posts with mermaid (bundled, strict
// security level), then wires hovers, clicks, zoom and pan on the rendered SVG itself. Every
// text that comes from the model reaches the page through textContent or mermaid.ts's
// escaped labels, never as markup. State (last good picture, chosen path, zoom) survives
// hiding through setState/getState.
import type { GraphView } from '../../server/src/lsp/graph';
import type { GraphDevice, GraphHop, GraphModel, GraphPath, GraphStep, Source } from '../../server/src/preview/graph-model';
import { COMPACT_ABOVE, FOLD_ABOVE, hopNumber, roleWord, toMermaid, type EdgeRef, type MermaidDiagram, type NodeRef } from '../../server/src/preview/mermaid';
import type { FromWebview, PreviewSettings, PreviewState, ToWebview } from '../src/preview-protocol';
import { DIAGRAM_CSS, DIAGRAM_FONT, exportCss } from './diagram-style';

interface Mermaid {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}
interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PreviewState | undefined;
  setState(state: PreviewState): void;
}
declare const acquireVsCodeApi: () => VsCodeApi;
declare const mermaid: Mermaid;

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const settings: PreviewSettings = { compactAbove: COMPACT_ABOVE, ...readSettings() };
const el = {
  title: $('title'), picker: $<HTMLSelectElement>('path-picker'), verdict: $('verdict'), banner: $('banner'), note: $('note'),
  viewport: $('viewport'), canvas: $('canvas'), empty: $('empty'), details: $('details'), tooltip: $('tooltip'),
};

let state: PreviewState = vscode.getState() ?? {};
/** The last picture drawn without topology errors: kept while the text has errors. */
let good: GraphView | undefined = state.view;
let drawnKey = '';
let diagram: MermaidDiagram | undefined;
let renders = 0;
let busy = false;
let again = false;

function readSettings(): Partial<PreviewSettings> {
  try {
    return JSON.parse(document.body.dataset.settings ?? '{}') as Partial<PreviewSettings>;
  } catch {
    return {};
  }
}

function save(patch: Partial<PreviewState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

const post = (m: FromWebview) => vscode.postMessage(m);

// ---------------------------------------------------------------- messages

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'graph': onGraph(m.view, m.message); break;
  }
});

function errorsOf(v: GraphView): GraphModel['errors'] {
  return v.graphs.flatMap((g) => (g.uri === v.uri ? g.errors : []));
}

function onGraph(view: GraphView | null, message?: string): void {
  if (!view) {
    // Keep whatever is drawn; say why nothing new came.
    showNote(message ?? 'No picture for this document.');
    if (!good) { el.empty.textContent = message ?? 'No picture for this document.'; el.empty.hidden = false; }
    post({ type: 'rendered', ms: 0, nodes: 0, kept: true });
    return;
  }
  const errors = errorsOf(view);
  showBanner(errors);
  showNote(view.note);
  const sameDoc = good?.uri === view.uri;
  if (errors.length && good && sameDoc) {
    // A syntax error keeps the last good picture (under the banner), never a blank pane.
    post({ type: 'rendered', ms: 0, nodes: countNodes(), kept: true });
    return;
  }
  if (!sameDoc) save({ transform: undefined, pick: undefined });
  good = view;
  let pick = state.pick;
  if (view.selected) pick = view.selected;
  else if (!pick || !valid(view, pick)) pick = defaultPick(view);
  save({ uri: view.uri, view, pick });
  void draw();
}

function valid(v: GraphView, p: { graph: number; path: number | null }): boolean {
  const g = v.graphs[p.graph];
  return !!g && (p.path === null ? g.paths.length === 0 : p.path >= 0 && p.path < g.paths.length);
}

function defaultPick(v: GraphView): { graph: number; path: number | null } {
  const gi = Math.max(0, v.graphs.findIndex((g) => g.paths.some((p) => p.runsFocus)));
  const g = v.graphs[gi];
  if (!g) return { graph: 0, path: null };
  const focus = g.paths.find((p) => p.runsFocus);
  return { graph: gi, path: focus ? focus.index : g.selected };
}

function choose(pick: { graph: number; path: number | null }): void {
  if (!good || !valid(good, pick)) return;
  save({ pick });
  void draw();
}

// ---------------------------------------------------------------- drawing

function themeKey(): string {
  return document.body.className;
}

async function draw(): Promise<void> {
  if (busy) { again = true; return; }
  busy = true;
  try {
    do {
      again = false;
      try {
        await drawOnce();
      } catch (e) {
        showBanner([{ message: `The picture could not be drawn: ${e instanceof Error ? e.message : String(e)}` }], 'The preview failed.');
        post({ type: 'rendered', ms: 0, nodes: countNodes(), kept: true });
      }
    } while (again);
  } finally {
    busy = false;
  }
}

async function drawOnce(): Promise<void> {
  const view = good;
  const pick = state.pick;
  if (!view || !pick) return;
  const model = view.graphs[pick.graph];
  fillPicker(view, pick);
  if (!model) {
    el.canvas.replaceChildren();
    el.empty.textContent = view.note ?? 'Nothing to draw.';
    el.empty.hidden = false;
    el.details.replaceChildren();
    el.title.textContent = '';
    el.verdict.hidden = true;
    post({ type: 'rendered', ms: 0, nodes: 0, kept: false });
    return;
  }
  const d = toMermaid(model, { path: pick.path, compactAbove: settings.compactAbove, ...(state.expand ? { fold: false } : {}) });
  const p = pick.path !== null ? model.paths[pick.path] : undefined;
  fillHeader(model, p);
  const fold = $('toggle-fold');
  fold.hidden = model.devices.length <= FOLD_ABOVE;
  fold.textContent = state.expand ? 'Fold pods' : `Show all ${model.devices.length} devices`;
  fold.setAttribute('aria-pressed', String(!!state.expand));
  fillDetails(model, p);
  const key = `${themeKey()}\n${d.text}`;
  if (key === drawnKey && el.canvas.querySelector('svg')) {
    diagram = d;
    post({ type: 'rendered', ms: 0, nodes: countNodes(), kept: true });
    return;
  }
  const t0 = performance.now();
  initMermaid(d);
  const id = `dl-svg-${++renders}`;
  let svg: string;
  try {
    ({ svg } = await mermaid.render(id, d.text));
  } catch (e) {
    // mermaid leaves its error picture in a temporary element: remove it, keep ours.
    document.getElementById(`d${id}`)?.remove();
    showBanner([{ message: e instanceof Error ? e.message : String(e) }], 'mermaid could not draw the picture.');
    post({ type: 'rendered', ms: performance.now() - t0, nodes: countNodes(), kept: true });
    return;
  }
  // mermaid's output: labels were escaped by mermaid.ts and sanitized by mermaid (strict).
  el.canvas.innerHTML = svg;
  const root = el.canvas.querySelector('svg');
  if (!root) return;
  diagram = d;
  drawnKey = key;
  el.empty.hidden = true;
  decorate(root, d);
  if (state.transform) applyTransform(); else fit(true);
  const ms = performance.now() - t0;
  document.body.dataset.renders = String(renders);
  post({ type: 'rendered', ms, nodes: countNodes(), kept: false });
}

function countNodes(): number {
  return el.canvas.querySelectorAll('g.node').length;
}

/** A colour the theme gives, as rgb() (mermaid's colour maths wants plain colours, not color-mix). */
function color(name: string, fallback: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${name}, ${fallback})`;
  document.body.appendChild(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  const ctx = paint ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!ctx || !computed) return fallback;
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = computed;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return `rgb(${r}, ${g}, ${b})`;
}
let paint: CanvasRenderingContext2D | null | undefined;

function initMermaid(d: MermaidDiagram): void {
  const dark = document.body.classList.contains('vscode-dark') || (document.body.classList.contains('vscode-high-contrast') && !document.body.classList.contains('vscode-high-contrast-light'));
  const bg = color('--dl-bg', '#ffffff');
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: 'base',
    htmlLabels: true,
    maxEdges: d.maxEdges,
    maxTextSize: d.maxTextSize,
    flowchart: { htmlLabels: true, curve: 'basis', nodeSpacing: 24, rankSpacing: 34, padding: 10, diagramPadding: 12, useMaxWidth: false },
    themeVariables: {
      darkMode: dark, fontFamily: DIAGRAM_FONT, fontSize: '13px',
      background: bg, primaryColor: color('--dl-node-bg', '#ffffff'), primaryTextColor: color('--dl-fg', '#1f2328'),
      primaryBorderColor: color('--dl-node-border', '#8c959f'), lineColor: color('--dl-link', '#6e7781'),
      clusterBkg: color('--dl-ns-bg', '#f6f8fa'), clusterBorder: color('--dl-ns-border', '#d0d7de'), edgeLabelBackground: bg,
    },
  });
}

/** Classes on edges (mermaid puts node classes only), coloured arrowheads, hover/click targets. */
function decorate(root: SVGSVGElement, d: MermaidDiagram): void {
  root.classList.add('dl-svg');
  const vb = root.viewBox.baseVal;
  if (vb && vb.width) {
    root.setAttribute('width', String(vb.width));
    root.setAttribute('height', String(vb.height));
  }
  root.style.maxWidth = 'none';
  const prefix = `${root.id}-`;
  for (const g of root.querySelectorAll<SVGGElement>('g.node')) {
    const m = /-flowchart-(.+)-\d+$/.exec(g.id);
    if (m && d.nodes[m[1]]) { g.dataset.dlNode = m[1]; g.setAttribute('tabindex', '0'); }
  }
  for (const g of root.querySelectorAll<SVGGElement>('g.cluster')) {
    if (g.id.startsWith(prefix)) g.dataset.dlNs = g.id.slice(prefix.length);
    // The namespace's name at the top left: mermaid centres it, where the path's edges enter.
    const rect = g.querySelector(':scope > rect');
    const title = g.querySelector<SVGGElement>(':scope > g.cluster-label');
    const m = title && /translate\(\s*[-\d.e]+\s*,\s*([-\d.e]+)\s*\)/.exec(title.getAttribute('transform') ?? '');
    if (rect && title && m) title.setAttribute('transform', `translate(${Number(rect.getAttribute('x')) + 10}, ${m[1]})`);
  }
  const markers = new Map<string, string>();
  const marker = (kind: string, base: string): string => {
    const key = `${kind}|${base}`;
    const have = markers.get(key);
    if (have) return have;
    const orig = root.querySelector(`marker[id="${CSS.escape(base)}"]`);
    if (!orig) return base;
    const copy = orig.cloneNode(true) as SVGMarkerElement;
    copy.id = `${base}-${kind}`;
    copy.classList.add(`dl-marker-${kind}`);
    orig.parentNode!.insertBefore(copy, orig.nextSibling);
    markers.set(key, copy.id);
    return copy.id;
  };
  for (const path of root.querySelectorAll<SVGPathElement>('path.flowchart-link')) {
    const id = path.dataset.id ?? '';
    const ref = d.edges[id];
    if (!ref) continue;
    path.classList.add(...ref.classes);
    path.dataset.dlEdge = id;
    const end = path.getAttribute('marker-end');
    const m = end && /url\(#(.+)\)/.exec(end);
    const kind = ref.classes.includes('dl_end_dropped') || ref.classes.includes('dl_end_loop') ? 'drop' : ref.classes.includes('dl_redirect') ? 'redirect' : ref.classes.includes('dl_copy') ? 'muted' : '';
    if (m && kind) path.setAttribute('marker-end', `url(#${marker(kind, m[1])})`);
  }
  for (const label of root.querySelectorAll<SVGGElement>('g.edgeLabel')) {
    const inner = label.querySelector<SVGGElement>('g.label[data-id]');
    const id = inner?.dataset.id ?? '';
    const ref = d.edges[id];
    if (!ref) continue;
    label.classList.add(...ref.classes);
    label.dataset.dlEdge = id;
  }
}

// ---------------------------------------------------------------- header, picker, details

function fillHeader(model: GraphModel, p: GraphPath | undefined): void {
  el.title.textContent = model.title;
  el.title.title = model.file;
  if (p) {
    el.verdict.hidden = false;
    el.verdict.className = `verdict verdict-${p.verdict}`;
    el.verdict.textContent = p.end.summary;
    el.verdict.title = p.reason ?? p.end.summary;
  } else {
    el.verdict.hidden = true;
  }
}

function fillPicker(view: GraphView, pick: { graph: number; path: number | null }): void {
  const s = el.picker;
  const options: HTMLElement[] = [];
  const several = view.graphs.length > 1;
  let count = 0;
  view.graphs.forEach((g, gi) => {
    const focused = view.kind === 'c' && g.paths.some((p) => p.runsFocus);
    const paths = focused ? g.paths.filter((p) => p.runsFocus) : g.paths;
    const opts = paths.map((p) => {
      count++;
      const o = new Option(`${p.label} — ${p.end.summary}`, `${gi}:${p.index}`);
      o.selected = gi === pick.graph && p.index === pick.path;
      return o;
    });
    if (!paths.length) {
      const o = new Option(`${g.title}: the topology alone (no path)`, `${gi}:`);
      o.selected = gi === pick.graph && pick.path === null;
      opts.push(o);
      count++;
    }
    if (several) {
      const grp = document.createElement('optgroup');
      grp.label = g.title;
      grp.append(...opts);
      options.push(grp);
    } else {
      options.push(...opts);
    }
  });
  s.replaceChildren(...options);
  (s.parentElement as HTMLElement).hidden = count < 2;
}

el.picker.addEventListener('change', () => {
  const [g, p] = el.picker.value.split(':');
  choose({ graph: Number(g), path: p === '' ? null : Number(p) });
});

function text(tag: string, cls: string, content: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.textContent = content;
  return e;
}

function fillDetails(model: GraphModel, p: GraphPath | undefined): void {
  const box = el.details;
  box.hidden = state.details === false;
  if (!p) {
    box.replaceChildren(text('p', 'muted', model.paths.length ? 'Pick a path to see its hops.' : 'No path statement: the picture shows the topology alone.'));
    return;
  }
  const head = text('h2', '', p.label);
  const list = document.createElement('ol');
  list.className = 'hops';
  p.hops.forEach((h, i) => {
    const li = document.createElement('li');
    li.className = `hop hop-${h.role}`;
    li.dataset.hop = String(h.n);
    const top = document.createElement('div');
    top.className = 'hop-head';
    top.append(text('span', `badge badge-${h.role}`, `${hopNumber(h.n)} ${roleWord(h.role)}`), ' ');
    const dev = text('button', 'link dev', h.dev) as HTMLButtonElement;
    dev.type = 'button';
    dev.title = 'Go to the device in the topology';
    dev.addEventListener('click', () => revealDevice(model, h.device));
    top.append(dev, text('span', 'via', ` · ${h.kind} · via ${h.via}`));
    li.append(top, text('div', 'did', h.did));
    if (h.hooks.length) {
      const hooks = document.createElement('div');
      hooks.className = 'hooks';
      for (const k of h.hooks) {
        const b = text('button', `link hook hook-${k.action}${k.focus ? ' hook-focus' : ''}`, `${k.hook} ▸ ${k.prog} → ${k.result}`);
        (b as HTMLButtonElement).type = 'button';
        b.title = `${k.effect}\n${k.hookExplanation}\nClick: go to the program`;
        b.addEventListener('click', () => post({ type: 'reveal', source: k.programSource ?? k.source }));
        hooks.append(b);
      }
      li.append(hooks);
    }
    const stages = document.createElement('div');
    stages.className = 'stages';
    for (const fn of h.stages) {
      const s = text('span', 'stage', fn);
      s.dataset.stage = fn;
      s.tabIndex = 0;
      stages.append(s);
    }
    li.append(stages);
    for (const n of h.notes) li.append(text('div', 'hop-note', n));
    list.append(li);
    const step = p.steps[i];
    if (step) {
      const st = text('li', `step${step.redirect ? ' step-redirect' : ''}`, `↓ ${step.label}${step.queue === 'backlog' ? ' · backlog queue' : step.queue === 'xdp-ring' ? ' · XDP ring' : ''}`);
      st.dataset.step = step.id;
      list.append(st);
    }
  });
  const end = text('li', `end end-${p.verdict}`, `${p.verdict === 'delivered' ? '✔' : p.verdict === 'dropped' ? '✖' : p.verdict === 'left' ? '↗' : '⟳'} ${p.verdict}${p.reason ? `: ${p.reason}` : ''}`);
  end.dataset.end = '1';
  list.append(end);
  box.replaceChildren(head, list);
}

function showBanner(errors: Array<{ message: string; range?: { start: { line: number } } }>, heading?: string): void {
  if (!errors.length) { el.banner.hidden = true; el.banner.replaceChildren(); return; }
  const items = errors.slice(0, 5).map((e) => text('li', '', `${e.range ? `line ${e.range.start.line + 1}: ` : ''}${e.message}`));
  const list = document.createElement('ul');
  list.append(...items);
  const more = errors.length > 5 ? [text('div', '', `…and ${errors.length - 5} more`)] : [];
  el.banner.replaceChildren(text('strong', '', heading ?? (good ? 'The topology has errors: the picture shows its last good state.' : 'The topology has errors: the picture is partial.')), list, ...more);
  el.banner.hidden = false;
}

function showNote(note: string | undefined): void {
  el.note.hidden = !note;
  el.note.textContent = note ?? '';
}

// ---------------------------------------------------------------- hovers and clicks

interface Target { node?: NodeRef; edge?: EdgeRef; ns?: string; hookIndex?: number; stage?: string; hop?: number; step?: string; end?: boolean }

function targetOf(e: Event): Target | undefined {
  const t = e.target as Element | null;
  if (!t || !diagram) return undefined;
  const stage = t.closest<HTMLElement>('[data-stage]');
  if (stage) return { stage: stage.dataset.stage };
  const hopLi = t.closest<HTMLElement>('li[data-hop]');
  if (hopLi) return { hop: Number(hopLi.dataset.hop) };
  const stepLi = t.closest<HTMLElement>('li[data-step]');
  if (stepLi) return { step: stepLi.dataset.step };
  if (t.closest('li[data-end]')) return { end: true };
  const node = t.closest<SVGGElement>('g.node[data-dl-node]');
  if (node) {
    const hook = t.closest('.dl-hook');
    const hooks = hook ? [...node.querySelectorAll('.dl-hook')] : [];
    return { node: diagram.nodes[node.dataset.dlNode!], ...(hook ? { hookIndex: hooks.indexOf(hook) } : {}) };
  }
  const edge = t.closest<SVGElement>('[data-dl-edge]');
  if (edge) return { edge: diagram.edges[edge.dataset.dlEdge!] };
  const ns = t.closest<SVGGElement>('g.cluster[data-dl-ns]');
  if (ns) return { ns: ns.dataset.dlNs };
  return undefined;
}

function current(): { model: GraphModel; path?: GraphPath } | undefined {
  const pick = state.pick;
  const model = pick && good?.graphs[pick.graph];
  if (!model || !pick) return undefined;
  return { model, ...(pick.path !== null && model.paths[pick.path] ? { path: model.paths[pick.path] } : {}) };
}

interface Tip { title: string; cls?: string; lines: Array<[string, string] | string> }

function tipFor(t: Target): Tip | undefined {
  const c = current();
  if (!c) return undefined;
  const { model, path } = c;
  const gloss = (fn: string) => model.glossary[fn];
  if (t.stage) return { title: t.stage, cls: 'tip-stage', lines: [gloss(t.stage) ?? 'a kernel function on this path'] };
  if (t.hop !== undefined && path) return hopTip(model, path.hops[t.hop - 1]);
  if (t.step && path) return stepTip(model, path, path.steps.find((s) => s.id === t.step));
  if (t.end && path) return endTip(path);
  if (t.ns) {
    const ns = model.namespaces.find((n) => n.id === t.ns);
    return ns && { title: `netns ${ns.name}`, lines: [ns.forwarding ? 'Forwards packets (net.ipv4.ip_forward=1): a packet for another address is routed on.' : 'Does not forward (ip_forward=0): a packet for another address is dropped.', `${model.devices.filter((d) => d.ns === ns.name).length} devices`] };
  }
  const n = t.node;
  if (n?.kind === 'device') {
    const d = model.devices.find((x) => x.id === n.device);
    if (!d) return undefined;
    const hops = path ? path.hops.filter((h) => h.device === d.id) : [];
    if (!hops.length) return deviceTip(model, d, !!path);
    const tip = hopTip(model, hops[0]);
    for (const h of hops.slice(1)) { const more = hopTip(model, h); tip.lines.push('', [more.title, ''], ...more.lines); }
    return tip;
  }
  if ((n?.kind === 'queue' || n?.kind === 'skipped-queue') && path) {
    const s = path.steps.find((x) => x.id === n.step);
    if (n.kind === 'skipped-queue') return { title: 'backlog queue — skipped', cls: 'tip-redirect', lines: [s?.explanation ?? '', 'A plain veth transmit would wait here (enqueue_to_backlog → process_backlog); bpf_redirect_peer goes around it.'] };
    return { title: s?.queue === 'xdp-ring' ? 'the peer\'s XDP ring' : 'per-CPU backlog queue', cls: 'tip-queue', lines: [s?.explanation ?? '', ['enqueue_to_backlog', gloss('enqueue_to_backlog') ?? ''], ['process_backlog', gloss('process_backlog') ?? '']] };
  }
  if (n?.kind === 'fold') {
    const name = (id: string) => model.devices.find((x) => x.id === id)?.key ?? id;
    const shown = n.pairs.slice(0, 24).map(([a, b]): [string, string] => [name(a), `— ${name(b)}`]);
    return { title: `${n.pairs.length} veth pairs folded`, lines: ['Pairs off the path whose other end is alone in its namespace (a pod), folded to keep a big picture quick to draw. Click to show every device.', ...shown, ...(n.pairs.length > 24 ? [`…and ${n.pairs.length - 24} more`] : [])] };
  }
  if (n?.kind === 'start' && path) {
    const first = path.hops[0];
    return { title: `a socket in ${path.startNs ?? path.from} sends (${path.proto})`, lines: [`to ${path.to}${path.dstIp && path.dstIp !== path.to ? ` (${path.dstIp})` : ''}`, ...(first ? first.stages.slice(0, first.stages.indexOf('dev_queue_xmit') + 1).map((fn): [string, string] => [fn, gloss(fn) ?? '']) : [])] };
  }
  if (n?.kind === 'end' && path) return endTip(path);
  const e = t.edge;
  if (e && path) {
    if (e.kind === 'step') return stepTip(model, path, path.steps.find((s) => s.id === e.step));
    if (e.kind === 'start') return { title: 'the stack hands the packet to the first device', lines: ['route lookup (ip_route_output_flow) → ip_local_out → ip_output → neigh_output → dev_queue_xmit: the device now plays Egress.'] };
    if (e.kind === 'end') return endTip(path);
    if (e.kind === 'copy') return { title: 'flooded copy', lines: ['br_flood: the bridge does not know the destination, so every other port with flooding on gets a copy (each plays Egress).'] };
  }
  if (e?.kind === 'link') {
    const l = model.links.find((x) => x.id === e.link);
    if (!l) return undefined;
    const a = model.devices.find((d) => d.id === l.a)?.key ?? '';
    const b = model.devices.find((d) => d.id === l.b)?.key ?? '';
    const what: Record<string, string> = {
      veth: 'veth pair: what one end transmits (Egress, veth_xmit) the other end receives (Ingress, via the backlog queue).',
      netkit: 'netkit pair: the transmitting end runs the pair\'s programs (netkit_xmit), the other end receives.',
      wire: 'wire: what one NIC puts on the cable (Egress) the other receives (Ingress: RX ring, IRQ, NAPI poll).',
      'bridge-port': 'bridge port: glue between the bridge and the enslaved device; the port has no role of its own, the device does.',
    };
    return { title: `${a} — ${b}`, lines: [what[l.kind] ?? l.kind] };
  }
  return undefined;
}

function hopTip(model: GraphModel, h: GraphHop): Tip {
  const d = model.devices.find((x) => x.id === h.device);
  const lines: Tip['lines'] = [h.roleExplanation, ['What it did', h.did]];
  for (const k of h.hooks) lines.push([`${k.hook} ▸ ${k.prog}`, `${k.effect}. ${k.hookExplanation}`]);
  for (const n of h.notes) lines.push(n);
  lines.push(['Kernel functions', '']);
  for (const fn of h.stages) lines.push([fn, model.glossary[fn] ?? '']);
  if (d) lines.push(`${d.kind}${d.addrs.length ? ` · ${d.addrs.join(', ')}` : ''}${d.mac ? ` · mac ${d.mac}` : ''}${d.ifindex !== undefined ? ` · ifindex ${d.ifindex}` : ''} — click: go to its definition`);
  return { title: `${hopNumber(h.n)} ${h.dev} — ${h.role === 'ingress' ? 'Ingress' : 'Egress'}`, cls: `tip-${h.role}`, lines };
}

function deviceTip(model: GraphModel, d: GraphDevice, hasPath: boolean): Tip {
  const lines: Tip['lines'] = [`${d.kind}${d.netkit ? ` (${d.netkit.end}, ${d.netkit.mode})` : ''}${d.addrs.length ? ` · ${d.addrs.join(', ')}` : ''}${d.mac ? ` · mac ${d.mac}` : ''}${d.ifindex !== undefined ? ` · ifindex ${d.ifindex}` : ''}`];
  if (d.master) lines.push(`port of ${model.devices.find((x) => x.id === d.master)?.key ?? 'a bridge'}: the port has no role of its own, this device does`);
  for (const a of d.attached) lines.push([`${a.hook} ▸ ${a.prog}`, 'attached here']);
  lines.push(hasPath ? 'This path does not cross this device: it plays no role for it.' : 'Pick a path to see the role it plays.');
  lines.push('click: go to its definition');
  return { title: d.key, lines };
}

function stepTip(model: GraphModel, p: GraphPath, s: GraphStep | undefined): Tip | undefined {
  if (!s) return undefined;
  const a = p.hops[s.from - 1];
  const b = p.hops[s.to - 1];
  return { title: `${hopNumber(s.from)} ${a.dev} → ${hopNumber(s.to)} ${b.dev}`, cls: s.redirect ? 'tip-redirect' : 'tip-step', lines: [s.explanation, ...(s.skips ? [`skips: ${model.devices.find((d) => d.id === s.skips)?.key ?? ''} Egress and the backlog queue`] : [])] };
}

function endTip(p: GraphPath): Tip {
  return { title: `${p.verdict === 'delivered' ? '✔' : p.verdict === 'dropped' ? '✖' : p.verdict === 'left' ? '↗' : '⟳'} ${p.verdict}`, cls: `tip-end-${p.verdict}`, lines: [p.reason ?? (p.verdict === 'delivered' ? `A socket in ${p.end.ns ?? p.to} receives the packet.` : p.end.summary), 'click: go to the path statement'] };
}

function showTip(tip: Tip, x: number, y: number): void {
  const box = el.tooltip;
  const parts: Node[] = [text('div', 'tip-title', tip.title)];
  for (const line of tip.lines) {
    if (typeof line === 'string') { parts.push(text('div', line ? 'tip-line' : 'tip-gap', line)); continue; }
    const row = document.createElement('div');
    row.className = 'tip-row';
    row.append(text('code', '', line[0]), ...(line[1] ? [text('span', '', ` ${line[1]}`)] : []));
    parts.push(row);
  }
  box.className = `tooltip ${tip.cls ?? ''}`;
  box.replaceChildren(...parts);
  box.hidden = false;
  const w = box.offsetWidth;
  const h = box.offsetHeight;
  const left = Math.max(4, Math.min(x + 14, window.innerWidth - w - 8));
  const top = y + 16 + h > window.innerHeight ? Math.max(4, y - h - 10) : y + 16;
  box.style.left = `${left}px`;
  box.style.top = `${top}px`;
}

function hideTip(): void {
  el.tooltip.hidden = true;
}

let hovered: Element | undefined;
function highlight(t: Target | undefined): void {
  hovered?.classList.remove('dl-hover');
  hovered = undefined;
  const c = current();
  if (!t || !c) return;
  const device = t.hop !== undefined ? c.path?.hops[t.hop - 1]?.device : undefined;
  if (device) {
    hovered = el.canvas.querySelector(`g.node[data-dl-node="${device}"]`) ?? undefined;
    hovered?.classList.add('dl-hover');
  }
}

document.addEventListener('mouseover', (e) => {
  if (panning) return;
  const t = targetOf(e);
  const tip = t && tipFor(t);
  highlight(t);
  if (tip) showTip(tip, e.clientX, e.clientY); else hideTip();
});
document.addEventListener('mousemove', (e) => {
  if (!el.tooltip.hidden && !panning) {
    const box = el.tooltip;
    const w = box.offsetWidth;
    const h = box.offsetHeight;
    box.style.left = `${Math.max(4, Math.min(e.clientX + 14, window.innerWidth - w - 8))}px`;
    box.style.top = `${e.clientY + 16 + h > window.innerHeight ? Math.max(4, e.clientY - h - 10) : e.clientY + 16}px`;
  }
});
document.addEventListener('mouseleave', hideTip);
document.addEventListener('focusin', (e) => {
  const t = targetOf(e);
  const tip = t && tipFor(t);
  const r = (e.target as Element).getBoundingClientRect();
  if (tip) showTip(tip, r.left, r.bottom); else hideTip();
});

function revealDevice(model: GraphModel, device: string): void {
  const d = model.devices.find((x) => x.id === device);
  if (d) post({ type: 'reveal', source: d.source });
}

function sourceOf(t: Target): Source | undefined {
  const c = current();
  if (!c) return undefined;
  const { model, path } = c;
  const n = t.node;
  if (n?.kind === 'device') {
    const d = model.devices.find((x) => x.id === n.device);
    if (!d) return undefined;
    if (t.hookIndex !== undefined && t.hookIndex >= 0) {
      // The n-th hook line of the label: the runs of this path, else the attachments.
      const runs = path ? path.hops.filter((h) => h.device === d.id).flatMap((h) => h.hooks) : [];
      const hook = runs.length ? runs[t.hookIndex] : d.attached[t.hookIndex];
      if (hook) return hook.programSource ?? hook.source;
    }
    return d.source;
  }
  if (t.ns) return model.namespaces.find((x) => x.id === t.ns)?.source;
  if (t.edge?.kind === 'link') return undefined;
  if (path && (n || t.edge || t.end || t.step)) return path.source;
  return undefined;
}

el.canvas.addEventListener('click', (e) => {
  if (moved) return;
  const t = targetOf(e);
  if (t?.node?.kind === 'fold' || t?.edge?.kind === 'fold') { setExpand(true); return; }
  const s = t && sourceOf(t);
  if (s) post({ type: 'reveal', source: s });
});
el.canvas.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  const t = targetOf(e);
  const s = t && sourceOf(t);
  if (s) { e.preventDefault(); post({ type: 'reveal', source: s }); }
});
el.details.addEventListener('click', (e) => {
  const t = targetOf(e);
  if (!t || (e.target as Element).closest('button')) return;
  const c = current();
  if (t.hop !== undefined && c?.path) revealDevice(c.model, c.path.hops[t.hop - 1].device);
  else if ((t.step || t.end) && c?.path) post({ type: 'reveal', source: c.path.source });
});

// ---------------------------------------------------------------- zoom and pan

let panning = false;
let moved = false;

function transform(): { x: number; y: number; k: number } {
  return state.transform ?? { x: 0, y: 0, k: 1 };
}

function applyTransform(): void {
  const t = transform();
  el.canvas.style.transform = `translate(${t.x}px, ${t.y}px) scale(${t.k})`;
}

let saveTimer: number | undefined;
function setTransform(t: { x: number; y: number; k: number }): void {
  state.transform = t;
  applyTransform();
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => save({ transform: t }), 200);
}

/**
 * Fit the picture to the pane. `legible` (a new picture) keeps labels readable rather than
 * showing it all: at least 75% size when the width allows, top-aligned; drag or wheel to see the rest.
 */
function fit(legible = false): void {
  const svg = el.canvas.querySelector('svg');
  if (!svg) return;
  const w = Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width;
  const h = Number(svg.getAttribute('height')) || svg.getBoundingClientRect().height;
  const vw = el.viewport.clientWidth;
  const vh = el.viewport.clientHeight;
  if (!w || !h || !vw || !vh) return;
  const byWidth = (vw - 24) / w;
  const all = Math.max(0.05, Math.min(1.25, byWidth, (vh - 24) / h));
  const k = legible ? Math.min(1.25, byWidth, Math.max(all, 0.75)) : all;
  setTransform({ k, x: (vw - w * k) / 2, y: legible && h * k > vh ? 8 : Math.max(8, (vh - h * k) / 2) });
}

function zoomAt(px: number, py: number, factor: number): void {
  const t = transform();
  const k = Math.max(0.05, Math.min(8, t.k * factor));
  setTransform({ k, x: px - (px - t.x) * (k / t.k), y: py - (py - t.y) * (k / t.k) });
}

function zoomCenter(factor: number): void {
  zoomAt(el.viewport.clientWidth / 2, el.viewport.clientHeight / 2, factor);
}

// Ctrl (or ⌘) + wheel, and pinch (which Chromium reports as ctrl + wheel), zoom at the mouse;
// the wheel alone scrolls the picture, as everywhere else in VS Code.
el.viewport.addEventListener('wheel', (e) => {
  e.preventDefault();
  const unit = e.deltaMode === 1 ? 16 : 1;
  if (e.ctrlKey || e.metaKey) {
    const r = el.viewport.getBoundingClientRect();
    zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * unit * 0.0015));
    return;
  }
  const t = transform();
  const dx = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
  const dy = e.shiftKey && !e.deltaX ? 0 : e.deltaY;
  setTransform({ ...t, x: t.x - dx * unit, y: t.y - dy * unit });
}, { passive: false });

let start: { x: number; y: number; tx: number; ty: number } | undefined;
el.viewport.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  const t = transform();
  start = { x: e.clientX, y: e.clientY, tx: t.x, ty: t.y };
  moved = false;
});
window.addEventListener('pointermove', (e) => {
  if (!start) return;
  const dx = e.clientX - start.x;
  const dy = e.clientY - start.y;
  if (!moved && Math.hypot(dx, dy) < 4) return;
  if (!moved) { moved = true; panning = true; hideTip(); el.viewport.classList.add('panning'); }
  setTransform({ ...transform(), x: start.tx + dx, y: start.ty + dy });
});
window.addEventListener('pointerup', () => {
  start = undefined;
  panning = false;
  el.viewport.classList.remove('panning');
  // The click that ends a drag is not a click on what lies under the mouse.
  setTimeout(() => { moved = false; }, 0);
});
el.viewport.addEventListener('keydown', (e) => {
  const t = transform();
  if (e.key === 'ArrowUp' || e.key === 'ArrowDown') setTransform({ ...t, y: t.y + (e.key === 'ArrowUp' ? 40 : -40) });
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') setTransform({ ...t, x: t.x + (e.key === 'ArrowLeft' ? 40 : -40) });
  else if (e.key === '+' || e.key === '=') zoomCenter(1.2);
  else if (e.key === '-') zoomCenter(1 / 1.2);
  else if (e.key === '0') fit();
  else return;
  e.preventDefault();
});
$('zoom-in').addEventListener('click', () => zoomCenter(1.2));
$('zoom-out').addEventListener('click', () => zoomCenter(1 / 1.2));
$('zoom-fit').addEventListener('click', () => fit());
function setExpand(expand: boolean): void {
  save({ expand });
  void draw();
}
$('toggle-fold').addEventListener('click', () => setExpand(!state.expand));
$('toggle-details').addEventListener('click', () => {
  const show = state.details === false;
  save({ details: show });
  el.details.hidden = !show;
  $('toggle-details').setAttribute('aria-pressed', String(show));
});

// ---------------------------------------------------------------- export

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Width of one character of the legend's 12px text, generously (no layout engine in a file). */
const CHAR = 6.8;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, content?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (content !== undefined) e.textContent = content;
  return e;
}

/** A standalone SVG: its own colours (light, or dark where preferred), a title and a legend. */
function exportSvg(): { name: string; svg: string } | undefined {
  const c = current();
  const live = el.canvas.querySelector('svg');
  if (!c || !live) return undefined;
  const svg = live.cloneNode(true) as SVGSVGElement;
  svg.classList.add('dl-export');
  svg.removeAttribute('style');
  for (const n of svg.querySelectorAll('[tabindex]')) n.removeAttribute('tabindex');
  for (const n of svg.querySelectorAll('.dl-hover')) n.classList.remove('dl-hover');
  const vb = live.viewBox.baseVal;
  const head = 64;
  const x = vb.x;
  const y = vb.y - head;
  const height = vb.height + head;
  svg.setAttribute('height', String(height));
  svg.setAttribute('xmlns', SVG_NS);
  const style = svgEl('style', {}, exportCss());
  const header = svgEl('g', { class: 'dl-export-header', transform: `translate(${x + 12}, ${y + 8})` });
  const p = c.path;
  header.append(svgEl('text', { class: 'dl-export-title', x: 0, y: 16 }, `${c.model.title}${p ? ` · ${p.label} · ${p.end.summary}` : ''}`));
  // The legend: the two roles, the path, a redirect, the backlog queue.
  const legend = svgEl('g', { transform: 'translate(0, 30)' });
  let lx = 0;
  const badge = (cls: string, word: string, after: string) => {
    legend.append(svgEl('rect', { class: cls, x: lx, y: 0, width: 62, height: 17, rx: 8.5 }), svgEl('text', { class: 'dl-export-badge', x: lx + 31, y: 12.5, 'text-anchor': 'middle' }, word));
    legend.append(svgEl('text', { class: 'dl-export-sub', x: lx + 68, y: 12.5 }, after));
    lx += 68 + after.length * CHAR + 16;
  };
  badge('dl-export-egress', 'EGRESS', 'last to touch the packet');
  badge('dl-export-ingress', 'INGRESS', 'first to touch it');
  const line = (cls: string, after: string) => {
    legend.append(svgEl('line', { class: cls, x1: lx, y1: 8.5, x2: lx + 30, y2: 8.5 }), svgEl('text', { class: 'dl-export-sub', x: lx + 36, y: 12.5 }, after));
    lx += 36 + after.length * CHAR + 16;
  };
  line('dl-export-path', 'path');
  line('dl-export-redirect', 'eBPF redirect');
  legend.append(svgEl('rect', { class: 'dl-export-queue', x: lx, y: 1, width: 26, height: 15, rx: 4 }), svgEl('text', { class: 'dl-export-sub', x: lx + 32, y: 12.5 }, 'per-CPU backlog queue'));
  lx += 32 + 21 * CHAR;
  header.append(legend);
  const width = Math.max(vb.width, lx + 24);
  svg.setAttribute('viewBox', `${x} ${y} ${width} ${height}`);
  svg.setAttribute('width', String(width));
  const bg = svgEl('rect', { class: 'dl-export-bg', x, y, width, height });
  svg.insertBefore(header, svg.firstChild);
  svg.insertBefore(bg, svg.firstChild);
  svg.insertBefore(style, svg.firstChild);
  const name = p ? p.exportName : c.model.exportName;
  return { name, svg: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}\n` };
}

$('export-svg').addEventListener('click', () => {
  const out = exportSvg();
  if (out) post({ type: 'saveSvg', ...out });
});

// ---------------------------------------------------------------- start

const style = document.createElement('style');
style.textContent = DIAGRAM_CSS;
document.head.appendChild(style);
el.details.hidden = state.details === false;
$('toggle-details').setAttribute('aria-pressed', String(state.details !== false));
// The theme changes the body's class (vscode-light / vscode-dark / vscode-high-contrast).
new MutationObserver(() => { if (good) { drawnKey = ''; void draw(); } }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
window.addEventListener('resize', () => { if (!state.transform) fit(true); });
if (good) void draw();
post({ type: 'ready' });
