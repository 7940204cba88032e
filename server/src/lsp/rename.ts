// Rename: topology devices and namespaces (every ref in the same file), and programs (the C
// function's name plus every attach line naming it, in every topology of the workspace).
import type { Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { ProgramModel } from '../inference/program';
import { devKey, HOST_NS, type Topology } from '../topology/model';
import { isName } from '../topology/syntax';
import type { DocumentContext } from './context';
import { attachLinesOf, programNameAt, topologyTarget } from './navigation';

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern',
  'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed',
  'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while',
  '_Bool', '_Complex', '_Imaginary', '_Alignas', '_Alignof', '_Atomic', '_Generic', '_Noreturn', '_Static_assert', '_Thread_local',
]);

export const isCIdentifier = (s: string): boolean => C_IDENT.test(s) && !C_KEYWORDS.has(s);

type Target =
  | { kind: 'device'; topo: Topology; key: string; range: Range }
  | { kind: 'namespace'; topo: Topology; name: string; range: Range }
  | { kind: 'program'; name: string; program?: ProgramModel; range: Range };

function targetAt(ctx: DocumentContext, position: Position): Target | undefined {
  const program = programNameAt(ctx, position);
  if (program) return { kind: 'program', name: program.name, program, range: program.nameRange };
  const hit = topologyTarget(ctx, position);
  if (!hit) return undefined;
  const { topo, at } = hit;
  if (at.kind === 'device') return { kind: 'device', topo, key: at.key, range: at.range };
  // `host` is the root namespace: its name is fixed.
  if (at.kind === 'namespace' && at.name !== HOST_NS) return { kind: 'namespace', topo, name: at.name, range: at.range };
  if (at.kind === 'program') return { kind: 'program', name: at.name, program: ctx.ws.programFor(at.attachment), range: at.range };
  return undefined;
}

export function prepareRename(ctx: DocumentContext, position: Position): Range | null {
  try {
    return targetAt(ctx, position)?.range ?? null;
  } catch {
    return null;
  }
}

export function rename(ctx: DocumentContext, position: Position, newName: string): WorkspaceEdit | null {
  try {
    const t = targetAt(ctx, position);
    if (!t) return null;
    const changes: Record<string, TextEdit[]> = {};
    const add = (uri: string, range: Range) => (changes[uri] ??= []).push({ range, newText: newName });
    switch (t.kind) {
      case 'device': {
        const dev = t.topo.devices.get(t.key);
        if (!isName(newName) || !dev) return null;
        // Two devices of one name in one namespace would be a topo-duplicate.
        if (newName !== dev.name && t.topo.devices.has(devKey(newName, dev.ns))) return null;
        // A bare name in a path is a namespace first: a host device must not take a namespace's name.
        if (dev.ns === HOST_NS && t.topo.namespaces.has(newName)) return null;
        for (const r of t.topo.refs) if (r.kind === 'device' && r.target === t.key) add(ctx.uri, r.range);
        break;
      }
      case 'namespace': {
        if (!isName(newName) || newName === HOST_NS) return null;
        if (newName !== t.name && t.topo.namespaces.has(newName)) return null;
        for (const r of t.topo.refs) if (r.kind === 'namespace' && r.target === t.name) add(ctx.uri, r.range);
        break;
      }
      case 'program': {
        if (!isCIdentifier(newName)) return null;
        if (t.program) add(ctx.uriOf(t.program.file), t.program.nameRange);
        for (const { topo, attachment } of attachLinesOf(ctx.ws, t.program ?? { name: t.name })) add(ctx.uriOf(topo.file), attachment.progRange);
        break;
      }
    }
    return Object.keys(changes).length ? { changes } : null;
  } catch {
    return null;
  }
}
