// Go to definition and find references: topology names through the model's refs, programs
// between attach lines and their C functions. Also the lookups the other features share
// (which kind of document, which program is under the cursor, where a program runs).
import type { Location, Position } from 'vscode-languageserver';
import type { PlacedProgram, Workspace } from '../inference/workspace';
import { attachmentNames } from '../inference/placement';
import type { ProgramModel } from '../inference/program';
import { contains, whatIsAt, type WhatIsAt } from '../topology/at-position';
import type { Attachment, Range, Topology } from '../topology/model';
import type { DocumentContext } from './context';

export function isTopologyDoc(ctx: DocumentContext): boolean {
  return ctx.languageId === 'topology' || ctx.file.endsWith('.topo');
}

export function isCDoc(ctx: DocumentContext): boolean {
  return ctx.languageId === 'c' || /\.[ch]$/.test(ctx.file);
}

/** The parsed topology of this document, if it is one the workspace holds. */
export function topologyOf(ctx: DocumentContext): Topology | undefined {
  if (!isTopologyDoc(ctx)) return undefined;
  return ctx.ws.topology(ctx.file)?.topology;
}

/** What the cursor is on in this topology document. */
export function topologyTarget(ctx: DocumentContext, position: Position): { topo: Topology; at: WhatIsAt } | undefined {
  const topo = topologyOf(ctx);
  if (!topo) return undefined;
  const at = whatIsAt(topo, ctx.text, position);
  return at ? { topo, at } : undefined;
}

export function programsOf(ctx: DocumentContext): ProgramModel[] {
  if (!isCDoc(ctx)) return [];
  return ctx.ws.cFile(ctx.file)?.programs ?? [];
}

/** The program whose function name is under the cursor (C documents). */
export function programNameAt(ctx: DocumentContext, position: Position): ProgramModel | undefined {
  return programsOf(ctx).find((p) => contains(p.nameRange, position));
}

/** The program whose body holds the cursor (C documents). */
export function enclosingProgram(ctx: DocumentContext, position: Position): ProgramModel | undefined {
  return programsOf(ctx).find((p) => contains(p.range, position));
}

/** Where the core placed this program (same file and name). */
export function placementOf(ws: Workspace, model: { name: string; file: string }): PlacedProgram | undefined {
  return ws.placed().find((p) => p.model.name === model.name && p.model.file === model.file);
}

/** Every attach line of every topology that names this program. */
export function attachLinesOf(ws: Workspace, program: { name: string; file?: string }): Array<{ topo: Topology; attachment: Attachment }> {
  const out: Array<{ topo: Topology; attachment: Attachment }> = [];
  for (const { topology } of ws.topologies()) {
    for (const a of topology.attachments) {
      const names = program.file ? attachmentNames(a, { name: program.name, file: program.file }) : a.prog === program.name;
      if (names) out.push({ topo: topology, attachment: a });
    }
  }
  return out;
}

const loc = (uri: string, range: Range): Location => ({ uri, range });

/** Where a device or namespace is written in its topology file, the declaration as `keep` says. */
function nameRefs(ctx: DocumentContext, topo: Topology, at: { kind: 'device'; key: string } | { kind: 'namespace'; name: string }, keep: (declaration: boolean) => boolean): Location[] {
  const target = at.kind === 'device' ? at.key : at.name;
  return topo.refs.filter((r) => r.kind === at.kind && r.target === target && keep(r.declaration)).map((r) => loc(ctx.uri, r.range));
}

export function definition(ctx: DocumentContext, position: Position): Location[] {
  try {
    const hit = topologyTarget(ctx, position);
    if (!hit) return [];
    const { topo, at } = hit;
    switch (at.kind) {
      case 'device':
      case 'namespace':
        return nameRefs(ctx, topo, at, (declaration) => declaration);
      case 'program': {
        const p = ctx.ws.programFor(at.attachment);
        return p ? [loc(ctx.uriOf(p.file), p.nameRange)] : [];
      }
      default:
        return [];
    }
  } catch {
    return [];
  }
}

export function references(ctx: DocumentContext, position: Position, includeDeclaration: boolean): Location[] {
  try {
    const program = programNameAt(ctx, position);
    if (program) return programReferences(ctx, program, program.name, includeDeclaration);
    const hit = topologyTarget(ctx, position);
    if (!hit) return [];
    const { topo, at } = hit;
    switch (at.kind) {
      case 'device':
      case 'namespace':
        return nameRefs(ctx, topo, at, (declaration) => includeDeclaration || !declaration);
      case 'program':
        return programReferences(ctx, ctx.ws.programFor(at.attachment), at.name, includeDeclaration);
      default:
        return [];
    }
  } catch {
    return [];
  }
}

function programReferences(ctx: DocumentContext, program: ProgramModel | undefined, name: string, includeDeclaration: boolean): Location[] {
  const out: Location[] = [];
  if (program && includeDeclaration) out.push(loc(ctx.uriOf(program.file), program.nameRange));
  for (const { topo, attachment } of attachLinesOf(ctx.ws, program ?? { name })) out.push(loc(ctx.uriOf(topo.file), attachment.progRange));
  return out;
}
