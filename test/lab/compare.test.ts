// Predicted against observed, without a kernel: which predicted hops a tc probe can see, how
// probe events become hops and a verdict, and what counts as a match.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { readIfExists } from '../../server/src/inference/load-folder';
import { Workspace } from '../../server/src/inference/workspace';
import type { ProbeEvent } from '../../server/src/lab/probes';
import { traceTable } from '../../server/src/lab/report';
import type { LabDeviceState } from '../../server/src/lab/state';
import { collapse, compare, observe, parseInEchos, pingCommand, receiverNs, senderOf, visibleHops } from '../../server/src/lab/trace';

const ROOT = path.resolve(__dirname, '../..');
const CASES = path.resolve(ROOT, '../shared/acceptance/cases');
const FIXTURES = path.join(__dirname, 'fixtures');

let parser: CParser;
beforeAll(async () => { parser = await createCParser(); });

function load(file: string) {
  const ws = new Workspace(parser, readIfExists);
  const { topology } = ws.setTopology(file, fs.readFileSync(file, 'utf8'));
  return { topology, paths: ws.paths(file) };
}

const TAG = [0xd4, 0x7a, 0, 9];
const OTHER = [0xd4, 0x7a, 1, 9];
const DEVICES: LabDeviceState[] = [
  { key: 'eth0@pod-a', name: 'eth0', labNs: 'dl1-pod-a', ifindex: 100 },
  { key: 'lxc-a@host', name: 'lxc-a', labNs: 'dl1-host', ifindex: 11 },
  { key: 'lxc-b@host', name: 'lxc-b', labNs: 'dl1-host', ifindex: 12 },
  { key: 'eth0@pod-b', name: 'eth0', labNs: 'dl1-pod-b', ifindex: 101 },
  { key: 'w0@+world', name: 'w0', labNs: 'dl1+world', ifindex: 102, world: true },
];
let seq = 0;
const ev = (ifindex: number, dir: 'ingress' | 'egress', tag = TAG): ProbeEvent => ({ ifindex, dir, seq: seq++, tag });

describe('what a tc probe can see of a predicted path', () => {
  it('every hop of a tc path', () => {
    const { paths } = load(path.join(CASES, 'redirect-peer.topo'));
    expect(visibleHops(paths[0])).toEqual({ compared: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress'], unseen: [] });
  });
  it('not the XDP-redirected hops: the redirecting device (XDP ended it before tc) and the target (no tc egress)', () => {
    const { paths } = load(path.join(FIXTURES, 'xdp-redirect.topo'));
    expect(visibleHops(paths[0])).toEqual({ compared: ['eth0@pod-a:egress', 'eth0@pod-b:ingress'], unseen: ['lxc-a@host:ingress', 'lxc-b@host:egress'] });
  });
});

describe('observed hops and verdict', () => {
  it('maps ifindexes to topology devices, keeps only this path\'s tag, and reads delivery from InEchos', () => {
    const { topology } = load(path.join(CASES, 'redirect-peer.topo'));
    const events = [ev(100, 'egress'), ev(11, 'ingress'), ev(12, 'egress', OTHER), ev(101, 'ingress')];
    expect(observe(events, TAG, DEVICES, topology, { delivered: true }, 4)).toEqual({
      verdict: 'delivered', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'eth0@pod-b:ingress'], note: null,
    });
    expect(observe(events, TAG, DEVICES, topology, { delivered: false }, 4).verdict).toBe('dropped');
  });

  it('the world peer\'s ingress means the packet left the model', () => {
    const { topology } = load(path.join(CASES, 'redirect-peer.topo'));
    expect(observe([ev(100, 'egress'), ev(102, 'ingress')], TAG, DEVICES, topology, { delivered: false }, 2)).toMatchObject({ verdict: 'left', hops: ['eth0@pod-a:egress'] });
  });

  it('a hook run again and again in a row is one hop (dev_xmit_recursion); a hop seen again later, or endless runs, a loop', () => {
    const { topology } = load(path.join(CASES, 'redirect-peer.topo'));
    expect(collapse(['a', 'b', 'b', 'b', 'c'])).toEqual({ hops: ['a', 'b', 'c'], repeats: [['b', 3]] });
    const recursion = [ev(100, 'egress'), ev(11, 'ingress'), ...Array.from({ length: 10 }, () => ev(12, 'egress'))];
    expect(observe(recursion, TAG, DEVICES, topology, { delivered: false }, 12)).toEqual({
      verdict: 'dropped', hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress'], note: 'lxc-b@host:egress ran 10 times in a row',
    });
    const round = [ev(100, 'egress'), ev(11, 'ingress'), ev(12, 'egress'), ev(11, 'ingress')];
    expect(observe(round, TAG, DEVICES, topology, { delivered: false }, 4).verdict).toBe('loop');
    expect(observe([ev(11, 'ingress')], TAG, DEVICES, topology, { delivered: false }, 100000)).toMatchObject({ verdict: 'loop' });
  });
});

describe('predicted against observed', () => {
  it('a match needs the same verdict and the same visible hops, in order', () => {
    const { paths } = load(path.join(CASES, 'redirect-xmit.topo'));
    const p = paths[0];
    const same = { verdict: 'dropped' as const, hops: ['eth0@pod-a:egress', 'lxc-a@host:ingress', 'lxc-b@host:egress', 'eth0@pod-b:ingress'], note: null };
    expect(compare(p, same).match).toBe(true);
    expect(compare(p, { ...same, verdict: 'delivered' }).match).toBe(false);
    expect(compare(p, { ...same, hops: same.hops.slice(0, 3) }).match).toBe(false);
    const table = traceTable([compare(p, { ...same, hops: [...same.hops.slice(0, 2), 'eth0@pod-b:ingress'] })]);
    expect(table).toContain('MISMATCH');
    expect(table).toMatch(/≠ lxc-b@host:egress\s+eth0@pod-b:ingress/);
  });

  it('senders, receivers and the ping', () => {
    const { topology, paths } = load(path.join(ROOT, 'examples/bridge-pods/bridge-pods.topo'));
    const nsOf = (ns: string) => `dl1-${ns}`;
    expect(senderOf(paths[0], topology, nsOf)).toEqual({ ns: 'dl1-pod1' });
    expect(receiverNs(paths[1], topology)).toBe('host');
    expect(receiverNs(paths[2], topology)).toBeUndefined();
    expect(pingCommand({ ns: 'dl1-pod1' }, 0x0a0a0a0a, 'd47a0001').argv).toEqual(['ip', 'netns', 'exec', 'dl1-pod1', 'ping', '-n', '-q', '-c', '1', '-W', '1', '-p', 'd47a0001', '10.10.10.10']);
  });

  it('InEchos from /proc/net/snmp', () => {
    const snmp = 'Ip: Forwarding\nIp: 1\nIcmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps\nIcmp: 3 0 0 0 0 0 0 0 2 1\n';
    expect(parseInEchos(snmp)).toBe(2);
  });
});
