// The lab's parts that need no root: names, the commands that build a topology, program
// loading and attaching, map contents, probe output parsing, teardown.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Walker } from '../../server/src/datapath/walk';
import { createCParser, type CParser } from '../../server/src/ebpf/parser';
import { readIfExists } from '../../server/src/inference/load-folder';
import { Workspace } from '../../server/src/inference/workspace';
import {
  deviceSysctlCommands, FIRST_AUTO_IFINDEX, linkCommands, namespaceCommands, neighbourNeeds, planDevices,
  proxyArpDevices, routeCommands,
} from '../../server/src/lab/build';
import { LabError, showCmd, type Cmd } from '../../server/src/lab/exec';
import { tcxSupported } from '../../server/src/lab/support';
import { behind, encodeOperand, mapFills, parseMapShow } from '../../server/src/lab/maps';
import { deviceNameProblem, labNs, newPrefix, ownsNs, pingPattern, statePath, worldNs } from '../../server/src/lab/naming';
import { parseCount, parseEvents, probeAttachCommands, probeDetachCommands, probeFiles, probeSource } from '../../server/src/lab/probes';
import { attachCommands, loadCommand, planObjects } from '../../server/src/lab/programs';
import { parseNetnsList, teardownCommands } from '../../server/src/lab/teardown';
import { labCommand } from '../../server/src/lab/lab';
import { parseTopology } from '../../server/src/topology/parse';

const ROOT = path.resolve(__dirname, '../..');
const CASES = path.resolve(ROOT, '../shared/acceptance/cases');
const FIXTURES = path.join(__dirname, 'fixtures');

let parser: CParser;
beforeAll(async () => { parser = await createCParser(); });

function load(file: string) {
  const ws = new Workspace(parser, readIfExists);
  const { topology, diagnostics } = ws.setTopology(file, fs.readFileSync(file, 'utf8'));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const walker = ws.walker(topology);
  return { ws, topology, walker, paths: ws.paths(file) };
}
const lines = (cmds: Cmd[]) => cmds.map((c) => showCmd(c.argv));

describe('naming', () => {
  it('a prefix per run, namespaces under it, and a world that no topology name can take', () => {
    expect(newPrefix(() => Buffer.from([0xab, 0xcd, 0xef]))).toBe('dlabcdef');
    expect(newPrefix()).toMatch(/^dl[0-9a-f]{6}$/);
    expect(labNs('dl000001', 'host')).toBe('dl000001-host');
    expect(worldNs('dl000001')).toBe('dl000001+world');
    expect(ownsNs('dl000001', 'dl000001-pod-a')).toBe(true);
    expect(ownsNs('dl000001', 'dl000001+world')).toBe(true);
    expect(ownsNs('dl000001', 'dl0000012-pod')).toBe(false);
  });
  it('the state file is keyed by the absolute topology path', () => {
    expect(statePath('/a/b.topo', '/tmp')).toBe(statePath('/a/../a/b.topo', '/tmp'));
    expect(statePath('/a/b.topo', '/tmp')).not.toBe(statePath('/a/c.topo', '/tmp'));
    expect(statePath('/a/b.topo', '/tmp')).toMatch(/^\/tmp\/datapath-lens-lab-[0-9a-f]{16}\.json$/);
  });
  it('ping patterns carry the magic, the path number and the nonce', () => {
    expect(pingPattern(3, 0x1ff)).toBe('d47a03ff');
  });
  it('device names longer than IFNAMSIZ are refused', () => {
    expect(deviceNameProblem('eth0')).toBeUndefined();
    expect(deviceNameProblem('a-very-long-name0')).toMatch(/15 characters/);
  });
});

describe('building a topology', () => {
  it('veth-pair: namespaces with explicit sysctls, a pair with chosen indexes, addresses, links up', () => {
    const { topology } = load(path.join(CASES, 'veth-pair.topo'));
    const plan = planDevices(topology, 'dl000001');
    const ns = lines(namespaceCommands(topology, plan));
    expect(ns.filter((l) => l.startsWith('ip netns add'))).toEqual([
      'ip netns add dl000001-host', 'ip netns add dl000001-left', 'ip netns add dl000001-right', 'ip netns add dl000001+world',
    ]);
    const host = namespaceCommands(topology, plan)[1];
    expect(host.argv.slice(0, 4)).toEqual(['ip', 'netns', 'exec', 'dl000001-host']);
    expect(host.argv[6]).toContain('echo 1 > /proc/sys/net/ipv4/ip_forward');
    expect(host.argv[6]).toContain('echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter');
    expect(namespaceCommands(topology, plan)[4].argv[6]).toContain('echo 0 > /proc/sys/net/ipv4/ip_forward');
    expect(lines(linkCommands(topology, plan))).toEqual([
      `ip -n dl000001-left link add veth_left index ${FIRST_AUTO_IFINDEX} type veth peer name veth_right netns dl000001-right index ${FIRST_AUTO_IFINDEX + 1}`,
      'ip -n dl000001-left addr add 10.0.0.1/24 dev veth_left',
      'ip -n dl000001-right addr add 10.0.0.2/24 dev veth_right',
      'ip -n dl000001-left link set dev veth_left up',
      'ip -n dl000001-right link set dev veth_right up',
    ]);
  });

  it('bridge: the bridge, its ports, and a NIC without a wire paired with an absorbing world peer', () => {
    const { topology, walker, paths } = load(path.join(CASES, 'bridge.topo'));
    const plan = planDevices(topology, 'dl000002');
    const l = lines(linkCommands(topology, plan));
    expect(l).toContain('ip -n dl000002-host link add cni0 index 104 type bridge');
    expect(l).toContain('ip -n dl000002-host link add eth0 index 105 type veth peer name w0 netns dl000002+world index 106');
    expect(l).toContain('ip -n dl000002-host link set dev veth1 master cni0');
    expect(l).toContain('ip -n dl000002+world link set dev w0 up');
    expect(lines(routeCommands(topology, plan))).toEqual([
      'ip -n dl000002-pod1 route add default via 10.244.1.1',
      'ip -n dl000002-pod2 route add default via 10.244.1.1',
      'ip -n dl000002-host route add default via 192.168.1.1 dev eth0',
    ]);
    // The gateway outside the model resolves to the world peer.
    expect(neighbourNeeds(topology, paths, walker.fib, walker.links)).toEqual([
      expect.objectContaining({ dev: 'eth0@host', owner: { worldPeerOf: 'eth0@host' } }),
    ]);
    expect(proxyArpDevices(topology, paths, walker.fib, walker.links).size).toBe(0);
  });

  it('host-gw: the wire is a veth pair between the nodes; proxy ARP on the host-side veths of `default dev eth0` pods', () => {
    const { topology, walker, paths } = load(path.join(ROOT, 'examples/host-gw/host-gw.topo'));
    const plan = planDevices(topology, 'dl000003');
    expect(lines(linkCommands(topology, plan))[0]).toBe('ip -n dl000003-node1 link add eth0 index 100 type veth peer name eth0 netns dl000003-node2 index 101');
    const proxy = proxyArpDevices(topology, paths, walker.fib, walker.links);
    expect([...proxy].sort()).toEqual(['veth-a@node1', 'veth-b@node1', 'veth-c@node2', 'veth-d@node2']);
    const sys = deviceSysctlCommands(topology, plan, proxy).map((c) => c.argv[6]).join('\n');
    expect(sys).toContain('echo 1 > /proc/sys/net/ipv4/conf/veth-a/proxy_arp');
    expect(sys).toContain('echo 0 > /proc/sys/net/ipv4/conf/eth0/proxy_arp');
    expect(sys).toContain('echo 0 > /proc/sys/net/ipv4/conf/veth-a/rp_filter');
    expect(neighbourNeeds(topology, paths, walker.fib, walker.links)).toEqual([]);
  });

  it('ebpf-redirects: ifindex and mac honoured, permanent neighbours where a program sits on the ARP\'s link', () => {
    const { topology, walker, paths } = load(path.join(ROOT, 'examples/ebpf-redirects/ebpf-redirects.topo'));
    const plan = planDevices(topology, 'dl000004');
    const l = lines(linkCommands(topology, plan));
    expect(l[0]).toBe('ip -n dl000004-pod-a link add eth0 index 100 type veth peer name lxc-a netns dl000004-host index 11');
    expect(l).toContain('ip -n dl000004-pod-b link set dev eth0 address 02:00:0a:00:01:14');
    const needs = neighbourNeeds(topology, paths, walker.fib, walker.links);
    expect(needs.map((n) => `${n.dev} ${n.ip} ${JSON.stringify(n.owner)}`)).toEqual([
      `eth0@pod-a ${0x0a000114} {"dev":"lxc-a@host"}`,
      `eth0@pod-c ${0x0a000114} {"dev":"lxc-c@host"}`,
      `lxc-a@host ${0x0a00010a} {"dev":"eth0@pod-a"}`,
    ]);
  });

  it('refuses what it cannot build faithfully', () => {
    const t = (text: string) => parseTopology(text, '/x/t.topo').topology;
    expect(() => planDevices(t('netns a\nnetns b\nveth x@a ifindex 7 -- y@b ifindex 7\n'), 'dl1')).toThrow(/distinct values/);
    expect(() => planDevices(t('veth a-name-too-long0 -- b\n'), 'dl1')).toThrow(/IFNAMSIZ/);
  });
});

describe('programs and maps', () => {
  it('one object per C file, pinned under a dot-free name, typed when all its programs agree', () => {
    const { ws, topology } = load(path.join(ROOT, 'examples/wrong-direction/wrong-direction.topo'));
    const objs = planObjects(topology, (a) => a.fileAbs, '/w', '/w/bpffs', (f) => (ws.cFile(f)?.programs ?? []).map((p) => p.progType));
    expect(objs).toHaveLength(1);
    expect(objs[0]).toMatchObject({ object: '/w/obj0-wrong_bpf.o', pinDir: '/w/bpffs/obj0-wrong_bpf', type: 'tc' });
    expect(showCmd(loadCommand(objs[0]).argv)).toBe('bpftool prog loadall /w/obj0-wrong_bpf.o /w/bpffs/obj0-wrong_bpf type tc pinmaps /w/bpffs/obj0-wrong_bpf/maps');
  });

  it('a file with XDP and tc programs is loaded without a forced type', () => {
    const t = parseTopology('netns p\nveth eth0@p -- lxc\nattach xdp lxc prog x file "m.bpf.c"\n', '/x/t.topo').topology;
    expect(planObjects(t, (a) => a.fileAbs, '/w', '/w/fs', () => ['xdp', 'sched_cls'])[0].type).toBeUndefined();
    expect(planObjects(t, (a) => a.fileAbs, '/w', '/w/fs', () => ['xdp'])[0].type).toBe('xdp');
  });

  it('tcx from kernel 6.6', () => {
    expect(['5.15.0-91-generic', '6.1.0-28-amd64', '6.5.13'].map((r) => tcxSupported(r))).toEqual([false, false, false]);
    expect(['6.6.0', '6.12.95+deb12-amd64', '6.18.44-fc-v657', '7.0.1'].map((r) => tcxSupported(r))).toEqual([true, true, true, true]);
    expect(tcxSupported('unknown')).toBe(false);
  });

  it('netkit: the primary made with its peer, in its mode; programs through the primary\'s ifindex, in line order', () => {
    const text = [
      'netns p', 'netkit nk0 ifindex 40 -- eth0@p ifindex 41', 'netkit nk1 -- eth0@q mode l2', 'netns q',
      'attach netkit-peer nk0 prog b file "m.bpf.c"',
      'attach netkit-primary nk0 prog a file "m.bpf.c"',
      'attach netkit-peer nk0 prog c file "m.bpf.c"',
    ].join('\n');
    const { topology, diagnostics } = parseTopology(text, '/x/t.topo');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const plan = planDevices(topology, 'dl6');
    const l = lines(linkCommands(topology, plan));
    expect(l[0]).toBe('ip -n dl6-host link add nk0 index 40 type netkit mode l3 peer name eth0 netns dl6-p index 41');
    expect(l[1]).toMatch(/^ip -n dl6-host link add nk1 index \d+ type netkit mode l2 peer name eth0 netns dl6-q index \d+$/);
    const objs = planObjects(topology, (a) => a.fileAbs, '/w', '/w/fs');
    expect(objs[0].type).toBe('tc');
    const w = new Walker(topology);
    expect(() => attachCommands(topology, plan, objs, (d, h) => w.chain(d, h))).toThrow(/netkit attach helper was not built/);
    const a = attachCommands(topology, plan, objs, (d, h) => w.chain(d, h), '/w/mprog');
    expect(lines(a.commands)).toEqual([
      'ip netns exec dl6-host /w/mprog attach /w/fs/obj0-m_bpf/a 40 netkit-primary',
      'ip netns exec dl6-host /w/mprog attach /w/fs/obj0-m_bpf/b 40 netkit-peer',
      'ip netns exec dl6-host /w/mprog attach /w/fs/obj0-m_bpf/c 40 netkit-peer',
    ]);
    expect(a.clsact).toEqual([]);
  });

  it('attach order: tcx first, then priority, then the order of the lines; user filters after the probe', () => {
    const text = [
      'netns p', 'veth eth0@p -- lxc',
      'attach tc-ingress lxc prog c file "m.bpf.c"',
      'attach tc-ingress lxc prog b file "m.bpf.c" priority 1',
      'attach tcx-ingress lxc prog a file "m.bpf.c"',
      'attach xdp-generic eth0@p prog g file "m.bpf.c"',
    ].join('\n');
    const { topology } = parseTopology(text, '/x/t.topo');
    const plan = planDevices(topology, 'dl5');
    const objs = planObjects(topology, (a) => a.fileAbs, '/w', '/w/fs');
    const w = new Walker(topology);
    const a = attachCommands(topology, plan, objs, (d, h) => w.chain(d, h));
    expect(lines(a.commands)).toEqual([
      'tc -n dl5-host qdisc add dev lxc clsact',
      'tc -n dl5-host filter add dev lxc ingress prio 10 bpf da object-pinned /w/fs/obj0-m_bpf/a',
      'tc -n dl5-host filter add dev lxc ingress prio 11 bpf da object-pinned /w/fs/obj0-m_bpf/b',
      'tc -n dl5-host filter add dev lxc ingress prio 12 bpf da object-pinned /w/fs/obj0-m_bpf/c',
      'ip -n dl5-p link set dev eth0 xdpgeneric pinned /w/fs/obj0-m_bpf/g',
    ]);
    expect(a.notes[0]).toMatch(/attached as a classic tc ingress filter \(this kernel has no tcx/);
    // With the tcx helper the tcx program goes on as tcx; the classic ones keep their order.
    const b = attachCommands(topology, plan, objs, (d, h) => w.chain(d, h), '/w/mprog');
    expect(lines(b.commands)).toEqual([
      `ip netns exec dl5-host /w/mprog attach /w/fs/obj0-m_bpf/a ${plan.devices.get('lxc@host')!.ifindex} tcx-ingress`,
      'tc -n dl5-host qdisc add dev lxc clsact',
      'tc -n dl5-host filter add dev lxc ingress prio 10 bpf da object-pinned /w/fs/obj0-m_bpf/b',
      'tc -n dl5-host filter add dev lxc ingress prio 11 bpf da object-pinned /w/fs/obj0-m_bpf/c',
      'ip -n dl5-p link set dev eth0 xdpgeneric pinned /w/fs/obj0-m_bpf/g',
    ]);
    expect(b.notes).toEqual([]);
  });

  it('encodes IPs in network order, numbers and ifindexes little-endian, devices as MACs in 6-byte values', () => {
    const facts = { ifindex: () => 12, mac: () => '02:00:0a:00:01:14' };
    expect(encodeOperand({ kind: 'ip', ip: 0x0a000114, text: '10.0.1.20' }, 4, facts)).toEqual([10, 0, 1, 20]);
    expect(encodeOperand({ kind: 'number', value: 258, text: '258' }, 4, facts)).toEqual([2, 1, 0, 0]);
    expect(encodeOperand({ kind: 'dev', dev: 'lxc-b@host', text: 'lxc-b' }, 4, facts)).toEqual([12, 0, 0, 0]);
    expect(encodeOperand({ kind: 'dev', dev: 'eth0@pod-b', text: 'eth0@pod-b' }, 6, facts)).toEqual([2, 0, 10, 0, 1, 20]);
    expect(() => encodeOperand({ kind: 'ip', ip: 1, text: '0.0.0.1' }, 6, facts)).toThrow(LabError);
  });

  it('fills endpoints and endpoint_macs from redirect-to when no map line speaks of the object', () => {
    const { topology } = load(path.join(CASES, 'redirect-xmit-l2.topo'));
    expect(behind(topology, 'lxc-b@host')).toEqual([{ ip: 0x0a000114, owner: 'eth0@pod-b' }]);
    const src = path.join(CASES, 'lxc.bpf.c');
    const maps = [
      parseMapShow('{"name":"endpoints","type":"hash","bytes_key":4,"bytes_value":4}', '/fs/o/maps/endpoints'),
      parseMapShow('{"name":"endpoint_macs","type":"hash","bytes_key":4,"bytes_value":6}', '/fs/o/maps/endpoint_macs'),
    ];
    const facts = { ifindex: (k: string) => (k === 'lxc-b@host' ? 104 : 0), mac: (k: string) => (k === 'eth0@pod-b' ? 'aa:bb:cc:dd:ee:ff' : '') };
    const fills = mapFills(topology, [{ source: src, maps, redirectTo: ['lxc-b@host'] }], facts);
    expect(fills.map((f) => [f.map.name, f.key, f.value])).toEqual([
      ['endpoints', [10, 0, 1, 20], [104, 0, 0, 0]],
      ['endpoint_macs', [10, 0, 1, 20], [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]],
    ]);
  });

  it('a map line replaces the rule for its object', () => {
    const { topology } = load(path.join(FIXTURES, 'stale-endpoint.topo'));
    const maps = [parseMapShow('{"name":"endpoints","type":"hash","bytes_key":4,"bytes_value":4}', '/fs/o/maps/endpoints')];
    const fills = mapFills(topology, [{ source: path.join(FIXTURES, 'edge.bpf.c'), maps, redirectTo: [] }], { ifindex: () => 13, mac: () => '' });
    expect(fills.map((f) => [f.key, f.value, f.why])).toEqual([[[10, 0, 1, 20], [13, 0, 0, 0], 'map endpoints 10.0.1.20 => lxc-c']]);
    expect(() => mapFills(parseTopology('map nothere 1 => 2\n', '/x/t.topo').topology, [], { ifindex: () => 0, mac: () => '' })).toThrow(/no loaded program object/);
  });
});

describe('probes', () => {
  it('ships as C beside the bundle (or in the sources) and attaches at prio 1 everywhere', () => {
    expect(fs.readFileSync(probeSource(path.join(ROOT, 'server/src/lab')), 'utf8')).toContain('TC_ACT_UNSPEC');
    const p = probeFiles('/w', '/w/fs');
    const dev = { key: 'eth0@a', name: 'eth0', labNs: 'dl1-a', ifindex: 100 };
    expect(lines(probeAttachCommands([dev], p))).toEqual([
      'tc -n dl1-a qdisc add dev eth0 clsact',
      'tc -n dl1-a filter add dev eth0 ingress prio 1 bpf da object-pinned /w/fs/probe/dl_probe_ingress',
      'tc -n dl1-a filter add dev eth0 egress prio 1 bpf da object-pinned /w/fs/probe/dl_probe_egress',
    ]);
    expect(probeDetachCommands([dev], p).every((c) => c.ignoreFailure)).toBe(true);
    // With the tcx helper: tcx programs ahead of every other at both hooks (tcx runs before tc).
    expect(lines(probeAttachCommands([dev], p, '/w/mprog'))).toEqual([
      'ip netns exec dl1-a /w/mprog attach /w/fs/probe/dl_probe_ingress 100 tcx-ingress first',
      'ip netns exec dl1-a /w/mprog attach /w/fs/probe/dl_probe_egress 100 tcx-egress first',
    ]);
    expect(lines(probeDetachCommands([dev], p, '/w/mprog'))).toEqual([
      'ip netns exec dl1-a /w/mprog detach /w/fs/probe/dl_probe_ingress 100 tcx-ingress',
      'ip netns exec dl1-a /w/mprog detach /w/fs/probe/dl_probe_egress 100 tcx-egress',
    ]);
    expect(probeDetachCommands([dev], p, '/w/mprog').every((c) => c.ignoreFailure)).toBe(true);
  });

  it('reads bpftool dumps of the counter and the events', () => {
    expect(parseCount('[{"key":["0x00","0x00","0x00","0x00"],"value":["0x02","0x01","0x00","0x00"]}]')).toBe(258);
    const ev = (k: number, ifindex: number, dir: number, seq: number) => ({
      key: [k, 0, 0, 0].map((b) => `0x${b.toString(16)}`),
      value: [ifindex, 0, 0, 0, dir, 0, 0, 0, seq, 0, 0, 0, 0xd4, 0x7a, 1, 7].map((b) => `0x${b.toString(16)}`),
    });
    const json = JSON.stringify([ev(1, 151, 0, 1), ev(0, 150, 1, 0), ev(2, 0, 0, 0)]);
    expect(parseEvents(json, 2)).toEqual([
      { ifindex: 150, dir: 'egress', seq: 0, tag: [0xd4, 0x7a, 1, 7] },
      { ifindex: 151, dir: 'ingress', seq: 1, tag: [0xd4, 0x7a, 1, 7] },
    ]);
  });
});

describe('teardown and the machine check', () => {
  it('deletes the recorded namespaces and any leftover of the prefix, then the bpffs mount', () => {
    expect(parseNetnsList('dl1-b (id: 2)\ndl1-a (id: 1)\nother\n')).toEqual(['dl1-b', 'dl1-a', 'other']);
    const cmds = teardownCommands({ prefix: 'dl1', namespaces: ['dl1-a', 'dl1-gone'], bpffs: '/w/fs' }, ['dl1-a', 'dl1+world', 'other']);
    expect(lines(cmds)).toEqual(['ip netns del dl1+world', 'ip netns del dl1-a', 'umount /w/fs']);
  });

  it('skips with a sentence when the machine refuses', async () => {
    const out: string[] = [];
    const code = await labCommand(['trace', 'x.topo', '--json'], {
      workspace: async () => new Workspace(parser, readIfExists), unsupported: () => 'the lab needs root', out: (s) => out.push(s),
    });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({ paths: [], skipped: 'Skipped: the lab needs root.' });
  });
});
