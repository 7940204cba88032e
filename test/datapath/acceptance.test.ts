// The acceptance topologies (/work/shared/acceptance/cases), walked with a fake C analysis that
// does what lxc.bpf.c's programs do, checked against the hop lists written here and against
// every `path` expectation of expected.json (hops, verdict, via, stages).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PathResult, ProgramEffects, ProgramOutcome } from '../../server/src/datapath/path';
import { pathDiagnostics } from '../../server/src/datapath/verdict-diagnostics';
import { Walker } from '../../server/src/datapath/walk';
import { parseTopology } from '../../server/src/topology/parse';

const ROOT = '/work/shared/acceptance';
const CASES = `${ROOT}/cases`;

/** lxc.bpf.c: what each program returns for a packet to a known endpoint (its target is the attach's redirect-to). */
const lxc: ProgramEffects = {
  outcome({ attachment: a }): ProgramOutcome {
    const r = (kind: 'egress' | 'ingress' | 'peer', helper: string, rewritesL2 = false): ProgramOutcome =>
      ({ action: 'redirect', result: 'TC_ACT_REDIRECT', helper, kind, target: a.redirectTo, targetHow: 'redirect-to', rewritesL2 });
    switch (a.prog) {
      case 'to_pod_peer': return r('peer', 'bpf_redirect_peer');
      case 'to_pod_xmit': return r('egress', 'bpf_redirect');
      case 'to_pod_xmit_l2': return r('egress', 'bpf_redirect', true);
      case 'to_pod_wrong_way': return r('ingress', 'bpf_redirect');
      // Calls bpf_redirect but returns TC_ACT_OK: no redirect.
      case 'to_pod_forgetful': return { action: 'pass', result: 'TC_ACT_OK' };
      default: return { action: 'unknown', result: 'unknown' };
    }
  },
};

function walkCase(name: string): PathResult[] {
  const file = `${CASES}/${name}`;
  const { topology, diagnostics } = parseTopology(fs.readFileSync(file, 'utf8'), file);
  expect(diagnostics).toEqual([]);
  const w = new Walker(topology, lxc);
  return topology.paths.map((p) => w.walk(p));
}
const hops = (r: PathResult) => r.hops.map((h) => `${h.dev}:${h.role}`);

const POD_A_OUT = ['eth0@pod-a:egress', 'lxc-a@host:ingress'];

const CASE_TABLE: [string, [string, string, PathResult['verdict'], string[]][]][] = [
  ['single-nic.topo', [
    ['laptop', 'host', 'delivered', ['eth0@laptop:egress', 'eth0@host:ingress']],
    ['host', 'laptop', 'delivered', ['eth0@host:egress', 'eth0@laptop:ingress']],
  ]],
  ['veth-pair.topo', [
    ['left', 'right', 'delivered', ['veth_left@left:egress', 'veth_right@right:ingress']],
    ['right', 'left', 'delivered', ['veth_right@right:egress', 'veth_left@left:ingress']],
  ]],
  ['bridge.topo', [
    ['pod1', 'pod2', 'delivered', ['eth0@pod1:egress', 'veth1@host:ingress', 'veth2@host:egress', 'eth0@pod2:ingress']],
    ['pod1', '203.0.113.9', 'left', ['eth0@pod1:egress', 'veth1@host:ingress', 'cni0@host:ingress', 'eth0@host:egress']],
  ]],
  ['host-gw.topo', [
    ['pod1', 'pod2', 'delivered', ['eth0@pod1:egress', 'veth1@node1:ingress', 'eth0@node1:egress', 'eth0@node2:ingress', 'veth1@node2:egress', 'eth0@pod2:ingress']],
  ]],
  ['no-forwarding.topo', [['a', 'b', 'dropped', ['ea@a:egress', 'ma@mid:ingress']]]],
  ['redirect-peer.topo', [['pod-a', 'pod-b', 'delivered', [...POD_A_OUT, 'eth0@pod-b:ingress']]]],
  ['redirect-xmit.topo', [['pod-a', 'pod-b', 'dropped', [...POD_A_OUT, 'lxc-b@host:egress', 'eth0@pod-b:ingress']]]],
  ['redirect-xmit-l2.topo', [['pod-a', 'pod-b', 'delivered', [...POD_A_OUT, 'lxc-b@host:egress', 'eth0@pod-b:ingress']]]],
  ['redirect-wrong-way.topo', [['pod-a', 'pod-b', 'dropped', [...POD_A_OUT, 'lxc-b@host:ingress']]]],
  ['redirect-forgetful.topo', [['pod-a', 'pod-b', 'delivered', [...POD_A_OUT, 'lxc-b@host:egress', 'eth0@pod-b:ingress']]]],
  ['redirect-peer-at-egress.topo', [['pod-a', 'pod-b', 'dropped', [...POD_A_OUT, 'lxc-b@host:egress']]]],
];

describe('acceptance topologies: hop lists', () => {
  it.each(CASE_TABLE)('%s', (name, expected) => {
    const results = walkCase(name);
    expect(results.map((r) => [r.from, r.to, r.verdict, hops(r)])).toEqual(expected);
    for (const r of results) {
      if (r.verdict === 'delivered') expect(r.reason).toBeNull();
      else expect(r.reason).toEqual(expect.any(String));
    }
  });

  it('the via of every redirect case', () => {
    expect(walkCase('redirect-peer.topo')[0].hops.map((h) => h.via)).toEqual(['stack', 'veth', 'peer-redirect']);
    expect(walkCase('redirect-xmit.topo')[0].hops.map((h) => h.via)).toEqual(['stack', 'veth', 'redirect', 'veth']);
    expect(walkCase('redirect-wrong-way.topo')[0].hops.map((h) => h.via)).toEqual(['stack', 'veth', 'redirect']);
    expect(walkCase('redirect-forgetful.topo')[0].hops.map((h) => h.via)).toEqual(['stack', 'veth', 'stack', 'veth']);
  });

  it('the reasons name the mechanism', () => {
    expect(walkCase('no-forwarding.topo')[0].reason).toContain('forwarding disabled');
    expect(walkCase('redirect-xmit.topo')[0].reason).toContain('PACKET_OTHERHOST');
    expect(walkCase('redirect-wrong-way.topo')[0].reason).toContain('not to lxc-b@host');
    expect(walkCase('redirect-peer-at-egress.topo')[0].reason).toContain('only works from tc ingress');
  });
});

interface PathExpectation {
  from: string; to: string; verdict: string; hops: string[];
  via?: Record<string, string>;
  stages?: Record<string, string[]>;
  stagesAnywhere?: string[];
  stagesExclude?: Record<string, string[]>;
}
interface Check { name: string; args: string[]; paths?: PathExpectation[] }

const checks = (JSON.parse(fs.readFileSync(`${ROOT}/expected.json`, 'utf8')) as Check[]).filter((c) => c.args[0] === 'path' && c.paths);

describe('acceptance topologies: expected.json', () => {
  it('has path checks for every case in the table', () => {
    expect(checks.map((c) => c.args[1]).sort()).toEqual(CASE_TABLE.map(([n]) => n).sort());
  });

  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, check) => {
    const results = walkCase(check.args[1]);
    expect(results.map((r) => [r.from, r.to])).toEqual(check.paths!.map((p) => [p.from, p.to]));
    check.paths!.forEach((exp, i) => {
      const r = results[i];
      expect(r.verdict).toBe(exp.verdict);
      expect(hops(r)).toEqual(exp.hops);
      for (const [k, via] of Object.entries(exp.via ?? {})) expect(r.hops[Number(k)].via).toBe(via);
      for (const [k, stages] of Object.entries(exp.stages ?? {})) expect(r.hops[Number(k)].stages).toEqual(expect.arrayContaining(stages));
      const all = r.hops.flatMap((h) => h.stages);
      for (const s of exp.stagesAnywhere ?? []) expect(all).toContain(s);
      for (const [k, stages] of Object.entries(exp.stagesExclude ?? {})) for (const s of stages) expect(r.hops[Number(k)].stages).not.toContain(s);
    });
  });
});

describe('path diagnostics', () => {
  it('warns on the path line of a dropped path, with where and why', () => {
    const file = `${CASES}/no-forwarding.topo`;
    const { topology } = parseTopology(fs.readFileSync(file, 'utf8'), file);
    const results = new Walker(topology).walk(topology.paths[0]);
    expect(pathDiagnostics([results], file)).toEqual([{
      file, range: { start: { line: 9, character: 0 }, end: { line: 9, character: 11 } }, severity: 'warning', code: 'path-dropped',
      message: 'a -> b: dropped at ma@mid (ingress): forwarding disabled in namespace "mid" (net.ipv4.ip_forward=0): 10.2.0.2 is not local and ip_route_input_slow refuses to forward it.',
    }]);
  });

  it('warns path-loop on a loop, and nothing for delivered or left paths', () => {
    const text = 'netns a forwarding\nnetns b forwarding\nveth ea@a 10.0.0.1/24 -- eb@b 10.0.0.2/24\nroute @a 10.9.0.0/16 via 10.0.0.2\nroute @b 10.9.0.0/16 via 10.0.0.1\nnic eth0@a\nroute @a 0.0.0.0/0 dev eth0\npath a -> 10.9.0.1\npath a -> b\npath a -> 8.8.8.8';
    const { topology, diagnostics } = parseTopology(text, '/lab/loop.topo');
    expect(diagnostics).toEqual([]);
    const w = new Walker(topology);
    const results = topology.paths.map((p) => w.walk(p));
    expect(results.map((r) => r.verdict)).toEqual(['loop', 'delivered', 'left']);
    const d = pathDiagnostics(results, '/lab/loop.topo');
    expect(d.map((x) => [x.code, x.severity, x.range.start.line])).toEqual([['path-loop', 'warning', 7]]);
    expect(d[0].message).toBe('a -> 10.9.0.1: loops at ea@a (ingress): the packet comes back to ea@a as egress unchanged: a loop.');
  });

  it('a drop before any hop has no "at"', () => {
    const { topology } = parseTopology('netns a\nnic eth0@a 10.0.0.1/24\npath a -> 10.9.9.9', '/lab/x.topo');
    const r = new Walker(topology).walk(topology.paths[0]);
    expect(r.hops).toEqual([]);
    const d = pathDiagnostics([r], '/lab/x.topo');
    expect(d[0].message).toBe('a -> 10.9.9.9: dropped: no route to 10.9.9.9 in namespace "a" (ip_route_output_flow returns -ENETUNREACH).');
  });
});
