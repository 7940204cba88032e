// The outline: a topology's namespaces (holding their devices), devices of the root namespace,
// routes, attach lines and paths; a C file's eBPF programs with their sections.
import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver';
import type { Device, Topology } from '../topology/model';
import type { DocumentContext } from './context';
import { isCDoc, programsOf, topologyOf } from './navigation';

export function documentSymbols(ctx: DocumentContext): DocumentSymbol[] {
  try {
    if (isCDoc(ctx)) {
      return programsOf(ctx).map((p) => ({
        name: p.name, detail: `SEC("${p.section}")`, kind: SymbolKind.Function,
        range: p.range, selectionRange: within(p.nameRange, p.range),
      }));
    }
    const topo = topologyOf(ctx);
    return topo ? topologySymbols(topo) : [];
  } catch {
    return [];
  }
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** The smallest range covering both. */
function union(a: Range, b: Range): Range {
  return { start: before(b.start, a.start) ? b.start : a.start, end: before(a.end, b.end) ? b.end : a.end };
}

/** selectionRange must lie inside range; fall back to range when the model says otherwise. */
function within(sel: Range, range: Range): Range {
  return before(sel.start, range.start) || before(range.end, sel.end) ? range : sel;
}

function deviceSymbol(d: Device): DocumentSymbol {
  const detail = [d.kind, ...d.addrs.map((a) => a.text), ...(d.peer ? [`peer ${d.peer}`] : [])].join(' ');
  return { name: d.key, detail, kind: SymbolKind.Interface, range: d.range, selectionRange: within(d.nameRange, d.range) };
}

function topologySymbols(topo: Topology): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const declared = [...topo.namespaces.values()].filter((n) => n.range && n.nameRange);
  const inDeclared = new Set(declared.map((n) => n.name));
  for (const ns of declared) {
    const children = [...topo.devices.values()].filter((d) => d.ns === ns.name).map(deviceSymbol);
    // The namespace spans its devices too, so an outline that follows the cursor finds them in it.
    const range = children.reduce((r, c) => union(r, c.range), ns.range!);
    out.push({
      name: ns.name, detail: ns.forwarding ? 'netns, forwarding' : 'netns', kind: SymbolKind.Namespace,
      range, selectionRange: ns.nameRange!, children,
    });
  }
  for (const d of topo.devices.values()) if (!inDeclared.has(d.ns)) out.push(deviceSymbol(d));
  for (const r of topo.routes) {
    const to = [r.viaText ? `via ${r.viaText}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' ');
    out.push({ name: `route ${r.destText}${r.ns !== 'host' ? ` @${r.ns}` : ''}`, detail: to, kind: SymbolKind.Field, range: r.range, selectionRange: r.range });
  }
  for (const a of topo.attachments) {
    out.push({ name: `${a.hook} ${a.dev}: ${a.prog}`, detail: a.file ?? '', kind: SymbolKind.Event, range: a.range, selectionRange: within(a.progRange, a.range) });
  }
  for (const p of topo.paths) {
    const proto = p.proto.kind === 'icmp' ? 'icmp' : `${p.proto.kind} ${p.proto.port}`;
    out.push({ name: `path ${p.from.text} -> ${p.to.text}`, detail: proto, kind: SymbolKind.Function, range: p.range, selectionRange: p.range });
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
