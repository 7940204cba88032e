// datapathLens/graph: the preview's data for one document. A topology document gives its own
// picture, with the path under the cursor selected; an eBPF C document gives the picture of
// every topology whose paths run the program under the cursor (or any program of the file).
import type { ProgramModel } from '../inference/program';
import { buildGraphModel, GRAPH_MODEL_VERSION, type GraphModel, type Source } from '../preview/graph-model';
import type { Attachment, ParseResult } from '../topology/model';
import type { DocumentContext } from './context';
import { isCDoc, isTopologyDoc, programsOf } from './navigation';

/** What the preview gets for one document. */
export interface GraphView {
  version: typeof GRAPH_MODEL_VERSION;
  kind: 'topology' | 'c';
  /** The document the preview follows. */
  uri: string;
  /** A topology document: its own picture. A C document: each topology running the program. */
  graphs: GraphModel[];
  /** The path the cursor picks (graph and path index), or null to keep the user's choice. */
  selected: { graph: number; path: number } | null;
  /** C documents: the program under the cursor. */
  focus?: { program: string; source: Source };
  /** Why there is nothing (or less) to draw, in one sentence. */
  note?: string;
}

export function graphFor(ctx: DocumentContext, line?: number): GraphView | null {
  if (isTopologyDoc(ctx)) return topologyGraph(ctx, line);
  if (isCDoc(ctx)) return cGraph(ctx, line);
  return null;
}

const onLine = (r: { start: { line: number }; end: { line: number } }, line: number) => r.start.line <= line && line <= r.end.line;

function model(ctx: DocumentContext, parsed: ParseResult, selected: number | null, focus?: { progs: string[]; file: string }): GraphModel {
  const topo = parsed.topology;
  return buildGraphModel({
    topology: topo,
    paths: ctx.ws.paths(topo.file),
    selected,
    diagnostics: parsed.diagnostics,
    uriOf: ctx.uriOf,
    programSource: (a: Attachment) => {
      const p = ctx.ws.programFor(a);
      return p ? { file: p.file, range: p.nameRange } : undefined;
    },
    ...(focus ? { focus } : {}),
  });
}

function topologyGraph(ctx: DocumentContext, line?: number): GraphView | null {
  const parsed = ctx.ws.topology(ctx.file);
  if (!parsed) return null;
  const under = line === undefined ? -1 : parsed.topology.paths.findIndex((p) => onLine(p.range, line));
  const g = model(ctx, parsed, under >= 0 ? under : null);
  return {
    version: GRAPH_MODEL_VERSION, kind: 'topology', uri: ctx.uri, graphs: [g],
    selected: under >= 0 ? { graph: 0, path: under } : null,
    ...(g.paths.length ? {} : { note: 'No path statement yet: add one (`path pod1 -> pod2`) to see a packet walk through the devices.' }),
  };
}

function cGraph(ctx: DocumentContext, line?: number): GraphView {
  const programs = programsOf(ctx);
  const under = line === undefined ? undefined : programs.find((p) => onLine(p.range, line));
  const chosen: ProgramModel[] = under ? [under] : programs;
  const names = new Set(chosen.map((p) => p.name));
  const runs = (a: Attachment) => names.has(a.prog) && (a.fileAbs ? a.fileAbs === ctx.file : ctx.ws.programFor(a)?.file === ctx.file);
  const found: Array<{ g: GraphModel; first: number }> = [];
  for (const parsed of ctx.ws.topologies()) {
    const topo = parsed.topology;
    if (!topo.attachments.some(runs)) continue;
    const first = ctx.ws.paths(topo.file).findIndex((r) => r.hops.some((h) => h.hooks.some((k) => runs(k.attachment))));
    found.push({ g: model(ctx, parsed, first >= 0 ? first : null, { progs: [...names], file: ctx.file }), first });
  }
  // Topologies whose paths run the program first, then those that only attach it; by file.
  found.sort((a, b) => Number(b.first >= 0) - Number(a.first >= 0) || a.g.file.localeCompare(b.g.file));
  const graphs = found.map((f) => f.g);
  const firstRun = found.findIndex((f) => f.first >= 0);
  const what = under ? `program ${under.name}` : programs.length ? 'any program of this file' : 'no eBPF program (no SEC(...) function) in this file';
  let note: string | undefined;
  if (!programs.length) note = `This file has ${what}.`;
  else if (!graphs.length) note = `No topology file of the workspace attaches ${what}: add an attach line (attach tc-ingress DEV prog ${under?.name ?? chosen[0].name} file "...") to a .topo file.`;
  else if (firstRun < 0) note = `The topologies attach ${what}, but none of their path statements runs it.`;
  return {
    version: GRAPH_MODEL_VERSION, kind: 'c', uri: ctx.uri, graphs,
    selected: firstRun >= 0 ? { graph: firstRun, path: found[firstRun].first } : null,
    ...(under ? { focus: { program: under.name, source: { uri: ctx.uri, range: under.nameRange } } } : {}),
    ...(note ? { note } : {}),
  };
}
