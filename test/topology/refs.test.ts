// NameRefs (definition, references, rename) with exact ranges, and `path` endpoints given
// outside the file (the CLI's --from/--to) through resolvePathStatement.
import { describe, expect, it } from 'vitest';
import type { NameRef, Range } from '../../server/src/topology/model';
import { parseTopology } from '../../server/src/topology/parse';
import { resolvePathStatement } from '../../server/src/topology/resolve';
import { parseStatements, type Statement } from '../../server/src/topology/syntax';

const rng = (line: number, c0: number, c1: number): Range => ({ start: { line, character: c0 }, end: { line, character: c1 } });
const ref = (kind: NameRef['kind'], target: string, range: Range, declaration = false): NameRef => ({ kind, target, range, declaration });
const byPos = (a: NameRef, b: NameRef) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

describe('refs', () => {
  it('records every declaration and use with its exact range', () => {
    const text = [
      'netns pod',                                                 // 0
      'veth eth0@pod 10.0.0.2/24 -- lxc 10.0.0.1/24',              // 1
      'bridge br0 ports lxc',                                      // 2
      'nic up0',                                                   // 3
      'nic far0@pod',                                              // 4
      'wire up0 -- far0@pod',                                      // 5
      'route @pod default via 10.0.0.1 dev eth0',                  // 6
      'attach tc-ingress lxc prog from_pod redirect-to up0',       // 7
      'path pod -> eth0@pod',                                      // 8
      'path up0 -> 10.0.0.2',                                      // 9
      'map m 1 => eth0@pod',                                       // 10
    ].join('\n');
    const { topology, diagnostics } = parseTopology(text, '/lab/t.topo');
    expect(diagnostics).toEqual([]);
    expect([...topology.refs].sort(byPos)).toEqual([
      ref('namespace', 'pod', rng(0, 6, 9), true),
      ref('device', 'eth0@pod', rng(1, 5, 9), true),
      ref('namespace', 'pod', rng(1, 10, 13)),
      ref('device', 'lxc@host', rng(1, 29, 32), true),
      ref('device', 'br0@host', rng(2, 7, 10), true),
      ref('device', 'lxc@host', rng(2, 17, 20)),
      ref('device', 'up0@host', rng(3, 4, 7), true),
      ref('device', 'far0@pod', rng(4, 4, 8), true),
      ref('namespace', 'pod', rng(4, 9, 12)),
      ref('device', 'up0@host', rng(5, 5, 8)),
      ref('device', 'far0@pod', rng(5, 12, 16)),
      ref('namespace', 'pod', rng(5, 17, 20)),
      ref('namespace', 'pod', rng(6, 7, 10)),
      ref('device', 'eth0@pod', rng(6, 36, 40)),
      ref('device', 'lxc@host', rng(7, 18, 21)),
      ref('program', 'from_pod', rng(7, 27, 35)),
      ref('device', 'up0@host', rng(7, 48, 51)),
      ref('namespace', 'pod', rng(8, 5, 8)),
      ref('device', 'eth0@pod', rng(8, 12, 16)),
      ref('namespace', 'pod', rng(8, 17, 20)),
      ref('device', 'up0@host', rng(9, 5, 8)),
      ref('device', 'eth0@pod', rng(10, 11, 15)),
      ref('namespace', 'pod', rng(10, 16, 19)),
    ]);
  });

  it('records no use for a name that does not resolve', () => {
    const { topology } = parseTopology('nic eth0\nroute default dev eth1', '/lab/t.topo');
    expect(topology.refs).toEqual([ref('device', 'eth0@host', rng(0, 4, 8), true)]);
  });

  it('a ref of every kind points at the same target as the declaration, so references can be collected', () => {
    const { topology } = parseTopology('attach xdp eth0 prog p\nnic eth0\nattach xdp eth0 prog p', '/lab/t.topo');
    const eth0 = topology.refs.filter((r) => r.target === 'eth0@host');
    expect(eth0.map((r) => [r.range.start.line, r.declaration])).toEqual([[1, true], [0, false], [2, false]]);
    expect(topology.refs.filter((r) => r.kind === 'program').map((r) => r.range)).toEqual([rng(0, 21, 22), rng(2, 21, 22)]);
  });
});

describe('resolvePathStatement (--from/--to)', () => {
  const text = 'netns pod1\nnetns pod2\nveth eth0@pod1 10.0.0.1/24 -- eth0@pod2 10.0.0.2/24\npath pod1 -> pod2';
  const cli = (from: string, to: string) => parseStatements(`path ${from} -> ${to}`, '<command line>').statements[0] as Extract<Statement, { kind: 'path' }>;

  it('resolves namespaces, IPs and devices against the topology, leaving the file\'s paths and refs alone', () => {
    const { topology } = parseTopology(text, '/lab/t.topo');
    const refs = topology.refs.length;
    const r = resolvePathStatement(topology, cli('10.0.0.2', 'eth0@pod1'));
    expect(r.diagnostics).toEqual([]);
    expect(r.spec).toMatchObject({ from: { kind: 'ip', text: '10.0.0.2' }, to: { kind: 'dev', dev: 'eth0@pod1' }, proto: { kind: 'icmp' } });
    expect(topology.paths).toHaveLength(1);
    expect(topology.refs).toHaveLength(refs);
  });

  it('reports an unknown name with a suggestion and no spec', () => {
    const { topology } = parseTopology(text, '/lab/t.topo');
    const r = resolvePathStatement(topology, cli('pod1', 'pod3'));
    expect(r.spec).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.range, d.fix?.text])).toEqual([['topo-unknown-name', rng(0, 13, 17), 'pod1']]);
  });

  it('does not add an unknown namespace to the topology', () => {
    const { topology } = parseTopology(text, '/lab/t.topo');
    const r = resolvePathStatement(topology, cli('x@ghost', 'pod1'));
    expect(r.spec).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain('topo-unknown-name');
    expect([...topology.namespaces.keys()]).toEqual(['host', 'pod1', 'pod2']);
    // And so a later --from ghost is still unknown.
    expect(resolvePathStatement(topology, cli('ghost', 'pod1')).spec).toBeUndefined();
  });
});
