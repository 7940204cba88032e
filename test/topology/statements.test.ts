// Every statement of topology-dsl.md, parsed into the model: names, namespaces, attributes and
// exact 0-based ranges.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOOKS, type Range, type Topology } from '../../server/src/topology/model';
import { parseTopology } from '../../server/src/topology/parse';

const FILE = '/work/lab/cases/net.topo';

function ok(text: string): Topology {
  const { topology, diagnostics } = parseTopology(text, FILE);
  expect(diagnostics).toEqual([]);
  return topology;
}

const rng = (line: number, c0: number, c1: number, line1 = line): Range => ({ start: { line, character: c0 }, end: { line: line1, character: c1 } });

/** The range of the nth occurrence of `needle` on line `line` of `text`. */
function span(text: string, line: number, needle: string, nth = 0): Range {
  const l = text.split('\n')[line];
  let i = -1;
  for (let k = 0; k <= nth; k++) i = l.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`"${needle}" not on line ${line}: ${l}`);
  return rng(line, i, i + needle.length);
}

/** The range of a whole line (a statement without a trailing comment). */
const whole = (text: string, line: number): Range => rng(line, 0, text.split('\n')[line].length);

const ip = (s: string) => s.split('.').reduce((a, p) => a * 256 + Number(p), 0);

describe('netns', () => {
  it('declares namespaces with and without forwarding; host always exists and forwards', () => {
    const text = 'netns pod1\nnetns router forwarding';
    const t = ok(text);
    expect([...t.namespaces.keys()]).toEqual(['host', 'pod1', 'router']);
    expect(t.namespaces.get('host')).toEqual({ name: 'host', forwarding: true });
    expect(t.namespaces.get('pod1')).toEqual({ name: 'pod1', forwarding: false, range: rng(0, 0, 10), nameRange: rng(0, 6, 10) });
    expect(t.namespaces.get('router')).toEqual({ name: 'router', forwarding: true, range: rng(1, 0, 23), nameRange: rng(1, 6, 12) });
  });

  it('`netns host` gives the root namespace a place, and it keeps forwarding', () => {
    const t = ok('netns host');
    expect(t.namespaces.get('host')).toEqual({ name: 'host', forwarding: true, range: rng(0, 0, 10), nameRange: rng(0, 6, 10) });
    expect(t.refs).toEqual([{ kind: 'namespace', target: 'host', range: rng(0, 6, 10), declaration: true }]);
  });

  it('accepts the whole NAME alphabet; keywords are not reserved', () => {
    const t = ok('netns _a.b-c9\nnetns netns\nnetns path');
    expect([...t.namespaces.keys()]).toEqual(['host', '_a.b-c9', 'netns', 'path']);
  });
});

describe('nic', () => {
  it('records CIDR, ifindex and mac (lower-cased), the statement range and the name range', () => {
    const text = 'nic eth0 192.168.1.10/24 ifindex 2 mac AA:BB:CC:DD:EE:01';
    const d = ok(text).devices.get('eth0@host')!;
    expect(d).toEqual({
      key: 'eth0@host', name: 'eth0', ns: 'host', kind: 'nic',
      addrs: [{ addr: ip('192.168.1.10'), len: 24, text: '192.168.1.10/24' }],
      ifindex: 2, mac: 'aa:bb:cc:dd:ee:01', ports: [],
      range: rng(0, 0, text.length), nameRange: rng(0, 4, 8),
    });
  });

  it('is optional in everything but the device; attributes come in any order; several CIDRs', () => {
    const t = ok('netns n1\nnic eth0@n1\nnic eth1 ifindex 7 10.0.0.1/24 10.0.1.1/16 mac 02:00:00:00:00:01');
    const n = t.devices.get('eth0@n1')!;
    expect([n.ns, n.addrs, n.ifindex, n.mac]).toEqual(['n1', [], undefined, undefined]);
    expect(n.nameRange).toEqual(rng(1, 4, 8));
    const e = t.devices.get('eth1@host')!;
    expect(e.addrs.map((c) => c.text)).toEqual(['10.0.0.1/24', '10.0.1.1/16']);
    expect([e.ifindex, e.mac]).toEqual([7, '02:00:00:00:00:01']);
  });

  it('allows one name in several namespaces', () => {
    const t = ok('netns a\nnic eth0\nnic eth0@a');
    expect([...t.devices.keys()]).toEqual(['eth0@host', 'eth0@a']);
  });
});

describe('veth', () => {
  it('pairs two ends, each in its own namespace with its own CIDR and attributes', () => {
    const text = 'netns pod1\nnetns pod2\nveth eth0@pod1 10.0.0.2/24 ifindex 5 mac 02:00:00:00:00:05 -- eth0@pod2 10.0.0.3/24 ifindex 6';
    const t = ok(text);
    const a = t.devices.get('eth0@pod1')!;
    const b = t.devices.get('eth0@pod2')!;
    expect(a).toMatchObject({ kind: 'veth', ns: 'pod1', peer: 'eth0@pod2', ifindex: 5, mac: '02:00:00:00:00:05', nameRange: span(text, 2, 'eth0', 0) });
    expect(a.addrs.map((c) => c.text)).toEqual(['10.0.0.2/24']);
    expect(b).toMatchObject({ kind: 'veth', ns: 'pod2', peer: 'eth0@pod1', ifindex: 6, nameRange: span(text, 2, 'eth0', 1) });
    expect(b.mac).toBeUndefined();
    expect(b.addrs.map((c) => c.text)).toEqual(['10.0.0.3/24']);
    // Both ends point at the whole statement.
    expect(a.range).toEqual(rng(2, 0, text.split('\n')[2].length));
    expect(b.range).toEqual(a.range);
    expect(a.netkitEnd).toBeUndefined();
  });

  it('puts an end without @NS in host', () => {
    const t = ok('netns pod\nveth eth0@pod -- lxc0');
    expect(t.devices.get('lxc0@host')).toMatchObject({ ns: 'host', peer: 'eth0@pod', addrs: [] });
  });
});

describe('netkit', () => {
  it('makes the first end the primary and the second the peer, mode l3 by default', () => {
    const t = ok('netns pod\nnetkit nk0 10.0.0.1/24 -- nk1@pod 10.0.0.2/24');
    expect(t.devices.get('nk0@host')).toMatchObject({ kind: 'netkit', netkitEnd: 'primary', netkitMode: 'l3', peer: 'nk1@pod' });
    expect(t.devices.get('nk1@pod')).toMatchObject({ kind: 'netkit', netkitEnd: 'peer', netkitMode: 'l3', peer: 'nk0@host' });
  });

  it('reads mode l2 and mode l3', () => {
    const t = ok('netns p\nnetkit a -- b@p mode l2\nnetkit c ifindex 9 -- d@p mode l3');
    expect(t.devices.get('a@host')!.netkitMode).toBe('l2');
    expect(t.devices.get('b@p')!.netkitMode).toBe('l2');
    expect(t.devices.get('c@host')).toMatchObject({ netkitMode: 'l3', ifindex: 9 });
  });
});

describe('bridge', () => {
  it('enslaves ports in declaration order; ports may be declared after the bridge', () => {
    const text = 'bridge cni0 10.244.1.1/24 ports veth1 veth2\nnetns p1\nnetns p2\nveth eth0@p1 -- veth1\nveth eth0@p2 -- veth2';
    const t = ok(text);
    const br = t.devices.get('cni0@host')!;
    expect(br).toMatchObject({ kind: 'bridge', ports: ['veth1@host', 'veth2@host'], nameRange: rng(0, 7, 11) });
    expect(br.addrs.map((c) => c.text)).toEqual(['10.244.1.1/24']);
    expect(t.devices.get('veth1@host')!.master).toBe('cni0@host');
    expect(t.devices.get('veth2@host')!.master).toBe('cni0@host');
    expect(t.devices.get('eth0@p1')!.master).toBeUndefined();
  });

  it('resolves unqualified ports in the bridge\'s own namespace, and NAME@NS of that namespace too', () => {
    const t = ok('netns node forwarding\nbridge br0@node ports v1 v2@node\nnic v1@node\nnic v2@node\nnic v1');
    expect(t.devices.get('br0@node')!.ports).toEqual(['v1@node', 'v2@node']);
    expect(t.devices.get('v1@host')!.master).toBeUndefined();
  });

  it('takes attributes among the ports and a bridge without ports', () => {
    const t = ok('bridge br0 ports p1 mac 02:00:00:00:00:aa p2\nbridge br1 ifindex 3\nnic p1\nnic p2');
    expect(t.devices.get('br0@host')).toMatchObject({ mac: '02:00:00:00:00:aa', ports: ['p1@host', 'p2@host'] });
    expect(t.devices.get('br1@host')).toMatchObject({ ports: [], ifindex: 3 });
  });
});

describe('wire', () => {
  it('joins two NICs both ways', () => {
    const t = ok('netns a\nnetns b\nnic eth0@a\nnic eth0@b\nwire eth0@a -- eth0@b');
    expect(t.devices.get('eth0@a')!.wire).toBe('eth0@b');
    expect(t.devices.get('eth0@b')!.wire).toBe('eth0@a');
  });
});

describe('route', () => {
  it('defaults to host, reads @NS, default, via and dev, and keeps the statement range', () => {
    const text = [
      'netns pod',
      'veth eth0@pod 10.0.0.2/24 -- lxc 10.0.0.1/24',
      'route 10.9.0.0/16 via 10.0.0.2',
      'route @pod default via 10.0.0.1',
      'route @pod 10.8.0.0/24 dev eth0',
      'route @pod 10.7.0.0/24 via 10.0.0.1 dev eth0',
      'route default dev lxc',
    ].join('\n');
    const t = ok(text);
    expect(t.routes).toEqual([
      { ns: 'host', dest: { addr: ip('10.9.0.0'), len: 16, text: '10.9.0.0/16' }, destText: '10.9.0.0/16', via: ip('10.0.0.2'), viaText: '10.0.0.2', range: whole(text, 2) },
      { ns: 'pod', dest: null, destText: 'default', via: ip('10.0.0.1'), viaText: '10.0.0.1', range: whole(text, 3) },
      { ns: 'pod', dest: { addr: ip('10.8.0.0'), len: 24, text: '10.8.0.0/24' }, destText: '10.8.0.0/24', dev: 'eth0@pod', range: whole(text, 4) },
      { ns: 'pod', dest: { addr: ip('10.7.0.0'), len: 24, text: '10.7.0.0/24' }, destText: '10.7.0.0/24', via: ip('10.0.0.1'), viaText: '10.0.0.1', dev: 'eth0@pod', range: whole(text, 5) },
      { ns: 'host', dest: null, destText: 'default', dev: 'lxc@host', range: whole(text, 6) },
    ]);
  });

  it('accepts `dev` before `via`', () => {
    const t = ok('nic eth0 10.0.0.1/24\nroute default dev eth0 via 10.0.0.254');
    expect(t.routes[0]).toMatchObject({ dev: 'eth0@host', via: ip('10.0.0.254') });
  });

  it('accepts a gateway reached through a device route of the same namespace (no address needed)', () => {
    const t = ok('netns pod\nveth eth0@pod 10.0.0.2/32 -- lxc\nroute @pod 169.254.1.1/32 dev eth0\nroute @pod default via 169.254.1.1 dev eth0');
    expect(t.routes.map((r) => r.destText)).toEqual(['169.254.1.1/32', 'default']);
  });
});

describe('attach', () => {
  it.each(HOOKS.filter((h) => !h.startsWith('netkit')))('accepts hook %s on a device', (hook) => {
    const text = `nic eth0\nattach ${hook} eth0 prog handler`;
    const a = ok(text).attachments[0];
    expect(a).toEqual({
      hook, dev: 'eth0@host', prog: 'handler', order: 0, range: rng(1, 0, text.split('\n')[1].length),
      hookRange: span(text, 1, hook), devRange: span(text, 1, 'eth0'), progRange: span(text, 1, 'handler'),
    });
  });

  it.each(['netkit-primary', 'netkit-peer'])('accepts hook %s on a netkit primary', (hook) => {
    const a = ok(`netns pod\nnetkit nk0 -- nk1@pod\nattach ${hook} nk0 prog p`).attachments[0];
    expect(a).toMatchObject({ hook, dev: 'nk0@host', prog: 'p' });
  });

  it('resolves file relative to the topology file and keeps it as written; redirect-to and priority', () => {
    const text = 'netns pod\nveth eth0@pod -- lxc\nnic eth0\nattach tc-ingress lxc prog from_pod file "../bpf/lxc.bpf.c" redirect-to eth0 priority 10';
    const a = ok(text).attachments[0];
    expect(a).toMatchObject({
      hook: 'tc-ingress', dev: 'lxc@host', prog: 'from_pod', file: '../bpf/lxc.bpf.c',
      fileAbs: path.resolve('/work/lab/bpf/lxc.bpf.c'), redirectTo: 'eth0@host', priority: 10,
      progRange: span(text, 3, 'from_pod'), devRange: span(text, 3, 'lxc'),
    });
  });

  it('accepts the options in any order and a device in a namespace; order counts attach lines', () => {
    const text = 'netns pod\nveth eth0@pod -- lxc\nattach xdp eth0@pod prog a\nattach tc-egress eth0@pod prog b priority 0 file "b.c"';
    const [a, b] = ok(text).attachments;
    expect(a).toMatchObject({ dev: 'eth0@pod', order: 0, devRange: span(text, 2, 'eth0') });
    expect(b).toMatchObject({ order: 1, priority: 0, file: 'b.c', fileAbs: '/work/lab/cases/b.c' });
  });

  it('resolves an unqualified redirect-to in the namespace of the attached device', () => {
    const a = ok('netns pod\nveth eth0@pod -- lxc\nnic eth1@pod\nattach tc-ingress eth0@pod prog p redirect-to eth1').attachments[0];
    expect(a.redirectTo).toBe('eth1@pod');
  });
});

describe('path', () => {
  const base = 'netns pod1\nnetns pod2\nveth eth0@pod1 10.0.0.1/24 -- eth0@pod2 10.0.0.2/24\nnic uplink 192.168.0.1/24\n';

  it('reads namespace, IP, DEV and NAME@NS endpoints; icmp by default', () => {
    const t = ok(base + 'path pod1 -> 10.0.0.2\npath 10.0.0.1 -> uplink\npath eth0@pod1 -> pod2');
    expect(t.paths.map((p) => [p.from, p.to, p.proto])).toEqual([
      [{ kind: 'ns', ns: 'pod1', text: 'pod1' }, { kind: 'ip', ip: ip('10.0.0.2'), text: '10.0.0.2' }, { kind: 'icmp' }],
      [{ kind: 'ip', ip: ip('10.0.0.1'), text: '10.0.0.1' }, { kind: 'dev', dev: 'uplink@host', text: 'uplink' }, { kind: 'icmp' }],
      [{ kind: 'dev', dev: 'eth0@pod1', text: 'eth0@pod1' }, { kind: 'ns', ns: 'pod2', text: 'pod2' }, { kind: 'icmp' }],
    ]);
    expect(t.paths[0].range).toEqual(rng(4, 0, 21));
  });

  it('reads icmp, udp PORT and tcp PORT; -> may touch the names', () => {
    const t = ok(base + 'path pod1 -> pod2 icmp\npath pod1 -> pod2 udp 53\npath pod1->pod2 tcp 65535');
    expect(t.paths.map((p) => p.proto)).toEqual([{ kind: 'icmp' }, { kind: 'udp', port: 53 }, { kind: 'tcp', port: 65535 }]);
  });

  it('prefers a namespace over a host device of the same name', () => {
    const t = ok('netns eth9\nnic eth9\npath eth9 -> eth9@host');
    expect(t.paths[0].from).toEqual({ kind: 'ns', ns: 'eth9', text: 'eth9' });
    expect(t.paths[0].to).toEqual({ kind: 'dev', dev: 'eth9@host', text: 'eth9@host' });
  });
});

describe('map', () => {
  it('reads IP, DEV and number operands and resolves the file', () => {
    const text = 'netns pod\nveth eth0@pod -- lxc\nmap backends file "lb.bpf.c" 10.96.0.10 => lxc\nmap ifs 7 => eth0@pod\nmap count 1 => 4294967295';
    const t = ok(text);
    expect(t.maps).toEqual([
      { name: 'backends', file: 'lb.bpf.c', fileAbs: '/work/lab/cases/lb.bpf.c', key: { kind: 'ip', ip: ip('10.96.0.10'), text: '10.96.0.10' }, value: { kind: 'dev', dev: 'lxc@host', text: 'lxc' }, range: whole(text, 2) },
      { name: 'ifs', key: { kind: 'number', value: 7, text: '7' }, value: { kind: 'dev', dev: 'eth0@pod', text: 'eth0@pod' }, range: whole(text, 3) },
      { name: 'count', key: { kind: 'number', value: 1, text: '1' }, value: { kind: 'number', value: 4294967295, text: '4294967295' }, range: whole(text, 4) },
    ]);
  });

  it('reads key=>value without spaces', () => {
    expect(ok('map m 1=>2').maps[0]).toMatchObject({ key: { kind: 'number', value: 1 }, value: { kind: 'number', value: 2 } });
  });
});

describe('comments, blank lines, order', () => {
  it('skips comments and blank lines and counts lines from 0', () => {
    const text = '# a lab\n\n   \nnetns a   # the left side\n\t\n# nic eth9\nnic eth0@a 10.0.0.1/24 # addr';
    const t = ok(text);
    expect([...t.devices.keys()]).toEqual(['eth0@a']);
    expect(t.namespaces.get('a')!.range).toEqual(rng(3, 0, 7));
    // The statement range ends at the last token, before the comment.
    expect(t.devices.get('eth0@a')!.range).toEqual(rng(6, 0, 22));
  });

  it('accepts CRLF line endings', () => {
    const t = ok('netns a\r\nnic eth0@a 10.0.0.1/24\r\n');
    expect(t.devices.get('eth0@a')!.range).toEqual(rng(1, 0, 22));
  });

  it('lets every name be used before the line that declares it', () => {
    const text = [
      'path pod -> 10.0.0.1',
      'attach tc-ingress lxc prog p redirect-to eth0',
      'route @pod default via 10.0.0.1',
      'wire eth0 -- eth0@far',
      'bridge br0 ports lxc',
      'veth eth0@pod 10.0.0.2/24 -- lxc',
      'nic eth0',
      'nic eth0@far',
      'netns pod',
      'netns far',
      'map m 1 => eth0@pod',
    ].join('\n');
    const { diagnostics, topology: t } = parseTopology(text.replace('bridge br0 ports lxc', 'bridge br0 10.0.0.1/24 ports lxc'), FILE);
    expect(diagnostics).toEqual([]);
    expect(t.paths).toHaveLength(1);
    expect(t.attachments[0]).toMatchObject({ dev: 'lxc@host', redirectTo: 'eth0@host' });
    expect(t.routes[0]).toMatchObject({ ns: 'pod', via: ip('10.0.0.1') });
    expect(t.devices.get('eth0@host')!.wire).toBe('eth0@far');
    expect(t.devices.get('lxc@host')!.master).toBe('br0@host');
    expect(t.maps[0].value).toEqual({ kind: 'dev', dev: 'eth0@pod', text: 'eth0@pod' });
  });
});
