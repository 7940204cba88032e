// Completion in topology files: what the statement being typed expects next (topology-dsl.md),
// filled from the parsed model (devices, namespaces) and the workspace's C programs.
import * as path from 'node:path';
import {
  CompletionItemKind, InsertTextFormat,
  type CompletionItem, type Position, type Range,
} from 'vscode-languageserver';
import { lineBefore, lineOf, lineTokens } from '../topology/at-position';
import type { Token } from '../topology/lex';
import { HOOKS, HOST_NS, type Device, type Topology } from '../topology/model';
import { explainHook } from '../datapath/explain';
import type { DocumentContext } from './context';
import { isTopologyDoc } from './navigation';

const SNIPPETS: Record<string, { snippet: string; detail: string }> = {
  netns: { snippet: 'netns ${1:name}', detail: 'netns NAME [forwarding]: a network namespace' },
  nic: { snippet: 'nic ${1:eth0} ${2:192.168.1.10/24}', detail: 'nic DEV [CIDR]: a physical NIC' },
  veth: { snippet: 'veth ${1:eth0}@${2:ns} ${3:10.0.0.2/24} -- ${4:veth0}', detail: 'veth DEV [CIDR] -- DEV [CIDR]: a veth pair' },
  bridge: { snippet: 'bridge ${1:br0} ${2:10.0.0.1/24} ports ${3:veth0}', detail: 'bridge DEV [CIDR] [ports DEV ...]: a Linux bridge' },
  wire: { snippet: 'wire ${1:eth0@a} -- ${2:eth0@b}', detail: 'wire DEV -- DEV: a cable between two NICs' },
  netkit: { snippet: 'netkit ${1:nk0} -- ${2:eth0}@${3:ns}', detail: 'netkit DEV [CIDR] -- DEV [CIDR] [mode l2|l3]: a netkit pair' },
  route: { snippet: 'route ${1:default} via ${2:10.0.0.1}', detail: 'route [@NS] DEST [via IP] [dev NAME]' },
  attach: { snippet: `attach \${1|${HOOKS.join(',')}|} \${2:dev} prog \${3:name}`, detail: 'attach HOOK DEV prog NAME [file "PATH"] [redirect-to DEV] [priority N]' },
  path: { snippet: 'path ${1:from} -> ${2:to}', detail: 'path FROM -> TO [icmp | udp PORT | tcp PORT]' },
  map: { snippet: 'map ${1:name} ${2:key} => ${3:value}', detail: 'map NAME [file "PATH"] KEY => VALUE' },
};

export function completion(ctx: DocumentContext, position: Position): CompletionItem[] {
  try {
    if (!isTopologyDoc(ctx)) return [];
    return complete(ctx, position);
  } catch {
    return [];
  }
}

function complete(ctx: DocumentContext, position: Position): CompletionItem[] {
  const topo = ctx.ws.topology(ctx.file)?.topology;
  const lc = lineBefore(ctx.text, position);
  if (lc.inComment) return [];
  const at = (character: number): Range => ({ start: { line: position.line, character }, end: position });
  const replace = at(lc.partial ? lc.partial.start : position.character);
  const kw = lc.tokens[0]?.kind === 'word' ? lc.tokens[0].text : undefined;
  const args = lc.tokens.slice(1);
  const prev = args[args.length - 1];
  const prevWord = prev?.kind === 'word' ? prev.text : undefined;

  if (lc.inString) {
    if (prevWord !== 'file') return [];
    const after = lineOf(ctx.text, position.line)?.[position.character];
    return cFiles(ctx).map((f) => item(f, CompletionItemKind.File, at(lc.inString!.start + 1), after === '"' ? f : `${f}"`, 'eBPF C file'));
  }
  if (!kw) {
    return Object.entries(SNIPPETS).map(([k, s]) => ({
      label: k, kind: CompletionItemKind.Keyword, detail: s.detail,
      insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: s.snippet },
    }));
  }
  // After `@`: the namespaces (a DEV's namespace, or a route's `@NS`).
  const partial = lc.partial?.text ?? '';
  const atSign = partial.indexOf('@');
  if (atSign >= 0) {
    return namespaces(topo).map((n) => item(n, CompletionItemKind.Module, at(lc.partial!.start + atSign + 1), n, 'namespace'));
  }
  const words = (list: string[], detail = 'keyword') => list.map((w) => item(w, CompletionItemKind.Keyword, replace, w, detail));
  const devs = (filter: (d: Device) => boolean = () => true) => devices(topo).filter(filter).map((d) => deviceItem(d, replace));
  const used = (w: string) => args.some((t) => t.kind === 'word' && t.text === w);

  switch (kw) {
    case 'netns':
      return args.length === 1 && !used('forwarding') ? words(['forwarding']) : [];
    case 'nic':
      if (!args.length || prevWord === 'ifindex' || prevWord === 'mac') return [];
      return words(['ifindex', 'mac'].filter((w) => !used(w)));
    case 'veth':
    case 'netkit': {
      if (!args.length || prev?.kind === 'pair' || prevWord === 'ifindex' || prevWord === 'mac') return [];
      if (kw === 'netkit' && prevWord === 'mode') return words(['l2', 'l3'], 'netkit mode');
      const pair = args.some((t) => t.kind === 'pair');
      return words([...(pair ? [] : ['--']), 'ifindex', 'mac', ...(pair && kw === 'netkit' ? ['mode'] : [])]);
    }
    case 'bridge': {
      if (!args.length || prevWord === 'ifindex' || prevWord === 'mac') return [];
      if (used('ports')) {
        const brNs = nsOf(args[0]);
        const listed = new Set(args.slice(args.findIndex((t) => t.text === 'ports') + 1).map((t) => t.text));
        return devices(topo).filter((d) => d.ns === brNs && d.kind !== 'bridge' && !listed.has(d.name))
          .map((d) => item(d.name, CompletionItemKind.Interface, replace, d.name, deviceDetail(d)));
      }
      return words(['ports', 'ifindex', 'mac']);
    }
    case 'wire':
      if (!args.length || prev?.kind === 'pair') return devs((d) => d.kind === 'nic');
      return args.length === 1 ? words(['--']) : [];
    case 'route': {
      if (!args.length) {
        return [
          ...namespaces(topo).map((n) => item(`@${n}`, CompletionItemKind.Module, replace, `@${n}`, 'the route\'s namespace')),
          ...words(['default'], 'the default route'),
        ];
      }
      const routeNs = args[0].text.startsWith('@') ? args[0].text.slice(1) : HOST_NS;
      if (prevWord === 'dev') {
        return devices(topo).filter((d) => d.ns === routeNs).map((d) => item(d.name, CompletionItemKind.Interface, replace, d.name, deviceDetail(d)));
      }
      if (prevWord === 'via') return [];
      const dests = args.filter((t) => !t.text.startsWith('@'));
      if (!dests.length) return words(['default'], 'the default route');
      return words(['via', 'dev'].filter((w) => !used(w)));
    }
    case 'attach': {
      if (!args.length) return HOOKS.map((h) => item(h, CompletionItemKind.EnumMember, replace, h, explainHook(h)));
      if (args.length === 1) return devs();
      if (args.length === 2) return words(['prog']);
      if (args.length === 3 && prevWord === 'prog') return programs(ctx, position.line, replace);
      if (prevWord === 'redirect-to') return devs();
      if (prevWord === 'file') return cFiles(ctx).map((f) => item(f, CompletionItemKind.File, replace, `"${f}"`, 'eBPF C file'));
      if (prevWord === 'priority') return [];
      return words(['file', 'redirect-to', 'priority'].filter((w) => !used(w)));
    }
    case 'path': {
      const endpoints = () => [
        ...namespaces(topo).map((n) => item(n, CompletionItemKind.Module, replace, n, 'namespace: a process in it')),
        ...devs(),
      ];
      if (!args.length) return endpoints();
      if (args.length === 1) return words(['->']);
      if (args.length === 2 && prev?.kind === 'arrow') return endpoints();
      if (args.length === 3) return words(['icmp', 'udp', 'tcp'], 'protocol');
      return [];
    }
    case 'map': {
      if (!args.length) return [];
      if (prevWord === 'file') return cFiles(ctx).map((f) => item(f, CompletionItemKind.File, replace, `"${f}"`, 'eBPF C file'));
      if (prev?.kind === 'fat-arrow') return devs();
      const hasKey = args.length > (used('file') ? 3 : 1);
      if (hasKey) return args.some((t) => t.kind === 'fat-arrow') ? [] : words(['=>']);
      return [...(used('file') ? [] : words(['file'])), ...devs()];
    }
    default:
      return [];
  }
}

function item(label: string, kind: CompletionItemKind, range: Range, newText: string, detail?: string): CompletionItem {
  return { label, kind, textEdit: { range, newText }, ...(detail ? { detail } : {}) };
}

function devices(topo: Topology | undefined): Device[] {
  return topo ? [...topo.devices.values()] : [];
}

function namespaces(topo: Topology | undefined): string[] {
  return topo ? [...topo.namespaces.keys()] : [HOST_NS];
}

/** A device as DEV: `NAME` in host, `NAME@NS` elsewhere. */
export function devText(d: Device): string {
  return d.ns === HOST_NS ? d.name : `${d.name}@${d.ns}`;
}

function deviceDetail(d: Device): string {
  return `${d.kind} in ${d.ns}${d.addrs.length ? `, ${d.addrs.map((a) => a.text).join(', ')}` : ''}`;
}

function deviceItem(d: Device, range: Range): CompletionItem {
  return item(devText(d), CompletionItemKind.Interface, range, devText(d), deviceDetail(d));
}

function nsOf(t: Token): string {
  const i = t.text.indexOf('@');
  return i < 0 ? HOST_NS : t.text.slice(i + 1);
}

/** The workspace's C files, relative to this topology file. */
function cFiles(ctx: DocumentContext): string[] {
  const dir = path.dirname(ctx.file);
  return ctx.ws.cFiles().filter((f) => (ctx.ws.cFile(f)?.programs.length ?? 0) > 0)
    .map((f) => path.relative(dir, f).split(path.sep).join('/')).sort();
}

/** Program names, limited to the `file "..."` written on this line, if any. */
function programs(ctx: DocumentContext, line: number, range: Range): CompletionItem[] {
  const toks = lineTokens(ctx.text, line);
  const fi = toks.findIndex((t) => t.kind === 'word' && t.text === 'file');
  const fileTok = fi >= 0 && toks[fi + 1]?.kind === 'string' ? toks[fi + 1] : undefined;
  const only = fileTok ? path.resolve(path.dirname(ctx.file), fileTok.text) : undefined;
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const f of ctx.ws.cFiles()) {
    if (only && path.normalize(f) !== path.normalize(only)) continue;
    for (const p of ctx.ws.cFile(f)?.programs ?? []) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      const relFile = path.relative(path.dirname(ctx.file), p.file).split(path.sep).join('/');
      out.push({
        ...item(p.name, CompletionItemKind.Function, range, p.name, `SEC("${p.section}") · ${relFile}`),
        documentation: `${p.progType} program in ${relFile}, line ${p.nameRange.start.line + 1}`,
      });
    }
  }
  return out;
}
