// GraphModel → mermaid flowchart text. Ids are generated (d0, s1, l2, ...), never user names;
// every label goes through `label()`, which writes anything but plain letters, digits and a
// few punctuation marks as a mermaid entity code (#60; for `<`), so a name cannot end a
// string, open a shape, start a comment or inject markup. The only markup in labels is ours
// (<b>, <br>, <span class>), and mermaid's `securityLevel: 'strict'` sanitizes labels again.
// Imported by the webview bundle too: types only from graph-model (it uses node: modules).
import type { GraphDevice, GraphHop, GraphModel, GraphPath, GraphStep } from './graph-model';

/** Above this many drawn devices labels shrink to one line, so mermaid lays them out in time. */
export const COMPACT_ABOVE = 150;
/**
 * Above this many devices, veth pairs that lead off the path into a namespace of their own
 * (a pod's) fold into one node per bridge or namespace: mermaid's layout (dagre) takes
 * seconds for hundreds of nodes and clusters, and such a picture teaches nothing more.
 * `fold: false` draws every device anyway.
 */
export const FOLD_ABOVE = 60;

/** What a mermaid node stands for. */
export type NodeRef =
  | { kind: 'device'; device: string; hops: number[] }
  | { kind: 'queue'; step: string }
  | { kind: 'skipped-queue'; step: string }
  | { kind: 'start' }
  | { kind: 'end' }
  /** Folded veth pairs: [side in the bigger namespace, pod side] device ids. */
  | { kind: 'fold'; pairs: Array<[string, string]>; bridge?: string };

/** What a mermaid edge stands for, and the classes the webview gives its SVG path. */
export type EdgeRef =
  | { kind: 'step'; step: string; classes: string[] }
  | { kind: 'link'; link: string; classes: string[] }
  | { kind: 'copy'; hop: number; device: string; classes: string[] }
  | { kind: 'start'; classes: string[] }
  | { kind: 'end'; classes: string[] }
  | { kind: 'fold'; fold: string; classes: string[] };

export interface MermaidDiagram {
  text: string;
  /** mermaid refuses more edges than `maxEdges` and more text than `maxTextSize` (defaults 500 and 50,000): raised to fit. */
  maxEdges: number;
  maxTextSize: number;
  nodes: Record<string, NodeRef>;
  edges: Record<string, EdgeRef>;
  /** The path drawn, or null. */
  path: number | null;
  compact: boolean;
  /** How many devices are folded into summary nodes (0: one node per device). */
  folded: number;
}

export interface MermaidOptions {
  /** Which path to draw (default: the model's selected one); null draws the topology alone. */
  path?: number | null;
  /** One-line labels (default: when more than `compactAbove` devices are drawn). */
  compact?: boolean;
  compactAbove?: number;
  /** Fold pod pairs off the path (default: when the topology has more than FOLD_ABOVE devices). */
  fold?: boolean;
  /** Layout direction (default LR: a path reads left to right). */
  direction?: 'LR' | 'TB';
}

const SAFE = /[A-Za-z0-9 _.,/@+=-]/;

/** Text for inside a mermaid `"..."` label: everything but SAFE ASCII becomes `#code;`. */
export function label(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (SAFE.test(ch)) out += ch;
    else if (cp < 32 || cp === 0x7f || cp === 0x2028 || cp === 0x2029) out += ' ';
    // Non-ASCII (→, ①, letters) is text to mermaid and HTML alike; ASCII punctuation is not.
    else if (cp < 128) out += `#${cp};`;
    else out += ch;
  }
  return out;
}

const span = (cls: string, text: string) => `<span class='${cls}'>${text}</span>`;
const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';
/** ① … ⑳, then (21). */
export const hopNumber = (n: number): string => (n >= 1 && n <= 20 ? [...CIRCLED][n - 1] : `(${n})`);
export const roleWord = (role: string): string => (role === 'ingress' ? 'INGRESS' : 'EGRESS');
/** `tc-ingress` → `tc ingress` (code lenses use it too). */
export const hookWord = (h: string): string => h.replace('-', ' ');

export function toMermaid(model: GraphModel, opts: MermaidOptions = {}): MermaidDiagram {
  const pathIndex = opts.path === undefined ? model.selected : opts.path;
  const p: GraphPath | undefined = pathIndex !== null && pathIndex !== undefined ? model.paths[pathIndex] : undefined;
  const folds = opts.fold ?? model.devices.length > FOLD_ABOVE ? foldGroups(model, p) : [];
  const foldOf = new Map<string, number>();
  folds.forEach((f, i) => { for (const pair of f.pairs) for (const id of pair) foldOf.set(id, i); });
  const compact = opts.compact ?? model.devices.length - foldOf.size > (opts.compactAbove ?? COMPACT_ABOVE);
  const nodes: Record<string, NodeRef> = {};
  const edges: Record<string, EdgeRef> = {};
  const byId = new Map(model.devices.map((d) => [d.id, d]));
  const hopsOf = new Map<string, GraphHop[]>();
  for (const h of p?.hops ?? []) hopsOf.set(h.device, [...(hopsOf.get(h.device) ?? []), h]);

  /** Node declarations per namespace id ('' = outside every namespace). */
  const inNs = new Map<string, string[]>();
  const declare = (nsId: string | undefined, line: string) => {
    const k = nsId ?? '';
    inNs.set(k, [...(inNs.get(k) ?? []), line]);
  };
  const nsIdOf = (name: string | undefined) => model.namespaces.find((n) => n.name === name)?.id;
  const classLines: string[] = [];
  const edgeLines: string[] = [];

  const drawnPerNs = new Map<string, number>();
  for (const d of model.devices) if (!foldOf.has(d.id)) drawnPerNs.set(d.nsId, (drawnPerNs.get(d.nsId) ?? 0) + 1);
  const soloNs = new Set([...drawnPerNs].filter(([id, n]) => n === 1 && model.namespaces.find((x) => x.id === id)?.name !== p?.startNs && model.namespaces.find((x) => x.id === id)?.name !== p?.end.ns).map(([id]) => id));
  for (const d of model.devices) {
    if (foldOf.has(d.id)) continue;
    const hops = hopsOf.get(d.id) ?? [];
    nodes[d.id] = { kind: 'device', device: d.id, hops: hops.map((h) => h.n) };
    declare(d.nsId, `${d.id}["${deviceLabel(d, hops, compact, compact && soloNs.has(d.nsId))}"]`);
    const cls = ['dl_dev', `dl_${d.kind}`];
    if (hops.length) cls.push('dl_onpath', ...new Set(hops.map((h) => `dl_${h.role}`)));
    else if (p) cls.push('dl_offpath');
    if (hops.some((h) => h.hooks.some((k) => k.focus))) cls.push('dl_focus');
    if (p && p.end.verdict === 'dropped' && hops.some((h) => h.n === p.hops.length)) cls.push('dl_drop');
    for (const c of cls) classLines.push(`class ${d.id} ${c}`);
  }

  // The topology's links, unless a step of the path draws the same pair.
  const covered = new Set<string>();
  const skippedLinks = new Map<string, GraphStep>();
  if (p) {
    for (const s of p.steps) {
      const a = p.hops[s.from - 1].device;
      const b = p.hops[s.to - 1].device;
      if (s.via === 'veth' || s.via === 'netkit' || s.via === 'wire') covered.add([a, b].sort().join('|'));
      if (s.via === 'up') covered.add([a, b].sort().join('|'));
      if (s.skips) {
        const t = byId.get(s.skips);
        const peer = t && model.links.find((l) => (l.kind === 'veth' || l.kind === 'netkit') && (l.a === t.id || l.b === t.id));
        if (peer) skippedLinks.set(peer.id, s);
      }
    }
  }
  folds.forEach((f, i) => {
    const id = `f${i}`;
    nodes[id] = { kind: 'fold', pairs: f.pairs, ...(f.bridge ? { bridge: f.bridge } : {}) };
    const names = f.pairs.map(([a]) => byId.get(a)!.name);
    const range = names.length > 2 ? `${names[0]} … ${names[names.length - 1]}` : names.join(', ');
    const on = f.bridge ? ` on ${byId.get(f.bridge)!.name}` : '';
    declare(f.nsId, `${id}[["${label(`+${f.pairs.length} veth pairs to their own namespaces${on}`)}<br>${span('dl-meta', label(`${range} · click to show them all`))}"]]`);
    classLines.push(`class ${id} dl_fold`);
    if (f.bridge) {
      edgeLines.push(`${id} ${id}l@-.-${compact ? '' : `|"${label(`${f.pairs.length} ports`)}"|`} ${f.bridge}`);
      edges[`${id}l`] = { kind: 'fold', fold: id, classes: ['dl_link', 'dl_link_bridge-port'] };
    }
  });
  for (const l of model.links) {
    if (foldOf.has(l.a) || foldOf.has(l.b)) continue;
    if (covered.has([l.a, l.b].sort().join('|'))) continue;
    const skip = skippedLinks.get(l.id);
    if (skip) {
      // A peer redirect jumps over this veth's Egress and its backlog queue: draw the queue it skips.
      const target = skip.skips!;
      const other = l.a === target ? l.b : l.a;
      const q = `g${skip.to}`;
      nodes[q] = { kind: 'skipped-queue', step: skip.id };
      declare(undefined, `${q}@{ shape: das, label: "${label(compact ? 'backlog (skipped)' : 'backlog queue · skipped')}" }`);
      classLines.push(`class ${q} dl_queue`, `class ${q} dl_skipped`);
      edgeLines.push(`${target} ${l.id}@-.- ${q}`, `${q} ${l.id}b@-.- ${other}`);
      edges[l.id] = { kind: 'link', link: l.id, classes: ['dl_link', `dl_link_${l.kind}`, 'dl_skipped'] };
      edges[`${l.id}b`] = { kind: 'link', link: l.id, classes: ['dl_link', `dl_link_${l.kind}`, 'dl_skipped'] };
      continue;
    }
    const text = compact ? '' : l.kind === 'wire' ? 'wire' : l.kind === 'bridge-port' ? 'port' : l.kind === 'veth' ? 'veth pair' : 'netkit pair';
    const arrow = l.kind === 'wire' ? '===' : l.kind === 'bridge-port' ? '-.-' : '---';
    edgeLines.push(`${l.a} ${l.id}@${arrow}${text ? `|"${label(text)}"|` : ''} ${l.b}`);
    edges[l.id] = { kind: 'link', link: l.id, classes: ['dl_link', `dl_link_${l.kind}`] };
  }

  if (p) {
    const startNs = nsIdOf(p.startNs);
    nodes.p0 = { kind: 'start' };
    declare(startNs, `p0(["${label(`● ${compact ? p.from : `socket in ${p.startNs ?? p.from} · ${p.proto}`}`)}"])`);
    classLines.push('class p0 dl_start');
    const first = p.hops[0];
    if (first) {
      edgeLines.push(`p0 e_start@==>${compact ? '' : `|"${label('ip_local_out')}"|`} ${first.device}`);
      edges.e_start = { kind: 'start', classes: ['dl_step', 'dl_via_stack'] };
    }
    for (const s of p.steps) {
      const a = p.hops[s.from - 1].device;
      const b = p.hops[s.to - 1].device;
      const cls = ['dl_step', `dl_via_${s.via}`, ...(s.redirect ? ['dl_redirect'] : [])];
      const text = compact ? '' : `|"${label(s.label)}"|`;
      const arrow = s.via === 'peer-redirect' ? '-.->' : s.redirect ? '-.->' : '==>';
      if (s.queue) {
        const q = `q${s.to}`;
        nodes[q] = { kind: 'queue', step: s.id };
        const qText = s.queue === 'backlog' ? (compact ? 'backlog' : 'per-CPU backlog queue → process_backlog') : (compact ? 'XDP ring' : 'peer XDP ring → veth_poll');
        // The queue belongs to no namespace: it is the CPU's (softnet_data.input_pkt_queue).
        declare(undefined, `${q}@{ shape: das, label: "${label(qText)}" }`);
        classLines.push(`class ${q} dl_queue`);
        edgeLines.push(`${a} ${s.id}@${arrow}${text} ${q}`, `${q} ${s.id}b@${arrow} ${b}`);
        edges[`${s.id}b`] = { kind: 'step', step: s.id, classes: cls };
      } else {
        edgeLines.push(`${a} ${s.id}@${arrow}${text} ${b}`);
      }
      edges[s.id] = { kind: 'step', step: s.id, classes: cls };
    }
    for (const h of p.hops) {
      h.copies.forEach((c, i) => {
        if (!byId.has(c)) return;
        const id = `c${h.n}_${i}`;
        edgeLines.push(`${h.device} ${id}@-.->${compact ? '' : `|"${label('flood copy')}"|`} ${c}`);
        edges[id] = { kind: 'copy', hop: h.n, device: c, classes: ['dl_copy'] };
      });
    }
    const endNs = nsIdOf(p.end.ns);
    nodes.p1 = { kind: 'end' };
    const endText = label(`${endGlyph(p.end.verdict)} ${p.end.summary}`);
    const shape = p.end.verdict === 'dropped' ? `{{"${endText}"}}` : p.end.verdict === 'left' ? `>"${endText}"]` : `(["${endText}"])`;
    declare(p.end.verdict === 'left' ? undefined : endNs, `p1${shape}`);
    classLines.push('class p1 dl_end', `class p1 dl_end_${p.end.verdict}`);
    const last = p.hops[p.hops.length - 1];
    edgeLines.push(`${last ? last.device : 'p0'} e_fin@==> p1`);
    edges.e_fin = { kind: 'end', classes: ['dl_step', `dl_end_${p.end.verdict}`] };
  }

  const lines = [`flowchart ${opts.direction ?? 'TB'}`];
  for (const ns of model.namespaces) {
    const body = inNs.get(ns.id);
    if (!body) continue;
    // Compact pictures draw a namespace holding one device as that device alone (its label
    // says name@ns): mermaid's layout pays dearly for every cluster.
    if (compact && body.length === 1 && soloNs.has(ns.id)) { lines.push(`  ${body[0]}`); continue; }
    lines.push(`  subgraph ${ns.id}["${label(compact ? ns.name : `netns ${ns.name}${ns.forwarding ? ' · forwarding' : ''}`)}"]`);
    for (const b of body) lines.push(`    ${b}`);
    lines.push('  end');
    classLines.push(`class ${ns.id} dl_ns`);
  }
  for (const b of inNs.get('') ?? []) lines.push(`  ${b}`);
  for (const e of edgeLines) lines.push(`  ${e}`);
  for (const c of classLines) lines.push(`  ${c}`);
  const text = `${lines.join('\n')}\n`;
  return {
    text,
    maxEdges: Math.max(500, edgeLines.length * 2),
    maxTextSize: Math.max(50_000, text.length * 2),
    nodes, edges,
    path: p ? p.index : null,
    compact,
    folded: foldOf.size,
  };
}

interface FoldGroup { nsId: string; bridge?: string; pairs: Array<[string, string]> }

/**
 * veth and netkit pairs off the path whose one end is alone in its namespace (a pod) and
 * runs no program, grouped by the other end's bridge (or namespace). The path's own
 * namespaces and devices, and the device a peer redirect skips, always stay.
 */
function foldGroups(model: GraphModel, p: GraphPath | undefined): FoldGroup[] {
  const keep = new Set<string>();
  for (const h of p?.hops ?? []) { keep.add(h.device); for (const c of h.copies) keep.add(c); }
  for (const s of p?.steps ?? []) if (s.skips) keep.add(s.skips);
  const keepNs = new Set([p?.startNs, p?.end.ns].filter((x): x is string => !!x));
  const perNs = new Map<string, number>();
  for (const d of model.devices) perNs.set(d.ns, (perNs.get(d.ns) ?? 0) + 1);
  const byId = new Map(model.devices.map((d) => [d.id, d]));
  const groups = new Map<string, FoldGroup>();
  for (const l of model.links) {
    if (l.kind !== 'veth' && l.kind !== 'netkit') continue;
    const a = byId.get(l.a)!;
    const b = byId.get(l.b)!;
    if (keep.has(a.id) || keep.has(b.id) || a.attached.length || b.attached.length) continue;
    const alone = (d: GraphDevice) => perNs.get(d.ns) === 1 && !keepNs.has(d.ns);
    const [inner, outer] = alone(a) && !alone(b) ? [a, b] : alone(b) && !alone(a) ? [b, a] : [undefined, undefined];
    if (!inner || !outer) continue;
    const key = outer.master ? `br:${outer.master}` : `ns:${outer.nsId}`;
    const g = groups.get(key) ?? { nsId: outer.nsId, ...(outer.master ? { bridge: outer.master } : {}), pairs: [] };
    g.pairs.push([outer.id, inner.id]);
    groups.set(key, g);
  }
  // Folding one pair saves nothing.
  return [...groups.values()].filter((g) => g.pairs.length > 1);
}

const endGlyph = (v: string) => (v === 'delivered' ? '✔' : v === 'dropped' ? '✖' : v === 'left' ? '↗' : '⟳');

function deviceLabel(d: GraphDevice, hops: GraphHop[], compact: boolean, withNs = false): string {
  const badges = hops.map((h) => span(`dl-badge dl-badge-${h.role}`, label(`${hopNumber(h.n)} ${roleWord(h.role)}`)));
  if (compact) return [...badges, `<b>${label(withNs ? d.key : d.name)}</b>`].join(' ');
  const lines: string[] = [];
  if (badges.length) lines.push(badges.join(' '));
  lines.push(`<b>${label(d.name)}</b>`);
  const kind = d.kind === 'netkit' && d.netkit ? `netkit ${d.netkit.end}` : d.kind;
  lines.push(span('dl-meta', label([kind, ...d.addrs].join(' · '))));
  const ran = hops.flatMap((h) => h.hooks.map((k) => ({ k, h })));
  if (ran.length) {
    for (const { k } of ran) lines.push(span(`dl-hook dl-hook-${k.action}${k.focus ? ' dl-hook-focus' : ''}`, label(`${hookWord(k.hook)} ▸ ${k.prog} → ${k.result}`)));
  } else {
    for (const a of d.attached) lines.push(span('dl-hook dl-hook-idle', label(`${hookWord(a.hook)} ▸ ${a.prog}`)));
  }
  return lines.join('<br>');
}
