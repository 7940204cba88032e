// Every error of the topology language: code, severity, the exact range of the offending token,
// what the message says was expected, and the quick fix where there is a "did you mean".
// Then recovery: one bad line never hides the rest.
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Range } from '../../server/src/topology/model';
import { parseTopology } from '../../server/src/topology/parse';

const FILE = '/work/lab/net.topo';
const rng = (line: number, c0: number, c1: number): Range => ({ start: { line, character: c0 }, end: { line, character: c1 } });

function span(text: string, line: number, needle: string, nth = 0): Range {
  const l = text.split('\n')[line];
  let i = -1;
  for (let k = 0; k <= nth; k++) i = l.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`"${needle}" not on line ${line}: ${l}`);
  return rng(line, i, i + needle.length);
}

/** Just past the last character of a line: where a missing token is reported. */
function eol(text: string, line: number): Range {
  const n = text.split('\n')[line].length;
  return rng(line, n, n);
}

const parse = (text: string) => parseTopology(text, FILE);

/** Exactly one diagnostic, an error with this code and range, whose message contains every part. */
function one(text: string, code: string, range: Range, ...parts: string[]): Diagnostic {
  const { diagnostics } = parse(text);
  expect(diagnostics.map((d) => [d.code, d.range])).toEqual([[code, range]]);
  const d = diagnostics[0];
  expect(d.severity).toBe('error');
  expect(d.file).toBe(FILE);
  for (const p of parts) expect(d.message).toContain(p);
  return d;
}

describe('lexical and statement errors (topo-syntax)', () => {
  it('unknown statement keyword, with "did you mean"', () => {
    const t = 'nettns pod';
    const d = one(t, 'topo-syntax', rng(0, 0, 6), 'Expected a statement (netns, nic, veth, bridge, wire, netkit, route, attach, path, map), found "nettns".', 'Did you mean "netns"?');
    expect(d.fix).toBeUndefined();
    one('brige br0', 'topo-syntax', rng(0, 0, 5), 'Did you mean "bridge"?');
    one('  rout default dev eth0', 'topo-syntax', rng(0, 2, 6), 'Did you mean "route"?');
  });

  it('unknown keyword without a close candidate: no suggestion', () => {
    const d = one('interface eth0', 'topo-syntax', rng(0, 0, 9), 'found "interface"');
    expect(d.message).not.toContain('Did you mean');
  });

  it('a line starting with something that is not a word', () => {
    one('-> x', 'topo-syntax', rng(0, 0, 2), 'Expected a statement', 'found "->"');
    one('"nic" eth0', 'topo-syntax', rng(0, 0, 5), 'Expected a statement', 'found "nic"');
  });

  it('unterminated string: from the quote to the end of the line, the line is dropped', () => {
    const t = 'nic eth0\nattach xdp eth0 prog p file "x.bpf.c';
    one(t, 'topo-syntax', rng(1, 28, 36), 'Expected a closing " for this string.');
    expect(parse(t).topology.attachments).toEqual([]);
  });

  it('a bad NAME for a namespace or device', () => {
    one('netns 1abc', 'topo-syntax', rng(0, 6, 10), 'Expected a namespace name', 'found "1abc"');
    const d = one('nic 9eth', 'topo-syntax', rng(0, 4, 8), 'found "9eth"');
    expect(d.message).toBe('Expected a device (NAME or NAME@NS), found "9eth".');
    one('nic eth0@', 'topo-syntax', rng(0, 9, 9), 'Expected a namespace name after "@"');
    one('nic eth0@9x', 'topo-syntax', rng(0, 9, 11), 'Expected a namespace name after "@", found "9x".');
    one('nic 9x@ns', 'topo-syntax', rng(0, 4, 6), 'found "9x@ns"');
  });

  it('a statement missing its object points just past the line', () => {
    one('nic', 'topo-syntax', rng(0, 3, 3), 'Expected a device (NAME or NAME@NS) at the end of the line.');
    one('netns', 'topo-syntax', rng(0, 5, 5), 'Expected a namespace name at the end of the line.');
  });

  it('extra tokens after a complete statement', () => {
    one('netns a forwarding extra', 'topo-syntax', rng(0, 19, 24), 'Unexpected "extra": the statement is complete before it.');
    one('nic eth0 foo', 'topo-syntax', rng(0, 9, 12), 'Expected a CIDR (10.0.0.1/24), "ifindex N" or "mac XX:XX:XX:XX:XX:XX", found "foo".');
    one('nic eth0 mode l2', 'topo-syntax', rng(0, 9, 13), 'Unexpected "mode"');
    one('veth a -- b mode l2', 'topo-syntax', rng(0, 12, 16), 'Unexpected "mode"');
  });

  it('device attributes: ifindex and mac', () => {
    one('nic eth0 ifindex x', 'topo-syntax', rng(0, 17, 18), 'Expected an interface index (a whole number up to 2147483647), found "x".');
    one('nic eth0 ifindex', 'topo-syntax', rng(0, 16, 16), 'Expected an interface index');
    one('nic eth0 ifindex 0', 'topo-syntax', rng(0, 17, 18), 'Expected an interface index of 1 or more, found "0".');
    one('nic eth0 ifindex 2147483648', 'topo-syntax', rng(0, 17, 27), 'a whole number up to 2147483647');
    one('nic eth0 ifindex 1 ifindex 2', 'topo-syntax', rng(0, 27, 28), 'This device already has an ifindex.');
    one('nic eth0 mac zz', 'topo-syntax', rng(0, 13, 15), 'Expected a MAC address (six hex pairs, XX:XX:XX:XX:XX:XX), found "zz".');
    one('nic eth0 mac 02:00:00:00:00', 'topo-syntax', rng(0, 13, 27), 'Expected a MAC address');
    one('nic eth0 mac 02:00:00:00:00:01 mac 02:00:00:00:00:02', 'topo-syntax', rng(0, 35, 52), 'This device already has a MAC address.');
  });

  it('veth, netkit and wire need "--"', () => {
    one('veth a b', 'topo-syntax', rng(0, 7, 8), 'found "b"');
    one('veth a', 'topo-syntax', rng(0, 6, 6), 'Expected "--" between the two ends at the end of the line.');
    one('veth a --', 'topo-syntax', rng(0, 9, 9), 'Expected the second end (NAME or NAME@NS) at the end of the line.');
    one('wire a b', 'topo-syntax', rng(0, 7, 8), 'Expected "--" between the two NICs, found "b".');
    one('netkit a -- b mode l4', 'topo-syntax', rng(0, 19, 21), 'Expected a netkit mode: l2 or l3, found "l4".');
    one('netkit a -- b mode', 'topo-syntax', rng(0, 18, 18), 'Expected a netkit mode: l2 or l3 at the end of the line.');
  });

  it('bridge: "ports" needs at least one device, and ports are devices', () => {
    one('bridge br0 ports', 'topo-syntax', rng(0, 16, 16), 'Expected at least one port device after "ports"');
    one('bridge br0 ports 10.0.0.1/24', 'topo-syntax', rng(0, 17, 28), 'Expected a port device (NAME or NAME@NS), found "10.0.0.1/24".');
  });

  it('route: neither via nor dev is a syntax error at the end of the line', () => {
    one('route 10.0.0.0/24', 'topo-syntax', rng(0, 17, 17), 'Expected "via IP" or "dev NAME" (a route needs at least one) at the end of the line.');
    one('route @pod default', 'topo-syntax', rng(0, 18, 18), '"via IP" or "dev NAME"');
  });

  it('route: other shapes', () => {
    one('route', 'topo-syntax', rng(0, 5, 5), 'Expected a destination: a CIDR such as 10.0.0.0/24, or "default" at the end of the line.');
    one('route @pod', 'topo-syntax', rng(0, 10, 10), 'Expected a destination');
    one('route @ default via 1.1.1.1', 'topo-syntax', rng(0, 6, 7), 'Expected a namespace name after "@", found "@".');
    one('route default via', 'topo-syntax', rng(0, 17, 17), 'Expected a gateway address after "via"');
    one('route default via 1.1.1.1 via 2.2.2.2', 'topo-syntax', rng(0, 26, 29), 'Expected "via IP" or "dev NAME", found "via".');
    one('route default via 1.2.3.4 extra', 'topo-syntax', rng(0, 26, 31), 'found "extra"');
    // `dev NAME` is resolved in the route's namespace: NAME@NS is not allowed there.
    one('route default dev eth0@pod', 'topo-syntax', rng(0, 18, 26), 'Expected a device name after "dev"', 'found "eth0@pod"');
  });

  it('attach: prog, program name, file, priority', () => {
    one('attach tc-ingress eth0 x', 'topo-syntax', rng(0, 23, 24), 'Expected "prog NAME", found "x".');
    one('attach tc-ingress eth0', 'topo-syntax', rng(0, 22, 22), 'Expected "prog NAME" at the end of the line.');
    one('attach xdp eth0 prog 1x', 'topo-syntax', rng(0, 21, 23), 'Expected a program name (a C identifier), found "1x".');
    one('attach xdp eth0 prog a.b', 'topo-syntax', rng(0, 21, 24), 'a C identifier');
    one('attach xdp eth0 prog x file', 'topo-syntax', rng(0, 27, 27), 'Expected a file path in double quotes at the end of the line.');
    one('attach xdp eth0 prog x file x.c', 'topo-syntax', rng(0, 28, 31), 'Expected a file path in double quotes, found "x.c".');
    one('attach xdp eth0 prog x priority 70000', 'topo-syntax', rng(0, 32, 37), 'Expected a priority (a whole number up to 65535), found "70000".');
    one('attach xdp eth0 prog x priority -1', 'topo-syntax', rng(0, 32, 34), 'Expected a priority');
    one('attach xdp eth0 prog x bogus', 'topo-syntax', rng(0, 23, 28), 'Expected file "PATH", redirect-to DEV or priority N, found "bogus".');
    one('attach xdp eth0 prog x priority 1 priority 2', 'topo-syntax', rng(0, 34, 42), 'found "priority"');
  });

  it('path: arrow, protocol and port', () => {
    one('path a b', 'topo-syntax', rng(0, 7, 8), 'Expected "->", found "b".');
    one('path a ->', 'topo-syntax', rng(0, 9, 9), 'Expected where the packet goes');
    const d = one('path a -> b udpp 53', 'topo-syntax', rng(0, 12, 16), 'Expected icmp, udp PORT or tcp PORT, found "udpp". Did you mean "udp"?');
    expect(d.fix).toBeUndefined();
    expect(one('path a -> b sctp', 'topo-syntax', rng(0, 12, 16), 'found "sctp".').message).not.toContain('Did you mean');
    one('path a -> b udp', 'topo-syntax', rng(0, 15, 15), 'Expected a port at the end of the line.');
    one('path a -> b tcp 65536', 'topo-syntax', rng(0, 16, 21), 'Expected a port (a whole number up to 65535), found "65536".');
    one('path a -> b icmp 1', 'topo-syntax', rng(0, 17, 18), 'Unexpected "1"');
  });

  it('map: the fat arrow, the file string, the end', () => {
    one('map m 1 2', 'topo-syntax', rng(0, 8, 9), 'Expected "=>" between key and value, found "2".');
    one('map m file x 1 => 2', 'topo-syntax', rng(0, 11, 12), 'Expected a file path in double quotes, found "x".');
    one('map m 1 => 2 3', 'topo-syntax', rng(0, 13, 14), 'Unexpected "3"');
    one('map m 1 =>', 'topo-syntax', rng(0, 10, 10), 'Expected a value: an IP, a device or a number at the end of the line.');
    one('map 9m 1 => 2', 'topo-syntax', rng(0, 4, 6), 'Expected a map name');
  });
});

describe('topo-bad-cidr', () => {
  it.each([
    ['10.0.0.300/24', 'an IPv4 address before "/", not "10.0.0.300"'],
    ['10.0.0.1/33', 'a prefix length from 0 to 32, not "33"'],
    ['10.0.0.1', 'a prefix length after "/" (for example 10.0.0.1/24)'],
    ['10.0.0/24', 'an IPv4 address before "/", not "10.0.0"'],
    ['10.0.0.1/', 'a prefix length from 0 to 32, not ""'],
    ['10.0.0.1/2x', 'a prefix length from 0 to 32, not "2x"'],
    ['01.0.0.1/24', 'an IPv4 address before "/", not "01.0.0.1"'],
  ])('on a device: %s', (cidr, why) => {
    const t = `nic eth0 ${cidr} ifindex 3`;
    one(t, 'topo-bad-cidr', rng(0, 9, 9 + cidr.length), `Malformed CIDR "${cidr}": expected ${why}.`);
    // The device is still declared, without the address.
    const d = parse(t).topology.devices.get('eth0@host')!;
    expect([d.addrs, d.ifindex]).toEqual([[], 3]);
  });

  it('on each end of a pair and on a bridge, keeping the good addresses', () => {
    const t = 'netns p\nveth a@p 10.0.0.300/24 -- b 10.0.0.1/33\nbridge br0 10.1.0.1/24 10.1.0.1 ports b';
    const { diagnostics, topology } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range])).toEqual([
      ['topo-bad-cidr', span(t, 1, '10.0.0.300/24')],
      ['topo-bad-cidr', span(t, 1, '10.0.0.1/33')],
      ['topo-bad-cidr', span(t, 2, '10.1.0.1', 1)],
    ]);
    expect(topology.devices.get('a@p')!.peer).toBe('b@host');
    expect(topology.devices.get('br0@host')!.addrs.map((c) => c.text)).toEqual(['10.1.0.1/24']);
    expect(topology.devices.get('br0@host')!.ports).toEqual(['b@host']);
  });

  it('route destination and gateway; the route is not kept', () => {
    const t1 = 'nic eth0 10.0.0.1/24\nroute 10.9.0.0/40 dev eth0';
    one(t1, 'topo-bad-cidr', span(t1, 1, '10.9.0.0/40'), 'Malformed destination "10.9.0.0/40": expected "default" or a CIDR; a prefix length from 0 to 32, not "40".');
    expect(parse(t1).topology.routes).toEqual([]);
    const t2 = 'nic eth0 10.0.0.1/24\nroute 10.9.0.0 dev eth0';
    one(t2, 'topo-bad-cidr', span(t2, 1, '10.9.0.0'), 'a prefix length after "/"');
    const t3 = 'nic eth0 10.0.0.1/24\nroute default via 10.0.0.256';
    one(t3, 'topo-bad-cidr', span(t3, 1, '10.0.0.256'), 'Malformed gateway "10.0.0.256": expected an IPv4 address such as 10.0.0.1.');
    expect(parse(t3).topology.routes).toEqual([]);
  });

  it('a path address', () => {
    const t = 'netns a\npath a -> 10.0.0.300';
    one(t, 'topo-bad-cidr', span(t, 1, '10.0.0.300'), 'Malformed address "10.0.0.300": expected an IPv4 address such as 10.0.0.1.');
    expect(parse(t).topology.paths).toEqual([]);
  });
});

describe('topo-duplicate and topo-veth-reuse', () => {
  it('a namespace declared twice, `host` included', () => {
    const t = 'netns a\nnetns b\nnetns a forwarding';
    one(t, 'topo-duplicate', span(t, 2, 'a'), 'Namespace "a" is already declared on line 1.');
    // The first declaration wins.
    expect(parse(t).topology.namespaces.get('a')!.forwarding).toBe(false);
    const h = 'netns host\nnetns host';
    one(h, 'topo-duplicate', span(h, 1, 'host'), 'Namespace "host" is already declared on line 1.');
  });

  it('a device declared twice in one namespace, whatever its kinds', () => {
    const t = 'netns p\nnic eth0@p\nbridge eth0@p';
    one(t, 'topo-duplicate', span(t, 2, 'eth0'), 'Device "eth0" is already declared in namespace "p" on line 2.');
    expect(parse(t).topology.devices.get('eth0@p')!.kind).toBe('nic');
    const t2 = 'nic lxc\nveth lxc -- peer0';
    one(t2, 'topo-duplicate', span(t2, 1, 'lxc'), 'Device "lxc" is already declared in namespace "host" on line 1.');
  });

  it('a veth end used by a second pair', () => {
    const t = 'netns a\nnetns b\nveth x@a -- y@b\nveth z@b -- x@a';
    one(t, 'topo-veth-reuse', span(t, 3, 'x'), '"x@a" is already an end of the pair on line 3: a veth end belongs to one pair only.');
    const topo = parse(t).topology;
    expect(topo.devices.get('x@a')!.peer).toBe('y@b');
  });

  it('a netkit end used by a second pair', () => {
    const t = 'netns a\nnetkit nk0 -- nk1@a\nnetkit nk0 -- nk2@a';
    one(t, 'topo-veth-reuse', span(t, 2, 'nk0'), '"nk0@host" is already an end of the pair on line 2: a netkit end belongs to one pair only.');
  });
});

describe('topo-unknown-name', () => {
  it('an unknown namespace on a device, with "did you mean" and a fix; the device is kept there', () => {
    const t = 'netns pod1\nnic eth0@pod';
    const d = one(t, 'topo-unknown-name', rng(1, 9, 12), 'Unknown namespace "pod": declare it with "netns pod". Did you mean "pod1"?');
    expect(d.fix).toEqual({ title: 'Change to "pod1"', range: rng(1, 9, 12), text: 'pod1' });
    expect(parse(t).topology.devices.has('eth0@pod')).toBe(true);
    // Too far for a suggestion (a transposition costs 2 in a 4-letter word): no fix.
    expect(one('netns pod1\nnic eth0@pdo1', 'topo-unknown-name', rng(1, 9, 13), 'Unknown namespace "pdo1": declare it with "netns pdo1".').fix).toBeUndefined();
  });

  it('reports an unknown namespace once, not on every use', () => {
    const t = 'nic a@zz\nnic b@zz';
    const { diagnostics } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range])).toEqual([['topo-unknown-name', span(t, 0, 'zz')]]);
    expect(diagnostics[0].fix).toBeUndefined();
  });

  it('an unknown device in a route, with the fix; namespace of the route', () => {
    const t = 'netns pod\nveth eth0@pod 10.0.0.2/24 -- lxc\nroute @pod default dev eth1';
    const d = one(t, 'topo-unknown-name', span(t, 2, 'eth1'), 'Unknown device "eth1" in namespace "pod". Did you mean "eth0"?');
    expect(d.fix).toEqual({ title: 'Change to "eth0"', range: span(t, 2, 'eth1'), text: 'eth0' });
    expect(parse(t).topology.routes).toEqual([]);
  });

  it('an unknown route namespace: the range leaves out the "@"', () => {
    const t = 'netns pod\nroute @po default via 10.0.0.1';
    const { diagnostics } = parse(t);
    expect(diagnostics[0]).toMatchObject({ code: 'topo-unknown-name', range: rng(1, 7, 9), fix: { text: 'pod', range: rng(1, 7, 9) } });
    expect(diagnostics[0].message).toBe('Unknown namespace "po": declare it with "netns po". Did you mean "pod"?');
  });

  it('says where a device of that name lives when there is no close name', () => {
    const t = 'netns pod\nnic eth0@pod\nattach xdp eth0 prog p';
    const d = one(t, 'topo-unknown-name', span(t, 2, 'eth0'), 'Unknown device "eth0" in namespace "host". A device of that name exists as "eth0@pod".');
    expect(d.fix).toBeUndefined();
  });

  it('unknown path endpoints, with "did you mean" and a fix', () => {
    const t = 'netns pod1\nnetns pod2\nnic uplink\npath pod11 -> uplnk';
    const { diagnostics, topology } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range, d.fix?.text])).toEqual([
      ['topo-unknown-name', span(t, 3, 'pod11'), 'pod1'],
      ['topo-unknown-name', span(t, 3, 'uplnk'), 'uplink'],
    ]);
    expect(diagnostics[0].message).toBe('Unknown namespace or device "pod11". Did you mean "pod1"?');
    expect(topology.paths).toEqual([]);
  });

  it('an unknown NAME@NS path endpoint', () => {
    const t = 'netns pod\nveth eth0@pod -- lxc\npath pod -> eth1@pod';
    one(t, 'topo-unknown-name', span(t, 2, 'eth1'), 'Unknown device "eth1" in namespace "pod". Did you mean "eth0"?');
  });

  it('unknown devices in attach (device and redirect-to), wire, bridge ports and map operands', () => {
    const t = [
      'nic eth0',
      'attach tc-ingress eth1 prog p',
      'attach tc-ingress eth0 prog p redirect-to eth2',
      'wire eth0 -- far0',
      'bridge br0 ports ghost',
      'map m 1 => eth3',
    ].join('\n');
    const { diagnostics, topology } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range])).toEqual([
      ['topo-unknown-name', span(t, 1, 'eth1')],
      ['topo-unknown-name', span(t, 2, 'eth2')],
      ['topo-unknown-name', span(t, 3, 'far0')],
      ['topo-unknown-name', span(t, 4, 'ghost')],
      ['topo-unknown-name', span(t, 5, 'eth3')],
    ]);
    expect(diagnostics.map((d) => d.fix?.text)).toEqual(['eth0', 'eth0', undefined, undefined, 'eth0']);
    // The attach with a good device but an unknown target is kept, without the target.
    expect(topology.attachments).toHaveLength(1);
    expect(topology.attachments[0].redirectTo).toBeUndefined();
    expect(topology.devices.get('eth0@host')!.wire).toBeUndefined();
  });

  it('a map operand that is neither an IP, a device nor a number', () => {
    const t = 'map m 10.0.0 => 1';
    one(t, 'topo-syntax', span(t, 0, '10.0.0'), 'Expected an IP, a device or a number, found "10.0.0".');
  });

  it('a path endpoint that is no name at all', () => {
    const t = 'netns a\npath a -> x@';
    one(t, 'topo-syntax', span(t, 1, 'x@'), 'Expected a namespace, an IP or a device (NAME@NS), found "x@".');
  });
});

describe('bridge ports', () => {
  const pods = 'netns pod\nnetns node\nveth eth0@pod -- v1\nveth eth1@pod -- v2@node\nnic v3\n';

  it('a port in another namespace: topo-port-namespace over NAME@NS', () => {
    const t = pods + 'bridge br0 ports v1 v2@node';
    const d = one(t, 'topo-port-namespace', span(t, 5, 'v2@node'), 'Port "v2@node" is in namespace "node", but bridge "br0" is in "host": a bridge enslaves devices of its own namespace only.');
    expect(parse(t).topology.devices.get('br0@host')!.ports).toEqual(['v1@host']);
    expect(parse(t).topology.devices.get('v2@node')!.master).toBeUndefined();
    expect(d.fix).toBeUndefined();
  });

  it('a port that only exists in another namespace, written without @NS, is unknown in the bridge\'s', () => {
    const t = pods + 'bridge br0@node ports v1';
    one(t, 'topo-unknown-name', span(t, 5, 'v1'), 'Unknown device "v1" in namespace "node".', 'Did you mean "v2"?');
  });

  it('a bridge as a port, and a bridge as its own port', () => {
    const t = pods + 'bridge br0 ports v1 br1\nbridge br1 ports br1 v3';
    const { diagnostics, topology } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range])).toEqual([
      ['topo-bad-port', span(t, 5, 'br1')],
      ['topo-bad-port', span(t, 6, 'br1', 1)],
    ]);
    expect(diagnostics[0].message).toBe('"br1" is a bridge: the kernel refuses to enslave a bridge to a bridge (br_add_if returns -ELOOP).');
    expect(diagnostics[1].message).toBe('Bridge "br1" cannot be a port of itself.');
    expect(topology.devices.get('br0@host')!.ports).toEqual(['v1@host']);
    expect(topology.devices.get('br1@host')!.ports).toEqual(['v3@host']);
  });

  it('a port already enslaved to another bridge (or twice to this one)', () => {
    const t = pods + 'bridge br0 ports v1\nbridge br1 ports v3 v1 v3';
    const { diagnostics, topology } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range, d.message])).toEqual([
      ['topo-bad-port', span(t, 6, 'v1'), '"v1" is already a port of bridge "br0".'],
      ['topo-bad-port', span(t, 6, 'v3', 1), '"v3" is already a port of bridge "br1".'],
    ]);
    expect(topology.devices.get('v1@host')!.master).toBe('br0@host');
    expect(topology.devices.get('br1@host')!.ports).toEqual(['v3@host']);
  });

  it('a duplicate bridge line does not enslave its ports', () => {
    const t = pods + 'bridge br0 ports v1\nbridge br0 ports v3';
    one(t, 'topo-duplicate', span(t, 6, 'br0'), 'Device "br0" is already declared');
    expect(parse(t).topology.devices.get('v3@host')!.master).toBeUndefined();
  });
});

describe('wire errors', () => {
  it('a wire end that is not a NIC', () => {
    const t = 'netns a\nveth v@a -- w\nnic eth0\nwire eth0 -- w';
    one(t, 'topo-bad-wire', rng(3, 13, 14), '"w@host" is a veth: a wire joins two NICs (declare it with "nic").');
    expect(parse(t).topology.devices.get('eth0@host')!.wire).toBeUndefined();
  });

  it('a NIC already wired', () => {
    const t = 'netns a\nnetns b\nnic eth0\nnic eth0@a\nnic eth0@b\nwire eth0 -- eth0@a\nwire eth0@b -- eth0';
    one(t, 'topo-bad-wire', span(t, 6, 'eth0', 1), '"eth0@host" is already wired to "eth0@a".');
    const topo = parse(t).topology;
    expect(topo.devices.get('eth0@host')!.wire).toBe('eth0@a');
    expect(topo.devices.get('eth0@b')!.wire).toBeUndefined();
  });

  it('a NIC wired to itself', () => {
    const t = 'nic eth0\nwire eth0 -- eth0';
    one(t, 'topo-bad-wire', span(t, 1, 'eth0', 1), 'A wire needs two different NICs.');
  });
});

describe('topo-unreachable-gateway', () => {
  it('a gateway on no subnet of the route\'s namespace, reported on the gateway', () => {
    const t = 'netns pod\nveth eth0@pod 10.244.1.2/24 -- veth1 10.9.9.1/24\nroute @pod default via 10.9.9.9';
    one(t, 'topo-unreachable-gateway', span(t, 2, '10.9.9.9'),
      'Gateway 10.9.9.9 is not on any subnet of namespace "pod": the kernel refuses this route ("Nexthop has invalid gateway").',
      'route @pod 10.9.9.9/32 dev NAME');
    // The route stays in the model.
    expect(parse(t).topology.routes).toHaveLength(1);
  });

  it('a gateway on a subnet of another device than the route\'s dev', () => {
    const t = 'nic eth0 10.0.0.1/24\nnic eth1 10.1.0.1/24\nroute default via 10.1.0.254 dev eth0';
    one(t, 'topo-unreachable-gateway', span(t, 2, '10.1.0.254'), 'Gateway 10.1.0.254 is not on any subnet of device "eth0@host"', 'add "route 10.1.0.254/32 dev NAME" first');
  });

  it('a bridge port\'s subnet does not count (a port has no L3); the bridge\'s does', () => {
    const t = 'nic p 10.0.0.5/24\nbridge br0 ports p\nroute default via 10.0.0.1';
    one(t, 'topo-unreachable-gateway', span(t, 2, '10.0.0.1'), 'namespace "host"');
    expect(parse('nic p\nbridge br0 10.0.0.2/24 ports p\nroute default via 10.0.0.1').diagnostics).toEqual([]);
  });
});

describe('attach errors', () => {
  it('an unknown hook, with "did you mean" and a fix; the attachment is not kept', () => {
    const t = 'nic eth0\nattach tc-ingres eth0 prog p';
    const d = one(t, 'topo-unknown-hook', span(t, 1, 'tc-ingres'),
      'Unknown hook "tc-ingres": expected one of tc-ingress, tc-egress, tcx-ingress, tcx-egress, xdp, xdp-generic, netkit-primary, netkit-peer. Did you mean "tc-ingress"?');
    expect(d.fix).toEqual({ title: 'Change to "tc-ingress"', range: span(t, 1, 'tc-ingres'), text: 'tc-ingress' });
    expect(parse(t).topology.attachments).toEqual([]);
    expect(one('nic eth0\nattach TCX-EGRESS eth0 prog p', 'topo-unknown-hook', rng(1, 7, 17)).fix?.text).toBe('tcx-egress');
    expect(one('nic eth0\nattach xdp-native eth0 prog p', 'topo-unknown-hook', rng(1, 7, 17)).fix).toBeUndefined();
  });

  it('an unknown hook and an unknown device on one line are both reported', () => {
    const t = 'nic eth0\nattach egress eth9 prog p';
    const { diagnostics } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range])).toEqual([
      ['topo-unknown-hook', span(t, 1, 'egress')],
      ['topo-unknown-name', span(t, 1, 'eth9')],
    ]);
  });

  it('netkit hooks only on a netkit primary', () => {
    const base = 'netns pod\nnetkit nk0 -- nk1@pod\nveth v0 -- v1@pod\n';
    const peer = base + 'attach netkit-peer nk1@pod prog p';
    one(peer, 'topo-bad-hook', span(peer, 3, 'netkit-peer'),
      'Hook "netkit-peer" belongs to a netkit pair and is named on its primary end; "nk1@pod" is the peer end (programs attach through the primary\'s ifindex).');
    expect(parse(peer).topology.attachments).toEqual([]);
    const veth = base + 'attach netkit-primary v0 prog p';
    one(veth, 'topo-bad-hook', span(veth, 3, 'netkit-primary'), '"v0@host" is a veth.');
  });

  it('no native XDP on a netkit device (no ndo_bpf), with a fix to xdp-generic', () => {
    const t = 'netns pod\nnetkit nk0 -- nk1@pod\nattach xdp nk1@pod prog p';
    const d = one(t, 'topo-bad-hook', span(t, 2, 'xdp'), 'netkit has no native XDP', 'use xdp-generic');
    expect(d.fix).toEqual({ title: 'Use xdp-generic', range: span(t, 2, 'xdp'), text: 'xdp-generic' });
    expect(parse(t).topology.attachments).toEqual([]);
    expect(parse(t.replace('attach xdp', 'attach xdp-generic')).diagnostics).toEqual([]);
  });
});

describe('recovery', () => {
  it('reports every bad line, sorted by position, and builds the model from the good ones', () => {
    const lines = [
      '# a broken lab',            // 0
      'netns pod1',                // 1
      'netns pod1',                // 2 duplicate
      'netns pod2 forwarding',     // 3
      'veth eth0@pod1 10.0.0.2/24 -- veth1', // 4
      'veth eth0@pod2 10.0.0.3/24 -- veth2', // 5
      'nic eth0 10.0.0.300/24',    // 6 bad cidr (device kept)
      'brige br0 ports veth1',     // 7 keyword
      'bridge cni0 10.0.0.1/24 ports veth1 veth2', // 8
      'route @pod1 default',       // 9 neither via nor dev
      'route @pod1 default via 10.0.0.1', // 10
      'attach tc-ingres veth1 prog p', // 11 unknown hook
      'attach tc-egress veth2 prog q file "q.c', // 12 unterminated
      'attach tcx-egress veth2 prog r', // 13
      'path pod1 -> pdo2',         // 14 unknown
      'path pod1 -> pod2',         // 15
    ];
    const t = lines.join('\n');
    const { diagnostics, topology } = parse(t);
    expect(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character])).toEqual([
      ['topo-duplicate', 2, 6],
      ['topo-bad-cidr', 6, 9],
      ['topo-syntax', 7, 0],
      ['topo-syntax', 9, 19],
      ['topo-unknown-hook', 11, 7],
      ['topo-syntax', 12, 35],
      ['topo-unknown-name', 14, 13],
    ]);
    expect([...topology.namespaces.keys()]).toEqual(['host', 'pod1', 'pod2']);
    expect([...topology.devices.keys()]).toEqual(['eth0@pod1', 'veth1@host', 'eth0@pod2', 'veth2@host', 'eth0@host', 'cni0@host']);
    expect(topology.devices.get('cni0@host')!.ports).toEqual(['veth1@host', 'veth2@host']);
    expect(topology.routes.map((r) => r.range.start.line)).toEqual([10]);
    expect(topology.attachments.map((a) => a.prog)).toEqual(['r']);
    expect(topology.paths.map((p) => p.range.start.line)).toEqual([15]);
  });
});
