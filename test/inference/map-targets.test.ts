// `map` lines as the engine's redirect targets (targets.ts): a program that reads its ifindex
// from a map keyed by the destination address redirects where the map line says; a destination
// without an entry misses the lookup; maps of MACs never name a target. And the engine fix the
// kernel lab found: a BPF_F_INGRESS redirect whose frame was readdressed takes the detour.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathResult } from '../../server/src/datapath/path';
import { Walker } from '../../server/src/datapath/walk';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { readIfExists } from '../../server/src/inference/load-folder';
import { mapDecls } from '../../server/src/inference/map-decls';
import { Workspace } from '../../server/src/inference/workspace';
import { parseTopology } from '../../server/src/topology/parse';

const CASES = path.resolve(__dirname, '../../../shared/acceptance/cases');
const LXC = fs.readFileSync(path.join(CASES, 'lxc.bpf.c'), 'utf8');
let parser: CParser;
let dir: string;
beforeAll(async () => {
  parser = await createCParser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'map-targets-'));
  fs.writeFileSync(path.join(dir, 'lxc.bpf.c'), LXC);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PODS = [
  'netns pod-a', 'netns pod-b', 'netns pod-c',
  'veth eth0@pod-a 10.0.1.10/32 -- lxc-a', 'veth eth0@pod-b 10.0.1.20/32 -- lxc-b', 'veth eth0@pod-c 10.0.1.30/32 -- lxc-c',
  'route @pod-a default dev eth0', 'route @pod-b default dev eth0', 'route @pod-c default dev eth0',
  'route 10.0.1.10/32 dev lxc-a', 'route 10.0.1.20/32 dev lxc-b', 'route 10.0.1.30/32 dev lxc-c',
];
function paths(...more: string[]): PathResult[] {
  const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.topo`);
  const ws = new Workspace(parser, readIfExists);
  ws.setTopology(file, [...PODS, ...more].join('\n') + '\n');
  return ws.paths(file);
}
const hops = (r: PathResult) => r.hops.map((h) => `${h.dev}:${h.role}`);

describe('map declarations', () => {
  it('reads the value size of libbpf map definitions', () => {
    expect(mapDecls(LXC)).toEqual([{ name: 'endpoints', valueBytes: 4 }, { name: 'endpoint_macs', valueBytes: 6 }]);
    expect(mapDecls('struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(value_size, ETH_ALEN); } m SEC(".maps");')).toEqual([{ name: 'm', valueBytes: 6 }]);
  });
});

describe('map lines name the target of a run-time ifindex', () => {
  it('the entry for the destination is the target: a stale entry sends pod-b\'s packet into pod-c', () => {
    const [r] = paths('attach tc-ingress lxc-a prog to_pod_peer file "lxc.bpf.c"', 'map endpoints 10.0.1.20 => lxc-c', 'path pod-a -> pod-b');
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-c:ingress']);
    expect(r.verdict).toBe('dropped');
    expect(r.hops[1].notes.join(' ')).toContain('map endpoints holds 10.0.1.20 => lxc-c');
  });

  it('no entry for the destination: the lookup misses and the program lets the packet pass', () => {
    const [r] = paths('attach tc-ingress lxc-a prog to_pod_peer file "lxc.bpf.c"', 'map endpoints 10.0.1.20 => lxc-b', 'path pod-a -> pod-c');
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-c@host:egress', 'eth0@pod-c:ingress']);
    expect(r.hops[1].hooks[0].result).toBe('TC_ACT_OK');
    expect(r.verdict).toBe('delivered');
  });

  it('a map of MACs names no target; redirect-to still wins over map lines', () => {
    const [macOnly] = paths('attach tc-ingress lxc-a prog to_pod_peer file "lxc.bpf.c"', 'map endpoint_macs 10.0.1.20 => eth0@pod-b', 'path pod-a -> pod-b');
    expect(macOnly.hops[1].notes.join(' ')).toContain('the device the routes of "host" pick');
    const [declared] = paths('attach tc-ingress lxc-a prog to_pod_peer file "lxc.bpf.c" redirect-to lxc-b', 'map endpoints 10.0.1.20 => lxc-c', 'path pod-a -> pod-b');
    expect(hops(declared)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress']);
  });
});

describe('BPF_F_INGRESS with the frame readdressed (found by the kernel lab)', () => {
  it('the target takes it (addressed to itself) and its namespace routes it back out: the detour delivers', () => {
    const { topology } = parseTopology([...PODS, 'attach tc-ingress lxc-a prog p', 'path pod-a -> pod-b'].join('\n') + '\n', path.join(dir, 'x.topo'));
    const r = new Walker(topology, {
      outcome: () => ({ action: 'redirect', result: 'TC_ACT_REDIRECT', helper: 'bpf_redirect', kind: 'ingress', target: 'lxc-b@host', rewritesL2: true }),
    }).walk(topology.paths[0]);
    expect(hops(r)).toEqual(['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress']);
    expect(r.verdict).toBe('delivered');
    expect(r.hops[2].notes.join(' ')).toContain("taken to be lxc-b's MAC");
  });
});
