// The examples are what a newcomer opens first: each parses cleanly and shows the paths its
// README promises.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCParser } from '../../server/src/ebpf/parser';
import { Workspace } from '../../server/src/inference/workspace';
import { parseTopology } from '../../server/src/topology/parse';

const examples = path.resolve(__dirname, '../../examples');

const EXPECTED: Record<string, Record<string, { verdict: string; hops: string[] }>> = {
  'single-nic/single-nic.topo': {
    'laptop -> server': { verdict: 'delivered', hops: ['eth0@laptop:egress', 'eth0@server:ingress'] },
    'server -> laptop': { verdict: 'delivered', hops: ['eth0@server:egress', 'eth0@laptop:ingress'] },
  },
  'veth-pair/veth-pair.topo': {
    'blue -> red': { verdict: 'delivered', hops: ['eth0@blue:egress', 'eth0@red:ingress'] },
    'red -> blue': { verdict: 'delivered', hops: ['eth0@red:egress', 'eth0@blue:ingress'] },
  },
  'bridge-pods/bridge-pods.topo': {
    'pod1 -> pod2': { verdict: 'delivered', hops: ['eth0@pod1:egress', 'veth-pod1@host:ingress', 'veth-pod2@host:egress', 'eth0@pod2:ingress'] },
    'pod2 -> 10.244.1.1': { verdict: 'delivered', hops: ['eth0@pod2:egress', 'veth-pod2@host:ingress', 'cni0@host:ingress'] },
    'pod1 -> 203.0.113.9': { verdict: 'left', hops: ['eth0@pod1:egress', 'veth-pod1@host:ingress', 'cni0@host:ingress', 'eth0@host:egress'] },
  },
  'host-gw/host-gw.topo': {
    'pod-a -> pod-b': { verdict: 'delivered', hops: ['eth0@pod-a:egress', 'veth-a@node1:ingress', 'veth-b@node1:egress', 'eth0@pod-b:ingress'] },
    'pod-a -> pod-c': { verdict: 'delivered', hops: ['eth0@pod-a:egress', 'veth-a@node1:ingress', 'eth0@node1:egress', 'eth0@node2:ingress', 'veth-c@node2:egress', 'eth0@pod-c:ingress'] },
    'pod-d -> pod-b': { verdict: 'delivered', hops: ['eth0@pod-d:egress', 'veth-d@node2:ingress', 'eth0@node2:egress', 'eth0@node1:ingress', 'veth-b@node1:egress', 'eth0@pod-b:ingress'] },
  },
  'ebpf-redirects/ebpf-redirects.topo': {
    'pod-a -> pod-b': { verdict: 'delivered', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress'] },
    'pod-c -> pod-b': { verdict: 'delivered', hops: ['eth0@pod-c:egress', 'lxc-c@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress'] },
    'pod-b -> pod-a': { verdict: 'delivered', hops: ['eth0@pod-b:egress', 'lxc-b@host:ingress', 'lxc-a@host:egress', 'eth0@pod-a:ingress'] },
  },
  'wrong-direction/wrong-direction.topo': {
    'pod-a -> pod-b': { verdict: 'dropped', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:ingress'] },
    'pod-c -> pod-b': { verdict: 'dropped', hops: ['eth0@pod-c:egress', 'lxc-c@host:ingress', 'lxc-b@host:egress'] },
  },
};

const topoFiles = fs.readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => fs.readdirSync(path.join(examples, d.name)).filter((f) => f.endsWith('.topo')).map((f) => `${d.name}/${f}`));

describe('examples', () => {
  it('every folder has a note and a topology', () => {
    for (const d of fs.readdirSync(examples, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      expect(fs.existsSync(path.join(examples, d.name, 'README.md')), d.name).toBe(true);
      expect(topoFiles.some((f) => f.startsWith(d.name + '/')), d.name).toBe(true);
    }
  });

  it.each(topoFiles)('%s parses without diagnostics', (rel) => {
    const file = path.join(examples, rel);
    const { diagnostics } = parseTopology(fs.readFileSync(file, 'utf8'), file);
    expect(diagnostics).toEqual([]);
  });

  it.each(Object.keys(EXPECTED))('%s walks as its README says', async (rel) => {
    const file = path.join(examples, rel);
    const ws = new Workspace(await createCParser(), (f) => fs.readFileSync(f, 'utf8'));
    ws.setTopology(file, fs.readFileSync(file, 'utf8'));
    const got = Object.fromEntries(ws.paths(file).map((r) => [`${r.from} -> ${r.to}`, { verdict: r.verdict, hops: r.hops.map((h) => `${h.dev}:${h.role}`) }]));
    ws.dispose();
    expect(got).toEqual(EXPECTED[rel]);
  });
});
